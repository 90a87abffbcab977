import Daicho
import DaichoLog
import Foundation

// The profile projection's snapshot file (docs/profile.md "Snapshots"):
//
//   0   8  magic "DCHPROJ1"
//   8   8  format version (little-endian; this code writes and reads 1)
//   16  8  log offset the snapshot reflects (the next offset to apply)
//   24  8  settings hash: XXH64 of the identity rules and profile settings it was built under
//   32  8  length of the compressed body
//   40  8  CRC32C of bytes [16, 40) and of the body
//   48  …  body: zstd of (symbols, identity graph, aggregates, timeline index)
//
// Written to a temporary file, fsynced, renamed over the old one, and the directory fsynced.

/// Reading and writing the profile projection's snapshot.
public enum ProjectionSnapshot {
    static let magic = Array("DCHPROJ1".utf8)
    /// The body format written by this code.
    public static let version: UInt64 = 1
    static let headerBytes = 48
    /// Largest body accepted when reading (a damaged length cannot make us allocate more).
    static let maxBody = 8 << 30

    /// The file name inside `DataDirectory.snapshotsPath`.
    public static let fileName = "profiles.snap"

    /// Writes `projection` atomically to `directory/profiles.snap`.
    public static func write(_ projection: ProfileProjection, settingsHash: UInt64, directory: String) throws {
        precondition(projection.asOf == nil, "an as-of view is not snapshotted")
        var w = SnapshotWriter()
        projection.write(to: &w)
        let body = w.bytes.withUnsafeBytes { ZstdBlob.compress($0) }
        var header = SnapshotWriter()
        header.bytes.append(contentsOf: magic)
        header.u64(version)
        header.u64(projection.nextOffset)
        header.u64(settingsHash)
        header.u64(UInt64(body.count))
        var crc = header.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[16..<40])) }
        crc = body.withUnsafeBytes { CRC32C.checksum($0, continuing: crc) }
        header.u64(UInt64(crc))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeAtomically(header.bytes + body, to: directory + "/" + fileName, directory: directory)
    }

    /// Why a snapshot was not used, for the notice users see; nil when it was used.
    public enum Outcome {
        case loaded(ProfileProjection)
        case ignored(String)
    }

    /// Reads the snapshot in `directory`, if any, valid, of this format and built under `settingsHash`.
    public static func read(directory: String, settingsHash: UInt64, rules: IdentityRules, config: ProfileConfig) -> Outcome {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return .ignored("no snapshot") }
        return data.withUnsafeBytes { raw -> Outcome in
            guard raw.count >= headerBytes, Array(raw[0..<8]) == magic else { return .ignored("snapshot \(path) is not a Daicho snapshot") }
            var r = SnapshotReader(raw, position: 8)
            do {
                let v = try r.u64()
                guard v == version else { return .ignored("snapshot \(path) has format \(v), this build reads \(version)") }
                let offset = try r.u64(), hash = try r.u64(), length = try r.u64(), crc = try r.u64()
                guard length <= UInt64(maxBody), UInt64(raw.count - headerBytes) == length else {
                    return .ignored("snapshot \(path) is truncated or damaged (length)")
                }
                let body = UnsafeRawBufferPointer(rebasing: raw[headerBytes...])
                var actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[16..<40]))
                actual = CRC32C.checksum(body, continuing: actual)
                guard UInt64(actual) == crc else { return .ignored("snapshot \(path) fails its checksum") }
                guard hash == settingsHash else { return .ignored("snapshot \(path) was built under other identity or profile settings") }
                let bytes: [UInt8]
                do { bytes = try ZstdBlob.decompress(body, limit: maxBody, path: path) } catch { return .ignored("\(error)") }
                let projection = ProfileProjection(rules: rules, config: config)
                try bytes.withUnsafeBytes { b in
                    var br = SnapshotReader(b)
                    try projection.read(from: &br)
                    guard br.isAtEnd else { throw SnapshotError("bytes after the end") }
                }
                guard projection.nextOffset == offset else { return .ignored("snapshot \(path) is inconsistent (offset)") }
                return .loaded(projection)
            } catch {
                return .ignored("snapshot \(path) is damaged: \(error)")
            }
        }
    }

    /// temp file → write → fsync → rename → fsync(directory).
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SnapshotError("cannot create \(temp): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { b -> Bool in
            while written < b.count {
                let n = Glibc.write(fd, b.baseAddress! + written, b.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let failure = errno
        close(fd)
        guard ok else {
            unlink(temp)
            throw SnapshotError("cannot write \(temp): \(String(cString: strerror(failure)))")
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw SnapshotError("cannot rename \(temp) to \(path): \(String(cString: strerror(errno)))")
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}

extension ProfileProjection {
    /// Writes symbols, graph, aggregates and the timeline index.
    func write(to w: inout SnapshotWriter) {
        w.u64(nextOffset)
        w.count(appliedEvents)
        symbols.write(to: &w)
        graph.write(to: &w)
        // Aggregates: an offset table, then each profile's bytes, so a reader can deserialize one profile.
        var body: [UInt8] = []
        var offsets: [UInt64] = []
        offsets.reserveCapacity(aggregates.count + 1)
        for p in aggregates.indices {
            offsets.append(UInt64(body.count))
            if let lazy, p < lazy.loaded.count, !lazy.loaded[p] { body.append(contentsOf: lazy.bytes(p)) }
            else { aggregates[p].serialize(into: &body) }
        }
        offsets.append(UInt64(body.count))
        w.array(offsets)
        body.withUnsafeBytes { w.data($0) }
        w.array(previousEvent)
        w.array(eventProfile)
        w.array(newest)
        w.array(oldest)
    }

    /// Restores what `write(to:)` wrote into this empty projection.
    func read(from r: inout SnapshotReader) throws(SnapshotError) {
        let next = try r.u64()
        let applied = try r.count(minimumBytes: 0)
        try symbols.read(from: &r)
        try graph.read(from: &r)
        let offsets = try r.array(of: UInt64.self)
        let body = Array(try r.data())
        guard let last = offsets.last, last == UInt64(body.count), zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SnapshotError("profile aggregates damaged (offsets)")
        }
        let n = offsets.count - 1
        let restored = [ProfileAggregates](repeating: ProfileAggregates(), count: n)
        let previous = try r.array(of: UInt32.self), owners = try r.array(of: UInt32.self)
        let newestEvents = try r.array(of: UInt32.self), oldestEvents = try r.array(of: UInt32.self)
        guard UInt64(previous.count) == next, owners.count == previous.count,
              newestEvents.count == n, oldestEvents.count == n else { throw SnapshotError("timeline index damaged") }
        restore(nextOffset: next, appliedEvents: applied, aggregates: restored, previousEvent: previous,
                eventProfile: owners, newest: newestEvents, oldest: oldestEvents)
        lazy = LazyAggregates(body: body, offsets: offsets)
    }
}

/// Profiles' aggregates as read from a snapshot, deserialized one profile at a time on first use.
final class LazyAggregates {
    let body: [UInt8]
    let offsets: [UInt64]
    var loaded: [Bool]

    init(body: [UInt8], offsets: [UInt64]) {
        self.body = body
        self.offsets = offsets
        loaded = Array(repeating: false, count: offsets.count - 1)
    }

    /// The serialized bytes of profile `p`.
    func bytes(_ p: Int) -> ArraySlice<UInt8> { body[Int(offsets[p])..<Int(offsets[p + 1])] }

    /// Profile `p`'s aggregates. The snapshot passed its checksum, so damage here is a bug: it traps with the reason.
    func aggregates(_ p: Int) -> ProfileAggregates {
        body.withUnsafeBytes { b in
            var position = Int(offsets[p])
            do {
                return try ProfileAggregates.deserialize(b, at: &position)
            } catch {
                preconditionFailure("snapshot aggregates of profile \(p) do not decode: \(error)")
            }
        }
    }
}
