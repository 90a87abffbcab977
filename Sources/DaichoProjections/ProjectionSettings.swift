import Daicho
import DaichoLog
import Foundation

/// The settings a projection is built under: `DIR/identity.json` (docs/identity.md "Configuration") and
/// `DIR/daicho.json` (docs/profile.md). A snapshot records their hash; changing either rebuilds by replay.
public struct ProjectionSettings: Sendable {
    public var rules: IdentityRules
    public var profile: ProfileConfig
    /// XXH64 over both files' bytes (an absent file counts as empty) and the snapshot format.
    public var hash: UInt64

    public init(rules: IdentityRules = IdentityRules(), profile: ProfileConfig = ProfileConfig(), hash: UInt64 = 0) {
        self.rules = rules
        self.profile = profile
        self.hash = hash
    }

    /// Reads the settings files of `dir`; absent files mean the defaults.
    /// - Throws: `StoreError` naming the file and the bad key (`.invalidSettings`), or the file and errno when it
    ///   exists but cannot be read (`.io`: never silently the defaults).
    public static func load(_ dir: DataDirectory) throws -> ProjectionSettings {
        var settings = ProjectionSettings()
        let identity = try contents(of: dir.identityConfigPath)
        let profile = try contents(of: dir.settingsPath)
        if !identity.isEmpty { settings.rules = try IdentityRules(json: identity) }
        if !profile.isEmpty { settings.profile = try profileConfig(profile, path: dir.settingsPath) }
        var all = Array("v\(ProjectionSnapshot.version)|".utf8) + Array(identity) + [0] + Array(profile)
        settings.hash = all.withUnsafeMutableBytes { XXHash64.hash(UnsafeRawBufferPointer($0)) }
        return settings
    }

    /// The bytes of the settings file at `path`; empty when there is none.
    static func contents(of path: String) throws(StoreError) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return Data() }
        guard fd >= 0 else { throw .system("cannot open settings file \(path)", path: path, errno: errno) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .system("cannot read settings file \(path)", path: path, errno: errno) }
            if n == 0 { return data }
            data.append(contentsOf: buffer[..<n])
        }
    }

    /// `{"session_gap_minutes": 30, "business_time_zone": "Asia/Tokyo", "rfm_currency": "JPY", "max_future_skew": "24h"}`.
    static func profileConfig(_ data: Data, path: String) throws -> ProfileConfig {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StoreError(.invalidSettings, "\(path): expected a JSON object", path: path)
        }
        var config = ProfileConfig()
        for (key, value) in root {
            switch key {
            case "session_gap_minutes":
                guard let m = number(value), m > 0, m <= ProfileConfig.maxSessionGapMinutes else {
                    throw StoreError(.invalidSettings, "\(path): session_gap_minutes must be a number > 0 and at most 525600 (one year)", path: path)
                }
                config.sessionGapMicros = Int64(m * 60_000_000)
            case "max_future_skew":
                guard let text = value as? String, let micros = settingsDuration(text) else {
                    throw StoreError(.invalidSettings, "\(path): max_future_skew must be a duration such as \"24h\", \"30m\" or \"7d\" (0s to 3650d)", path: path)
                }
                config.maxFutureSkewMicros = micros
            case "business_time_zone":
                guard let name = value as? String, let zone = TimeZone(identifier: name) else {
                    throw StoreError(.invalidSettings, "\(path): business_time_zone must be an IANA time zone name such as \"Asia/Tokyo\"", path: path)
                }
                config.businessTimeZone = zone
            case "rfm_currency":
                guard let c = value as? String, c.count == 3, c.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                    throw StoreError(.invalidSettings, "\(path): rfm_currency must be a 3-letter code such as \"JPY\"", path: path)
                }
                config.rfmCurrency = c
            case "checkpoint_every":
                guard let n = wholeNumber(value), n >= 0 else {
                    throw StoreError(.invalidSettings, "\(path): checkpoint_every must be a whole number of events >= 0 (0: no as-of checkpoints)", path: path)
                }
                config.checkpointEvery = n
            case "checkpoints_kept":
                guard let n = wholeNumber(value), n >= 1, n <= ProfileConfig.maxCheckpointsKept else {
                    throw StoreError(.invalidSettings, "\(path): checkpoints_kept must be a whole number from 1 to \(ProfileConfig.maxCheckpointsKept)", path: path)
                }
                config.checkpointsKept = n
            case "compression_level":
                guard let n = wholeNumber(value), let level = Int32(exactly: n), FrameCompressor.levels.contains(level) else {
                    throw StoreError(.invalidSettings, "\(path): compression_level must be a whole number from \(FrameCompressor.levels.lowerBound) to \(FrameCompressor.levels.upperBound) (zstd's levels; default \(FrameCompressor.defaultLevel))", path: path)
                }
                config.compressionLevel = level
            case "snapshot_min_events":
                guard let n = wholeNumber(value), n >= 0 else {
                    throw StoreError(.invalidSettings, "\(path): snapshot_min_events must be a whole number of events >= 0 (0: every append rewrites the snapshot)", path: path)
                }
                config.snapshotMinEvents = n
            default:
                throw StoreError(.invalidSettings, "\(path): unknown setting \"\(key)\" (known: session_gap_minutes, business_time_zone, rfm_currency, max_future_skew, checkpoint_every, checkpoints_kept, snapshot_min_events, compression_level)", path: path)
            }
        }
        return config
    }
}

/// A JSON number of `daicho.json` (JSONSerialization's value); nil for anything else, `true` and `false` included,
/// which Foundation would otherwise read as 1 and 0.
private func number(_ value: Any) -> Double? {
    guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
    return n.doubleValue
}

/// A JSON whole number of `daicho.json`; nil for a fraction, a boolean or anything else.
private func wholeNumber(_ value: Any) -> Int? {
    guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
    return value as? Int
}

/// A duration `<digits><unit>` with unit s, m, h or d, at most 3650 days, in µs; nil when malformed.
func settingsDuration(_ text: String) -> Int64? {
    guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0, text.first?.isNumber == true else { return nil }
    let seconds: Int64
    switch unit {
    case "s": seconds = 1
    case "m": seconds = 60
    case "h": seconds = 3_600
    case "d": seconds = 86_400
    default: return nil
    }
    guard n <= 3_650 * 86_400 / seconds else { return nil }
    return n * seconds * 1_000_000
}

/// Builds the profile projection of a data directory for a query: the newest valid snapshot plus the log's
/// tail, or a full replay when there is no usable snapshot (with a notice saying why).
public enum ProjectionLoader {
    /// - Parameters:
    ///   - asOf: build the view of the events with `at <= asOf`: from the newest as-of checkpoint that holds only
    ///     such events (docs/profile.md "Checkpoints"), else from offset 0, applying the rest of the log filtered.
    /// - Returns: the projection, the reader it caught up with, and a notice when a snapshot was ignored.
    public static func load(_ dir: DataDirectory, asOf: Int64? = nil) throws -> (ProfileProjection, EventReader, notice: String?) {
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        return try load(dir, settings: ProjectionSettings.load(dir), asOf: asOf)
    }

    static func load(_ dir: DataDirectory, settings: ProjectionSettings, asOf: Int64?) throws -> (ProfileProjection, EventReader, notice: String?) {
        let reader = try EventReader(dir)
        if asOf == nil {
            switch ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: settings.hash,
                                           rules: settings.rules, config: settings.profile, proving: reader) {
            case .loaded(let projection):
                try projection.catchUp(reader)
                return (projection, reader, nil)
            case .ignored(let why):
                let projection = try replay(reader, settings: settings, asOf: nil)
                return (projection, reader, why == "no snapshot" ? nil : "\(why); rebuilt by replay")
            }
        }
        let projection = asOf.flatMap { Checkpoints.restore(dir, settings: settings, asOf: $0, reader: reader) }
            ?? ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        try Checkpoints.catchUp(projection, dir, reader: reader)
        return (projection, reader, nil)
    }

    /// Brings the snapshot of `dir` up to the log's end: loads it (or replays), catches up, writes it.
    public static func refreshSnapshot(_ dir: DataDirectory) throws {
        let settings = try ProjectionSettings.load(dir)
        let (projection, _, _) = try load(dir, settings: settings, asOf: nil)
        try writeSnapshot(projection, settings: settings, directory: dir)
    }

    /// Writes the profiles-only snapshot of `projection`, unless the log defines segments: then the snapshot
    /// belongs to the segment-aware writers (`SegmentLoader`), and replacing it with one lacking the segment
    /// state would make every later segment query replay the log. Queries catch up on the tail either way.
    public static func writeSnapshot(_ projection: ProfileProjection, settings: ProjectionSettings,
                                     directory: DataDirectory) throws {
        guard projection.internalEvents == 0 else { return }
        try ProjectionSnapshot.write(projection, settingsHash: settings.hash, directory: directory.snapshotsPath, log: directory)
    }

    /// Applies the log from offset 0 (up to `end`, exclusive) to a fresh projection.
    /// - Parameters:
    ///   - snapshotEvery: with `snapshotDirectory`, write a snapshot after at most this many events (closer while
    ///     the as-of checkpoint policy asks for it, where frames end), so a long replay that is interrupted resumes
    ///     from the last one.
    public static func replay(_ reader: EventReader, settings: ProjectionSettings, asOf: Int64?, to end: UInt64? = nil,
                              snapshotEvery: Int = 1_000_000, snapshotDirectory: String? = nil,
                              progress: ((Int) -> Void)? = nil) throws -> ProfileProjection {
        let projection = ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        if progress != nil || snapshotDirectory != nil {
            var chunkEnd = UInt64(0)
            let last = end ?? reader.endOffset
            let writes = snapshotDirectory != nil && asOf == nil
            while chunkEnd < last {
                // Snapshots where frames end, spaced so each becomes an as-of checkpoint (docs/profile.md "Checkpoints").
                chunkEnd = min(last, chunkEnd + (writes ? Checkpoints.replayStep(to: last, snapshotEvery: snapshotEvery, config: settings.profile)
                                                        : UInt64(max(1, snapshotEvery))))
                if writes, chunkEnd < last, let frameEnd = reader.frameEnd(containing: chunkEnd - 1) { chunkEnd = min(last, frameEnd) }
                try projection.catchUp(reader, to: chunkEnd)
                progress?(Int(projection.nextOffset))
                if let snapshotDirectory, writes, chunkEnd < last {
                    try ProjectionSnapshot.write(projection, settingsHash: settings.hash, directory: snapshotDirectory,
                                                 log: reader.directory)
                }
            }
        } else {
            try projection.catchUp(reader, to: end)
        }
        return projection
    }
}
