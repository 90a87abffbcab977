import Daicho
import DaichoLog
import Foundation

// As-of checkpoints (docs/profile.md "Checkpoints"): earlier snapshots kept in `DIR/snapshots/checkpoints/` as
// `profiles-<offset, 20 digits>.snap`, each a hard link to a snapshot file as it was written (the format of
// docs/profile.md "Snapshots", proof included). A checkpoint at offset N is the as-of-T view after [0, N) when
// N is where a frame ends and the newest event time of the frames before N (their headers' running maximum) is
// at most T; `--as-of T` restores the newest such checkpoint and applies [N, end) with the `at <= T` filter.

/// The bounded series of snapshots that `--as-of` queries start from instead of offset 0.
public enum Checkpoints {
    /// The directory inside a snapshots directory that holds them.
    public static let directoryName = "checkpoints"

    /// The file name of the checkpoint at `offset`: `profiles-` and the offset in 20 digits, so names sort by offset.
    static func name(offset: UInt64) -> String {
        let digits = String(offset)
        return "profiles-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".snap"
    }

    /// The checkpoints in the snapshots directory `snapshots`, oldest first (files of other names are not listed).
    public static func list(in snapshots: String) -> [(offset: UInt64, path: String)] {
        let dir = snapshots + "/" + directoryName
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.compactMap { n -> (offset: UInt64, path: String)? in
            guard n.hasPrefix("profiles-"), n.hasSuffix(".snap"), let o = UInt64(n.dropFirst(9).dropLast(5)),
                  name(offset: o) == n else { return nil }
            return (o, dir + "/" + n)
        }.sorted { $0.offset < $1.offset }
    }

    /// The as-of view of the events with `at <= asOf`, restored from the newest checkpoint that holds only such
    /// events (its offset ends a frame and no frame before it has a newer event) and proves it belongs to this
    /// log; positioned at the checkpoint's offset, so the caller applies the rest of the log. A checkpoint that
    /// is damaged, of another format or settings, or not this log's is passed over for an older one.
    /// - Returns: nil when none serves `asOf` (the caller replays from offset 0).
    static func restore(_ dir: DataDirectory, settings: ProjectionSettings, asOf: Int64,
                        reader: EventReader) -> ProfileProjection? {
        for (offset, path) in list(in: dir.snapshotsPath).reversed() {
            guard let clock = reader.maxEventTime(before: offset), clock <= asOf else { continue }
            let outcome = ProjectionSnapshot.read(directory: dir.snapshotsPath + "/" + directoryName,
                                                  name: (path as NSString).lastPathComponent, settingsHash: settings.hash,
                                                  rules: settings.rules, config: settings.profile, asOf: asOf, proving: reader)
            guard case .loaded(let projection) = outcome, projection.nextOffset == offset else { continue }
            projection.resumeAsOf(clock: clock, checkpoint: offset)
            return projection
        }
        return nil
    }

    /// Applies the log from `projection.nextOffset` to its end to the as-of view `projection`, passing over unread
    /// every frame that `frame-times` (FrameTimes.swift) shows to hold only events later than the view's time.
    static func catchUp(_ projection: ProfileProjection, _ dir: DataDirectory, reader: EventReader) throws {
        guard let asOf = projection.asOf,
              let times = FrameTimesFile.read(dir.snapshotsPath + "/" + directoryName,
                                              proving: { try reader.frameChecksum(containing: $0) }) else {
            try projection.catchUp(reader)
            return
        }
        var i = times.ends.firstIndex { $0 > projection.nextOffset } ?? times.ends.count
        while i < times.ends.count {
            let base = i > 0 ? times.ends[i - 1] : 0
            if times.oldest[i] > asOf && base >= projection.nextOffset {
                var end = times.ends[i]
                while i + 1 < times.ends.count && times.oldest[i + 1] > asOf {
                    i += 1
                    end = times.ends[i]
                }
                projection.skipLaterEvents(to: end)
            } else {
                var end = times.ends[i]
                while i + 1 < times.ends.count && times.oldest[i + 1] <= asOf {
                    i += 1
                    end = times.ends[i]
                }
                try projection.catchUp(reader, to: end)
            }
            i += 1
        }
        try projection.catchUp(reader)
    }

    /// Called after a snapshot at `offset` was written to `snapshot`: drops the checkpoints that no longer hold
    /// (another format or settings, or not this log's: it was cut or replaced), keeps the new snapshot as a
    /// checkpoint too when the policy asks for one there, and thins the series to `config.checkpointsKept`.
    ///
    /// The policy: a snapshot at offset N where a frame ends becomes a checkpoint when every kept checkpoint is at
    /// least `max(checkpointEvery, N / checkpointsKept)` events away (and N is at least that). Beyond the bound, the
    /// checkpoint whose removal leaves the smallest gap goes (the oldest of equals; never the newest), so the
    /// series stays spread evenly over the log as it grows. The checkpoint is a hard link to the snapshot's file:
    /// no bytes are written, and replacing the snapshot later keeps the checkpoint's file.
    ///
    /// It also extends `frame-times` with the frames the projection applied whole (FrameTimes.swift). Nothing here
    /// fails the snapshot write: a checkpoint not kept only makes some as-of queries start earlier.
    /// - Returns: whether `frame-times` now lists the projection's frames up to `offset` (they can be forgotten).
    static func record(snapshot: String, offset: UInt64, settingsHash: UInt64, config: ProfileConfig,
                       frameTimes: FrameTimes, log: DataDirectory, directory: String) -> Bool {
        guard config.checkpointEvery > 0, let reader = try? LogReader(directory: log.logPath) else { return false }
        let dir = directory + "/" + directoryName
        let listed = FrameTimesFile.extend(dir, with: frameTimes, through: offset, log: reader)
        var kept: [UInt64] = []
        for (o, path) in list(in: directory) {
            if holds(path, offset: o, settingsHash: settingsHash, reader: reader) { kept.append(o) } else { _ = unlink(path) }
        }
        defer { thin(&kept, to: config.checkpointsKept, in: dir) }
        let spacing = max(UInt64(config.checkpointEvery), offset / UInt64(max(1, config.checkpointsKept)))
        let nearest = kept.map { $0 > offset ? $0 - offset : offset - $0 }.min() ?? offset
        guard nearest >= spacing, reader.maxEventTime(before: offset) != nil else { return listed }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name(offset: offset)
        guard link(snapshot, path) == 0 else { return listed }
        // Another writer may have renamed its snapshot over `snapshot` since: keep the link only if it is this one.
        guard holds(path, offset: offset, settingsHash: settingsHash, reader: reader) else {
            unlink(path)
            return listed
        }
        kept.append(offset)
        kept.sort()
        return listed
    }

    /// The chunk length of a replay of `last` events that writes a snapshot after each chunk: a `checkpointsKept`-th
    /// of the log (at least `checkpointEvery`), so each snapshot becomes a checkpoint and the series is the one
    /// thinning would keep, written once each; and at most `snapshotEvery`, so an interrupted replay resumes from a
    /// snapshot that close.
    public static func replayStep(to last: UInt64, snapshotEvery: Int, config: ProfileConfig) -> UInt64 {
        let every = UInt64(max(1, snapshotEvery))
        guard config.checkpointEvery > 0 else { return every }
        let kept = UInt64(max(1, config.checkpointsKept))
        // A snapshot at N is kept when N − offset ≥ N / kept; with N ≤ last, a step of last / kept always is.
        return min(every, max(UInt64(config.checkpointEvery), (last + kept - 1) / kept))
    }

    /// Whether the snapshot file at `path` reflects `offset`, is of this format and these settings, and proves it
    /// belongs to the log `reader` reads (one header read; the sections' checksums are checked when it is used).
    static func holds(_ path: String, offset: UInt64, settingsHash: UInt64, reader: LogReader) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: ProjectionSnapshot.headerBytes)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n == header.count, Array(header[0..<8]) == ProjectionSnapshot.magic else { return false }
        func u64(_ at: Int) -> UInt64 { header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        guard u64(8) == ProjectionSnapshot.version, u64(16) == offset, u64(24) == settingsHash, offset > 0,
              let frame = try? reader.frameChecksum(containing: offset - 1) else { return false }
        return frame.base == u64(40) && UInt64(frame.crc) == u64(48)
    }

    /// Removes checkpoints until at most `limit` remain: each time the one (never the newest) whose removal
    /// leaves the smallest gap between its neighbours (offset 0 before the first), the oldest of equals.
    static func thin(_ kept: inout [UInt64], to limit: Int, in dir: String) {
        while kept.count > max(1, limit) {
            var victim = 0, smallest = UInt64.max
            for i in 0..<(kept.count - 1) {
                let gap = kept[i + 1] - (i > 0 ? kept[i - 1] : 0)
                if gap < smallest { (victim, smallest) = (i, gap) }
            }
            unlink(dir + "/" + name(offset: kept[victim]))
            kept.remove(at: victim)
        }
    }
}
