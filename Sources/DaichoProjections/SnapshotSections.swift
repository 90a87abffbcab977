import Daicho
import DaichoLog

// The sections of a profile snapshot (docs/profile.md "Snapshots"): made from a projection, encoded into the
// file's parts, and restored into a projection.

/// The plain contents of a snapshot's sections, made by `ProfileProjection.snapshotSections` on the thread that
/// owns the projection; `ProjectionSnapshot.write(_:settingsHash:directory:log:)` compresses and writes them.
public struct SnapshotSections: Equatable {
    /// The log offset they reflect (the next offset to apply).
    public let offset: UInt64
    var summary: [UInt8]
    var identity: [UInt8]
    var symbols: SnapshotBlocksBuilder
    var profiles: SnapshotBlocksBuilder
    var lookup: SnapshotBlocksBuilder
    var dependents: [UInt8]
    var dashboard: [UInt8]

    /// The file's parts: the header with its section table, then each section stored (compressed).
    func encoded(settingsHash: UInt64, proof: SnapshotProof) -> [[UInt8]] {
        typealias S = ProjectionSnapshot
        let plain: [S.Section: [UInt8]] = [.summary: summary, .identity: identity, .dependents: dependents,
                                          .dashboard: dashboard]
        let blocked: [S.Section: SnapshotBlocksBuilder] = [.symbols: symbols, .profiles: profiles, .lookup: lookup]
        var header = SnapshotWriter()
        header.bytes.append(contentsOf: S.magic)
        header.u64(S.version)
        header.u64(offset)
        header.u64(settingsHash)
        header.u64(UInt64(S.sectionCount))
        header.u64(proof.frameBase)
        header.u64(UInt64(proof.frameCRC))
        header.u64(0) // CRC, below
        var stored: [[UInt8]] = []
        for section in S.Section.allCases {
            let bytes: [UInt8], decoded: Int, hashed: [UInt8]
            switch section.encoding {
            case 0: (bytes, decoded) = (plain[section]!, plain[section]!.count); hashed = bytes
            case 1: (bytes, decoded) = (plain[section]!.withUnsafeBytes { ZstdBlob.compress($0, level: 1) }, plain[section]!.count); hashed = bytes
            default:
                let b = blocked[section]!
                bytes = b.encoded()
                decoded = b.blocks.reduce(0) { $0 + $1.count }
                hashed = Array(bytes[..<(8 + 32 * b.blocks.count)]) // the block table
            }
            header.u64(UInt64(bytes.count))
            header.u64(UInt64(decoded))
            header.u64(hashed.withUnsafeBytes { XXHash64.hash($0) })
            header.u64(section.encoding)
            stored.append(bytes)
        }
        let crc = header.bytes.withUnsafeBytes { h in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[S.headerBytes...]),
                            continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[16..<56])))
        }
        withUnsafeBytes(of: UInt64(crc).littleEndian) { header.bytes.replaceSubrange(56..<64, with: $0) }
        return [header.bytes] + stored
    }
}

/// Section 0: what a reader needs before anything else (32 bytes).
struct SnapshotSummary {
    var nextOffset: UInt64
    var appliedEvents: Int
    var internalEvents: Int
    var logClock: Int64

    init(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) {
        var r = SnapshotReader(bytes)
        nextOffset = try r.u64()
        let applied = try r.u64(), internalCount = try r.u64()
        logClock = try r.i64()
        guard r.isAtEnd, applied <= nextOffset, internalCount <= nextOffset else { throw SnapshotError("summary damaged") }
        appliedEvents = Int(applied)
        internalEvents = Int(internalCount)
    }
}

/// The lookup section's keys (docs/profile.md "Snapshots", section 4): 32 bits of a hash, so an entry is small;
/// a match is confirmed against the profile's record.
enum LookupKey {
    static func identifier(kind: UInt8, value: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(truncatingIfNeeded: IdentityGraph.hash(kind: kind, value: value) >> 32)
    }

    static func profileID(_ idHash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (idHash &* 0x9E37_79B9_7F4A_7C15) >> 32) }
}

extension ProfileProjection {
    /// The snapshot's sections as of now, uncompressed. Cheap next to compressing them (`ProjectionSnapshot.write`).
    /// - Parameter dependents: the state of views composed over the profiles (segments), nil when none is kept.
    public func snapshotSections(dependents: [UInt8]? = nil) -> SnapshotSections {
        loadPending()
        var summary = SnapshotWriter()
        summary.u64(nextOffset)
        summary.u64(UInt64(appliedEvents))
        summary.u64(UInt64(internalEvents))
        summary.i64(logClock)
        var identity = SnapshotWriter()
        graph.write(to: &identity)
        var symbolBlocks = SnapshotBlocksBuilder()
        symbols.write(to: &symbolBlocks)
        var profiles = SnapshotBlocksBuilder()
        // Lookup entries packed as key << 32 | profile: sorted as plain integers, in (key, profile) order.
        var entries: [UInt64] = []
        var record: [UInt8] = []
        let lists = ProfileEventLists(self)
        for p in 0..<UInt32(heads.count) {
            // Profiles are scattered over memory: ask for the sections and first node of one a little ahead.
            aggregates.prefetchSections(Int(p) + Self.prefetchDistance)
            graph.prefetchFirstNode(of: p + UInt32(Self.prefetchDistance))
            record.removeAll(keepingCapacity: true)
            if graph.isAlive(p) {
                ProfileRecord.write(p, of: self, events: lists.events(of: p), to: &record)
                func entry(_ key: UInt32) { entries.append(UInt64(key) << 32 | UInt64(p)) }
                entry(LookupKey.profileID(graph.idHash[Int(p)]))
                for m in graph.mergedIDs[p] ?? [] { entry(LookupKey.profileID(m)) }
                graph.forEachIdentifier(of: p) { kind, value in entry(LookupKey.identifier(kind: kind, value: value)) }
            }
            if profiles.isFull { profiles.begin(key: UInt64(p)) }
            profiles.append { out in
                AggregateWriter.varint(UInt64(record.count), &out)
                out.append(contentsOf: record)
            }
        }
        // Lookup blocks: entries sorted by key, then profile; a run of one key never straddles two blocks.
        entries.sort()
        var lookup = SnapshotBlocksBuilder()
        var previous: UInt32 = 0
        for (i, e) in entries.enumerated() {
            let key = UInt32(truncatingIfNeeded: e >> 32), profile = UInt32(truncatingIfNeeded: e)
            if lookup.isFull && (i == 0 || entries[i - 1] >> 32 != e >> 32) {
                lookup.begin(key: UInt64(key))
                previous = key
            }
            lookup.append { out in
                AggregateWriter.varint(UInt64(key - previous), &out)
                AggregateWriter.varint(UInt64(profile), &out)
            }
            previous = key
        }
        var dashboardBytes = SnapshotWriter()
        dashboard.write(to: &dashboardBytes)
        return SnapshotSections(offset: nextOffset, summary: summary.bytes, identity: identity.bytes, symbols: symbolBlocks,
                                profiles: profiles, lookup: lookup, dependents: dependents ?? [], dashboard: dashboardBytes.bytes)
    }

    /// Profile `p`'s serialized aggregates, as a snapshot stores them (the snapshot's bytes when not yet deserialized).
    func aggregatesForSnapshot(_ p: Int, into out: inout [UInt8]) {
        if let lazy, p < lazy.loaded.count, !lazy.loaded[p] { out.append(contentsOf: lazy.bytes(p)) }
        else { aggregates[p].serialize(into: &out) }
    }

    /// Restores the summary and the timeline index (rebuilt from the records' event lists) into this projection,
    /// whose graph (but its nodes) was read; returns the aggregates, to be installed on first use.
    /// The identity graph's `nodeCount` nodes are in the records too: they are installed into the graph.
    func restore(_ summary: SnapshotSummary, profiles: SnapshotBlocks, nodeCount: Int) throws -> LazyAggregates {
        var nodes = RestoredNodes(count: nodeCount)
        let next = summary.nextOffset
        guard next <= UInt64(UInt32.max) else { throw SnapshotError("summary damaged (offset)") }
        let previous = Column(repeating: Self.none, count: Int(next))
        let owners = Column(repeating: Self.none, count: Int(next))
        let profileHeads = Column<ProfileHeads>()
        var body: [UInt8] = []
        var offsets: [UInt64] = []
        var empty: [UInt8] = []
        ProfileAggregates().serialize(into: &empty)
        for i in 0..<profiles.count {
            guard profiles.entries[i].key == UInt64(profileHeads.count) else { throw SnapshotError("profile blocks out of sequence") }
            let block = try profiles.block(i)
            try block.withUnsafeBytes { b in
                for range in try ProfileRecord.ranges(in: b) {
                    let p = profileHeads.count
                    guard p < graph.profileNumbers else { throw SnapshotError("more records than profiles") }
                    offsets.append(UInt64(body.count))
                    guard !range.isEmpty else {
                        guard !graph.isAlive(UInt32(p)) else { throw SnapshotError("record of living profile \(p) missing") }
                        profileHeads.append(ProfileHeads())
                        body.append(contentsOf: empty)
                        continue
                    }
                    guard graph.isAlive(UInt32(p)) else { throw SnapshotError("record of absorbed profile \(p)") }
                    let bytes = UnsafeRawBufferPointer(rebasing: b[range])
                    let record = try ProfileRecord.read(bytes) { n, kind, value, at in
                        try nodes.add(n, profile: UInt32(p), kind: kind, value: value, linkedAt: at)
                    }
                    var heads = ProfileHeads()
                    heads.lastSource = record.lastSource
                    for o in record.events {
                        guard o < next, owners[Int(o)] == Self.none else { throw SnapshotError("timeline damaged (event \(o))") }
                        owners[Int(o)] = UInt32(p)
                        previous[Int(o)] = heads.newest
                        heads.newest = UInt32(o)
                        if heads.oldest == Self.none { heads.oldest = UInt32(o) }
                    }
                    profileHeads.append(heads)
                    body.append(contentsOf: bytes[record.aggregates])
                }
            }
        }
        offsets.append(UInt64(body.count))
        guard nodes.isComplete else { throw SnapshotError("identity nodes missing from the records") }
        try graph.install(nodes)
        restore(nextOffset: next, appliedEvents: summary.appliedEvents, internalEvents: summary.internalEvents,
                logClock: summary.logClock, previousEvent: previous, eventProfile: owners, heads: profileHeads)
        return LazyAggregates(section: body, bodyStart: 0, offsets: offsets)
    }

    /// Decodes the symbols and installs the aggregates if they are still pending. Their hashes passed when the
    /// file was opened, so a block that does not decode is a bug: it traps with the reason.
    func loadPending() {
        guard let pending else { return }
        self.pending = nil
        do {
            for i in 0..<pending.symbols.count {
                let block = try pending.symbols.block(i)
                try block.withUnsafeBytes { try symbols.read(block: $0, key: pending.symbols.entries[i].key) }
            }
            installAggregates(pending.aggregates)
        } catch {
            preconditionFailure("snapshot \(pending.path): a section that passed its checksum does not decode: \(error)")
        }
    }
}

/// What a loaded snapshot holds that is not decoded yet: the symbols, and the aggregates' bytes.
final class PendingSections {
    let file: MappedFile
    let symbols: SnapshotBlocks
    let aggregates: LazyAggregates
    let path: String

    init(file: MappedFile, symbols: SnapshotBlocks, aggregates: LazyAggregates, path: String) {
        self.file = file
        self.symbols = symbols
        self.aggregates = aggregates
        self.path = path
    }
}
