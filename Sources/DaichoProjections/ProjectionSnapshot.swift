import Daicho
import DaichoLog
import Foundation

// The profile projection's snapshot file (docs/profile.md "Snapshots"):
//
//   0   8  magic "DCHPROJ1"
//   8   8  format version (little-endian; this code writes and reads 7)
//   16  8  log offset the snapshot reflects (the next offset to apply)
//   24  8  settings hash: XXH64 of the identity rules and profile settings it was built under
//   32  8  section count (4)
//   40  8  proof: base offset of the log frame holding offset − 1 (0 when the offset is 0)
//   48  8  proof: CRC32C chained over the CRCs of that frame and every earlier one (docs/log-format.md §3); a
//          snapshot whose frames differ (cut, repaired, replaced) is not this log's
//   56  8  CRC32C of bytes [16, 56) and of the section table
//   64  32 × count  section table: stored length, decoded length, XXH64 of the stored bytes, encoding
//          (0 raw, 1 one zstd frame)
//   …      the sections in table order: 0 index (identity graph + timeline index; raw, so loading it is a copy
//          out of the mapped file), 1 symbols (zstd), 2 aggregates (zstd), 3 dependents (zstd; the state of
//          views composed over the profiles — segments — or empty when the writer kept none)
//
// A query maps the file and decompresses only the sections it touches: `timeline` the index, `profile` the
// index, then symbols and aggregates on first use. Every section's hash is checked when the file is opened.
// Written to a temporary file, fsynced, renamed over the old one, and the directory fsynced.

/// Reading and writing the profile projection's snapshot.
public enum ProjectionSnapshot {
    static let magic = Array("DCHPROJ1".utf8)
    /// The body format written by this code.
    public static let version: UInt64 = 7
    static let headerBytes = 64
    static let sectionCount = 4
    /// Largest section accepted when reading (a damaged length cannot make us allocate more).
    static let maxSection = 8 << 30

    /// The file name inside `DataDirectory.snapshotsPath`.
    public static let fileName = "profiles.snap"

    /// Writes `projection` atomically to `directory/profiles.snap`, with the proof that it belongs to `log`.
    /// - Parameters:
    ///   - log: the data directory whose log the projection was built from.
    ///   - dependents: the state of views composed over the profiles at the same offset (the segment
    ///     projection's), restored with them; nil when the writer keeps none (such views then replay).
    /// - Throws: when the log no longer holds the projection's offsets (it was cut or replaced meanwhile).
    public static func write(_ projection: ProfileProjection, settingsHash: UInt64, directory: String,
                             log: DataDirectory, dependents: [UInt8]? = nil) throws {
        precondition(projection.asOf == nil, "an as-of view is not snapshotted")
        let proof = try SnapshotProof.of(log: log.logPath, offset: projection.nextOffset)
        let sections = projection.sections() + [dependents ?? []]
        var header = SnapshotWriter()
        header.bytes.append(contentsOf: magic)
        header.u64(version)
        header.u64(projection.nextOffset)
        header.u64(settingsHash)
        header.u64(UInt64(sections.count))
        header.u64(proof.frameBase)
        header.u64(UInt64(proof.frameCRC))
        header.u64(0) // CRC, below
        var stored: [[UInt8]] = []
        for (i, section) in sections.enumerated() {
            let encoding: UInt64 = i == 0 ? 0 : 1
            // Two zstd workers: the snapshot write is on `append`'s critical path (docs/profile.md "When append
            // writes the snapshot"); the bytes do not depend on the worker count.
            let c = encoding == 0 ? section : section.withUnsafeBytes { ZstdBlob.compress($0, level: 1, workers: 2) }
            header.u64(UInt64(c.count))
            header.u64(UInt64(section.count))
            header.u64(c.withUnsafeBytes { XXHash64.hash($0) })
            header.u64(encoding)
            stored.append(c)
        }
        let crc = header.bytes.withUnsafeBytes { h in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[headerBytes...]),
                            continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[16..<56])))
        }
        withUnsafeBytes(of: UInt64(crc).littleEndian) { header.bytes.replaceSubrange(56..<64, with: $0) }
        // The data directory exists (it holds the log); a `snapshots` that is not a directory fails below with ENOTDIR.
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw StoreError.system("cannot create snapshot directory \(directory)", path: directory, errno: errno)
        }
        try writeAtomically([header.bytes] + stored, to: directory + "/" + fileName, directory: directory)
        if Checkpoints.record(snapshot: directory + "/" + fileName, offset: projection.nextOffset, settingsHash: settingsHash,
                              config: projection.config, frameTimes: projection.frameTimes, log: log, directory: directory) {
            projection.forgetListedFrameTimes()
        }
    }

    /// Why a snapshot was not used, for the notice users see; nil when it was used.
    public enum Outcome {
        case loaded(ProfileProjection)
        case ignored(String)
    }

    /// Reads the snapshot in `directory`, if any, valid, of this format, built under `settingsHash` and proven to
    /// belong to the log `reader` reads (the frame holding its last offset has the recorded base and checksum).
    /// Only the index section is decoded now; symbols and aggregates are decoded on first use.
    /// - Parameters:
    ///   - name: the file in `directory` (an as-of checkpoint's, docs/profile.md "Checkpoints").
    ///   - asOf: the event-time bound of the view restored (a checkpoint serving an as-of query); nil for the present.
    public static func read(directory: String, name: String = fileName, settingsHash: UInt64, rules: IdentityRules,
                            config: ProfileConfig, asOf: Int64? = nil, proving reader: EventReader) -> Outcome {
        removeAbandonedTemporaries(in: directory)
        let path = directory + "/" + name
        guard let file = MappedFile(path: path) else { return .ignored("no snapshot") }
        let raw = file.bytes
        guard raw.count >= headerBytes, Array(raw[0..<8]) == magic else { return .ignored("snapshot \(path) is not a Daicho snapshot") }
        var r = SnapshotReader(raw, position: 8)
        do {
            let v = try r.u64()
            guard v == version else { return .ignored("snapshot \(path) has format \(v), this build reads \(version)") }
            let offset = try r.u64(), hash = try r.u64(), count = try r.u64()
            let recorded = SnapshotProof(frameBase: try r.u64(), frameCRC: UInt32(truncatingIfNeeded: try r.u64()))
            let crc = try r.u64()
            guard count == UInt64(sectionCount), raw.count >= headerBytes + 32 * sectionCount else {
                return .ignored("snapshot \(path) is truncated or damaged (sections)")
            }
            let table = UnsafeRawBufferPointer(rebasing: raw[headerBytes..<(headerBytes + 32 * sectionCount)])
            let actual = CRC32C.checksum(table, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[16..<56])))
            guard UInt64(actual) == crc else { return .ignored("snapshot \(path) fails its checksum") }
            guard hash == settingsHash else { return .ignored("snapshot \(path) was built under other identity or profile settings") }
            if let why = try recorded.mismatch(reader, offset: offset) { return .ignored("snapshot \(path) \(why)") }
            var sections: [UnsafeRawBufferPointer] = []
            var at = headerBytes + 32 * sectionCount
            for i in 0..<sectionCount {
                let length = try r.u64(), decoded = try r.u64(), sum = try r.u64(), encoding = try r.u64()
                guard length <= UInt64(raw.count - at), decoded <= UInt64(maxSection),
                      encoding == (i == 0 ? 0 : 1), encoding == 1 || decoded == length else {
                    return .ignored("snapshot \(path) is truncated or damaged (length)")
                }
                let bytes = UnsafeRawBufferPointer(rebasing: raw[at..<(at + Int(length))])
                guard XXHash64.hash(bytes) == sum else { return .ignored("snapshot \(path) fails its checksum") }
                sections.append(bytes)
                at += Int(length)
            }
            guard at == raw.count else { return .ignored("snapshot \(path) is truncated or damaged (length)") }
            let projection = ProfileProjection(rules: rules, config: config, asOf: asOf)
            var br = SnapshotReader(sections[0])
            try projection.readIndex(from: &br, mapping: file)
            guard br.isAtEnd else { throw SnapshotError("bytes after the end") }
            guard projection.nextOffset == offset else { return .ignored("snapshot \(path) is inconsistent (offset)") }
            let dependents = try ZstdBlob.decompress(sections[3], limit: maxSection, path: path)
            if !dependents.isEmpty { projection.dependentState = dependents }
            projection.pending = PendingSections(file: file, symbols: sections[1], aggregates: sections[2], path: path)
            return .loaded(projection)
        } catch {
            return .ignored("snapshot \(path) is damaged: \(error)")
        }
    }

    /// Removes `profiles.snap.tmp-<pid>` files whose writer process is gone (killed while writing): a live
    /// writer's temporary, in this or another process, is left alone.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeAbandonedTemporaries(in directory: String) -> [String] {
        let prefix = fileName + ".tmp-"
        return AbandonedTemporaries.remove(in: directory) { $0.hasPrefix(prefix) ? Int32($0.dropFirst(prefix.count)) : nil }
    }

    /// temp file → write → fsync → rename → fsync(directory).
    /// - Throws: `StoreError` of kind `.io` with the file and errno.
    static func writeAtomically(_ parts: [[UInt8]], to path: String, directory: String) throws {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("cannot create \(temp)", path: temp, errno: errno) }
        var ok = true
        for part in parts where ok {
            var written = 0
            ok = part.withUnsafeBytes { b -> Bool in
                while written < b.count {
                    let n = Glibc.write(fd, b.baseAddress! + written, b.count - written)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    written += n
                }
                return true
            }
        }
        ok = ok && fsync(fd) == 0
        let failure = errno
        close(fd)
        guard ok else {
            unlink(temp)
            throw StoreError.system("cannot write \(temp)", path: temp, errno: failure)
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw StoreError.system("cannot rename \(temp) to \(path)", path: path, errno: errno)
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}

extension ProfileProjection {
    /// The snapshot sections: index (graph + timeline index), symbols, aggregates.
    func sections() -> [[UInt8]] {
        loadPending()
        var index = SnapshotWriter()
        index.u64(nextOffset)
        index.count(appliedEvents)
        index.count(internalEvents)
        index.i64(logClock)
        graph.write(to: &index)
        index.column(previousEvent)
        index.column(eventProfile)
        index.column(heads)
        var symbolSection = SnapshotWriter()
        symbols.write(to: &symbolSection)
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
        var aggregateSection = SnapshotWriter()
        aggregateSection.array(offsets)
        body.withUnsafeBytes { aggregateSection.data($0) }
        return [index.bytes, symbolSection.bytes, aggregateSection.bytes]
    }

    /// Restores the index section into this empty projection.
    func readIndex(from r: inout SnapshotReader, mapping: MappedFile) throws(SnapshotError) {
        let next = try r.u64()
        let applied = try r.count(minimumBytes: 0)
        let internalCount = try r.count(minimumBytes: 0)
        let clock = try r.i64()
        try graph.read(from: &r, mapping: mapping)
        let previous = try r.column(of: UInt32.self, in: mapping), owners = try r.column(of: UInt32.self, in: mapping)
        let profileHeads = try r.column(of: ProfileHeads.self, in: mapping)
        let n = profileHeads.count
        guard UInt64(previous.count) == next, owners.count == previous.count, n <= graph.profileNumbers,
              previous.allSatisfy({ $0 == Self.none || UInt64($0) < next }),
              owners.allSatisfy({ $0 == Self.none || Int($0) < n }),
              profileHeads.allSatisfy({ ($0.newest == Self.none || UInt64($0.newest) < next)
                  && ($0.oldest == Self.none || UInt64($0.oldest) < next) })
        else { throw SnapshotError("timeline index damaged") }
        restore(nextOffset: next, appliedEvents: applied, internalEvents: internalCount, logClock: clock,
                previousEvent: previous, eventProfile: owners, heads: profileHeads)
    }

    /// Decodes the symbols and aggregates sections if they are still pending. Their hashes passed when the file
    /// was opened, so a section that does not decode is a bug: it traps with the reason.
    func loadPending() {
        guard let pending else { return }
        self.pending = nil
        do {
            let symbolBytes = try ZstdBlob.decompress(pending.symbols, limit: ProjectionSnapshot.maxSection, path: pending.path)
            try symbolBytes.withUnsafeBytes { try readSymbols($0) }
            let section = try ZstdBlob.decompress(pending.aggregates, limit: ProjectionSnapshot.maxSection, path: pending.path)
            let (offsets, bodyStart) = try section.withUnsafeBytes { try aggregateOffsets($0) }
            installAggregates(LazyAggregates(section: section, bodyStart: bodyStart, offsets: offsets))
        } catch {
            preconditionFailure("snapshot \(pending.path): a section that passed its checksum does not decode: \(error)")
        }
    }
}

extension ProfileProjection {
    private func readSymbols(_ b: UnsafeRawBufferPointer) throws {
        var r = SnapshotReader(b)
        try symbols.read(from: &r)
        guard r.isAtEnd else { throw SnapshotError("bytes after the symbols") }
    }

    /// The aggregates section's per-profile offsets and where their bytes start in it.
    private func aggregateOffsets(_ b: UnsafeRawBufferPointer) throws -> ([UInt64], Int) {
        var r = SnapshotReader(b)
        let offsets = try r.array(of: UInt64.self)
        let body = try r.data()
        guard r.isAtEnd, let last = offsets.last, last == UInt64(body.count), offsets.count == heads.count + 1,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SnapshotError("profile aggregates damaged (offsets)")
        }
        return (offsets, r.position - body.count)
    }
}

/// The sections of a mapped snapshot not decoded yet.
final class PendingSections {
    let file: MappedFile
    let symbols: UnsafeRawBufferPointer
    let aggregates: UnsafeRawBufferPointer
    let path: String

    init(file: MappedFile, symbols: UnsafeRawBufferPointer, aggregates: UnsafeRawBufferPointer, path: String) {
        self.file = file
        self.symbols = symbols
        self.aggregates = aggregates
        self.path = path
    }
}

/// A whole file mapped read-only; unmapped when released.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path` private and writable (writes stay in this process: columns are used in place); nil when it
    /// cannot be opened or mapped (or is empty).
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}

/// Profiles' aggregates as read from a snapshot, deserialized one profile at a time on first use.
final class LazyAggregates {
    let section: [UInt8]
    let bodyStart: Int
    let offsets: [UInt64]
    var loaded: [Bool]

    init(section: [UInt8], bodyStart: Int, offsets: [UInt64]) {
        self.section = section
        self.bodyStart = bodyStart
        self.offsets = offsets
        loaded = Array(repeating: false, count: offsets.count - 1)
    }

    /// The serialized bytes of profile `p`.
    func bytes(_ p: Int) -> ArraySlice<UInt8> { section[(bodyStart + Int(offsets[p]))..<(bodyStart + Int(offsets[p + 1]))] }

    /// Profile `p`'s aggregates. The snapshot passed its checksum, so damage here is a bug: it traps with the reason.
    func aggregates(_ p: Int) -> ProfileAggregates {
        section.withUnsafeBytes { b in
            var position = bodyStart + Int(offsets[p])
            do {
                return try ProfileAggregates.deserialize(b, at: &position)
            } catch {
                preconditionFailure("snapshot aggregates of profile \(p) do not decode: \(error)")
            }
        }
    }
}

/// What ties a snapshot to the log it was built from: the base offset and CRC32C of the frame holding the
/// snapshot's last offset (docs/profile.md "Snapshots"). A log that was cut, repaired or replaced and then grew
/// past the snapshot's offset again has other frames there, so the snapshot is rebuilt instead of trusted.
struct SnapshotProof: Equatable {
    var frameBase: UInt64
    var frameCRC: UInt32

    /// The proof for a projection of `log` up to `offset` (exclusive); zeros for an empty projection.
    /// - Throws: when the log does not hold `offset - 1`.
    static func of(log: String, offset: UInt64) throws -> SnapshotProof {
        guard offset > 0 else { return SnapshotProof(frameBase: 0, frameCRC: 0) }
        guard let frame = try LogReader(directory: log).frameChecksum(containing: offset - 1) else {
            throw SnapshotError("the log \(log) no longer holds offset \(offset - 1); the snapshot was not written")
        }
        return SnapshotProof(frameBase: frame.base, frameCRC: frame.crc)
    }

    /// Why this proof does not hold for the log of `reader` up to `offset`, or nil when it does.
    func mismatch(_ reader: EventReader, offset: UInt64) throws -> String? {
        guard offset > 0 else { return nil }
        guard let frame = try reader.frameChecksum(containing: offset - 1) else {
            return "is ahead of the log (it reflects \(offset) events, the log holds fewer: the log was cut or replaced)"
        }
        guard frame.base == frameBase, frame.crc == frameCRC else {
            return "does not belong to this log (the frames up to offset \(offset - 1) have other checksums: the log was cut, repaired or replaced since)"
        }
        return nil
    }
}
