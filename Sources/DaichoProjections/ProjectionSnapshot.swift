import Daicho
import DaichoLog
import Foundation

// The profile projection's snapshot file (docs/profile.md "Snapshots"):
//
//   0   8  magic "DCHPROJ1"
//   8   8  format version (little-endian; this code writes and reads 10)
//   16  8  log offset the snapshot reflects (the next offset to apply)
//   24  8  settings hash: XXH64 of the identity rules and profile settings it was built under
//   32  8  section count (7)
//   40  8  proof: base offset of the log frame holding offset − 1 (0 when the offset is 0)
//   48  8  proof: CRC32C chained over the CRCs of that frame and every earlier one (docs/log-format.md §3); a
//          snapshot whose frames differ (cut, repaired, replaced) is not this log's
//   56  8  CRC32C of bytes [16, 56) and of the section table
//   64  32 × count  section table: stored length, decoded length, XXH64 of the stored bytes (of the block
//          table for a blocked section, whose blocks carry their own), encoding (0 raw, 1 one zstd frame,
//          2 blocked: SnapshotBlocks.swift)
//   …      the sections in table order: 0 summary (raw), 1 identity graph (zstd), 2 symbols (blocked),
//          3 profiles (blocked, ProfileRecord.swift), 4 lookup (blocked), 5 dependents (zstd; the state of
//          views composed over the profiles — segments — or empty when the writer kept none), 6 dashboard
//          aggregates (zstd; DashboardAggregates+Snapshot.swift)
//
// A full restore checks every hash and decodes everything but the symbols and the aggregates, which wait for
// first use; `profile` and `timeline` read the header, the block tables and a few blocks (SnapshotProfiles.swift).
// Written to a temporary file, fsynced, renamed over the old one, and the directory fsynced.

/// Reading and writing the profile projection's snapshot.
public enum ProjectionSnapshot {
    static let magic = Array("DCHPROJ1".utf8)
    /// The body format written by this code.
    public static let version: UInt64 = 10
    static let headerBytes = 64
    /// The sections, in file order.
    enum Section: Int, CaseIterable {
        case summary, identity, symbols, profiles, lookup, dependents, dashboard

        /// How the section is stored: 0 raw, 1 one zstd frame, 2 blocked.
        var encoding: UInt64 {
            switch self {
            case .summary: 0
            case .identity, .dependents, .dashboard: 1
            case .symbols, .profiles, .lookup: 2
            }
        }
    }
    static let sectionCount = Section.allCases.count
    /// Largest section accepted when reading (a damaged length cannot make us allocate more).
    static let maxSection = 8 << 30

    /// The file name inside `DataDirectory.snapshotsPath`.
    public static let fileName = "profiles.snap"

    /// Writes `projection` atomically to `directory/profiles.snap`, with the proof that it belongs to `log`, and
    /// records the as-of checkpoint policy's copy (Checkpoints.swift). Equivalent to `projection.snapshotSections`
    /// (on the thread that owns the projection) followed by `write(_: SnapshotSections, …)`, then the checkpoint.
    /// - Parameters:
    ///   - log: the data directory whose log the projection was built from.
    ///   - dependents: the state of views composed over the profiles at the same offset (the segment
    ///     projection's), restored with them; nil when the writer keeps none (such views then replay).
    /// - Throws: when the log no longer holds the projection's offsets (it was cut or replaced meanwhile).
    public static func write(_ projection: ProfileProjection, settingsHash: UInt64, directory: String,
                             log: DataDirectory, dependents: [UInt8]? = nil) throws {
        try write(projection.snapshotSections(dependents: dependents), settingsHash: settingsHash, directory: directory, log: log)
        if Checkpoints.record(snapshot: directory + "/" + fileName, offset: projection.nextOffset, settingsHash: settingsHash,
                              config: projection.config, frameTimes: projection.frameTimes, log: log, directory: directory) {
            projection.forgetListedFrameTimes()
        }
    }

    /// Compresses `sections` and writes them atomically to `directory/profiles.snap` with the proof that they
    /// belong to `log`. Touches no projection, so it may run on another thread than the one that made them.
    /// - Throws: when the log no longer holds the sections' offsets, or the file cannot be written.
    public static func write(_ sections: SnapshotSections, settingsHash: UInt64, directory: String, log: DataDirectory) throws {
        let proof = try SnapshotProof.of(log: log.logPath, offset: sections.offset)
        let parts = sections.encoded(settingsHash: settingsHash, proof: proof)
        // The data directory exists (it holds the log); a `snapshots` that is not a directory fails below with ENOTDIR.
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw StoreError.system("cannot create snapshot directory \(directory)", path: directory, errno: errno)
        }
        try AtomicFile.write(parts, to: directory + "/" + fileName, directory: directory)
    }

    /// Why a snapshot was not used, for the notice users see; nil when it was used.
    public enum Outcome {
        case loaded(ProfileProjection)
        case ignored(String)
    }

    /// The offset of the snapshot in `directory` when its header is intact, of this format, built under
    /// `settingsHash` and proven to belong to the log `reader` reads; nil otherwise. Maps the file and reads its
    /// header only: `read` may still find a section damaged.
    public static func offset(directory: String, settingsHash: UInt64, proving reader: EventReader) -> UInt64? {
        guard case .opened(let file) = SnapshotFile.open(directory: directory, name: fileName, settingsHash: settingsHash,
                                                          proving: reader) else { return nil }
        return file.offset
    }

    /// Reads the snapshot in `directory`, if any, valid, of this format, built under `settingsHash` and proven to
    /// belong to the log `reader` reads (the frame holding its last offset has the recorded base and checksum).
    /// Every section's (and block's) hash is checked; symbols and aggregates are decoded on first use.
    /// - Parameters:
    ///   - name: the file in `directory` (an as-of checkpoint's, docs/profile.md "Checkpoints").
    ///   - asOf: the event-time bound of the view restored (a checkpoint serving an as-of query); nil for the present.
    public static func read(directory: String, name: String = fileName, settingsHash: UInt64, rules: IdentityRules,
                            config: ProfileConfig, asOf: Int64? = nil, proving reader: EventReader) -> Outcome {
        let file: SnapshotFile
        switch SnapshotFile.open(directory: directory, name: name, settingsHash: settingsHash, proving: reader) {
        case .ignored(let why): return .ignored(why)
        case .opened(let f): file = f
        }
        let path = file.path
        do {
            for section in Section.allCases {
                guard file.isIntact(section) else { return .ignored("snapshot \(path) fails its checksum") }
            }
            let symbols = try file.blocks(.symbols), profiles = try file.blocks(.profiles), lookup = try file.blocks(.lookup)
            for blocks in [symbols, profiles, lookup] {
                guard (0..<blocks.count).allSatisfy(blocks.isIntact) else { return .ignored("snapshot \(path) fails its checksum") }
            }
            let summary = try SnapshotSummary(file.section(.summary))
            guard summary.nextOffset == file.offset else { return .ignored("snapshot \(path) is inconsistent (offset)") }
            let identity = try file.decompressedAligned(.identity)
            let projection = ProfileProjection(rules: rules, config: config, asOf: asOf)
            var r = SnapshotReader(identity.bytes)
            let nodeCount = try projection.graph.read(from: &r, mapping: identity)
            guard r.isAtEnd else { throw SnapshotError("bytes after the identity graph") }
            let lazy = try projection.restore(summary, profiles: profiles, nodeCount: nodeCount)
            let dependents = try ZstdBlob.decompress(file.section(.dependents), limit: maxSection, path: path)
            if !dependents.isEmpty { projection.dependentState = dependents }
            let dashboard = try ZstdBlob.decompress(file.section(.dashboard), limit: maxSection, path: path)
            try projection.dashboard.read(dashboard)
            projection.pending = PendingSections(file: file.file, symbols: symbols, aggregates: lazy, path: path)
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
}

/// A whole file mapped private, or a decompressed section in memory of its own: what columns used in place point
/// into, kept alive by them; unmapped or freed when released.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let owned: Bool

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
        owned = false
    }

    /// `count` bytes of memory of its own, 16-byte aligned (so columns can be used in place), filled by `fill`.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        do { try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])) } catch { buffer.deallocate(); throw error }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
        owned = true
    }

    deinit {
        if owned { UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate() }
        else { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
    }
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
