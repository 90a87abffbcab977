import Daicho

// The identity graph's part of a snapshot (docs/profile.md "Snapshots", section 1): its per-profile arrays as
// they are in memory, 16-byte aligned, so the decompressed section is used in place (Column.swift). The nodes
// (values, kinds, offsets that attached them) are in the profile records (ProfileRecord.swift), which a query
// needs anyway: a full restore rebuilds the node arrays from there, the lists of each profile's nodes, and the
// node hash table (hashing every node again, in node order).

extension IdentityGraph {
    /// Writes the graph but its nodes: the node count, profiles and the sparse per-profile extras (by profile number).
    func write(to w: inout SnapshotWriter) {
        w.count(nodeKind.count)
        w.column(idHash)
        w.column(birthOffset)
        w.column(counts)
        w.column(forward)
        w.column(conflictCount)
        w.column(personalPhoneCount)
        w.count(mergedIDs.count)
        for p in mergedIDs.keys.sorted() { w.u64(UInt64(p)); w.array(mergedIDs[p]!) }
        w.count(recentConflicts.count)
        for p in recentConflicts.keys.sorted() {
            w.u64(UInt64(p))
            w.count(recentConflicts[p]!.count)
            for c in recentConflicts[p]! { w.u64(c.offset); w.array(c.kinds) }
        }
        w.count(liveProfiles)
        w.count(conflicts)
        w.count(merges)
        for n in refused { w.count(n) }
        w.count(unattributedEvents)
    }

    /// Restores a graph written by `write(to:)` into this empty graph, checking that every index is in range.
    /// The nodes come next, from the profile records (`RestoredNodes`, `install`).
    /// - Returns: the number of nodes the graph had.
    func read(from r: inout SnapshotReader, mapping: MappedFile) throws(SnapshotError) -> Int {
        precondition(MemoryLayout<NodeSlot>.stride == 16 && MemoryLayout<NodeSlot>.offset(of: \.kind) == 14,
                     "NodeSlot layout changed: bump ProjectionSnapshot.version")
        let nodes = Int(clamping: try r.varint())
        guard nodes < Int(Self.none) else { throw SnapshotError("identity nodes damaged") }
        idHash = try r.column(of: UInt64.self, in: mapping)
        birthOffset = try r.column(of: UInt64.self, in: mapping)
        counts = try r.column(of: UInt128.self, in: mapping)
        forward = try r.column(of: UInt32.self, in: mapping)
        conflictCount = try r.column(of: UInt32.self, in: mapping)
        personalPhoneCount = try r.column(of: UInt8.self, in: mapping)
        let profiles = idHash.count
        guard birthOffset.count == profiles, counts.count == profiles, forward.count == profiles,
              conflictCount.count == profiles, personalPhoneCount.count == profiles,
              forward.allSatisfy({ $0 == Self.none || Int($0) < profiles })
        else { throw SnapshotError("identity profiles damaged") }
        for _ in 0..<(try r.count(minimumBytes: 9)) {
            let p = try r.u64()
            guard p < UInt64(profiles) else { throw SnapshotError("identity merged ids damaged") }
            mergedIDs[UInt32(p)] = try r.array(of: UInt64.self)
        }
        for _ in 0..<(try r.count(minimumBytes: 9)) {
            let p = try r.u64()
            guard p < UInt64(profiles) else { throw SnapshotError("identity conflicts damaged") }
            var recent: [(offset: UInt64, kinds: [UInt8])] = []
            for _ in 0..<(try r.count(minimumBytes: 9)) { recent.append((try r.u64(), try r.array(of: UInt8.self))) }
            recentConflicts[UInt32(p)] = recent
        }
        // Counters, not counts of items that follow: the section may end right after them.
        liveProfiles = Int(clamping: try r.varint())
        conflicts = Int(clamping: try r.varint())
        merges = Int(clamping: try r.varint())
        for i in refused.indices { refused[i] = Int(clamping: try r.varint()) }
        unattributedEvents = Int(clamping: try r.varint())
        return nodes
    }

    /// Installs the nodes gathered from the profile records: the node arrays in node order, each profile's list
    /// in record order (the order inside a list is not observable: every reader sorts or counts), and the node
    /// hash table, hashing every node again in node order.
    /// - Throws: when a node is missing (a damaged snapshot).
    func install(_ gathered: RestoredNodes) throws(SnapshotError) {
        let nodes = gathered.kind.count
        let profiles = idHash.count
        arena = Column(capacity: gathered.values.count)
        nodeEnd = Column(capacity: nodes)
        nodeKind = Column(capacity: nodes)
        nodeLinkedAt = Column(capacity: nodes)
        nodeNext = Column(repeating: Self.none, count: nodes)
        firstNode = Column(repeating: Self.none, count: profiles)
        lastNode = Column(repeating: Self.none, count: profiles)
        var size = 1 << 10
        while nodes * 2 > size { size *= 2 }
        let table = Column(repeating: NodeSlot.empty, count: size)
        let mask = size - 1
        gathered.values.withUnsafeBytes { values in
            for i in 0..<nodes {
                let range = gathered.value[i]
                let value = UnsafeRawBufferPointer(rebasing: values[range])
                let start = arena.count
                arena.append(contentsOf: value)
                nodeEnd.append(UInt32(arena.count))
                nodeKind.append(gathered.kind[i])
                nodeLinkedAt.append(gathered.linkedAt[i])
                let tag = UInt32(truncatingIfNeeded: Self.hash(kind: gathered.kind[i], value: value) >> 32)
                var s = Int(tag) & mask
                while table[s].profile != 0 { s = (s + 1) & mask }
                table[s] = NodeSlot(tag: tag, profile: gathered.owner[i] + 1, start: UInt32(start), length: UInt16(range.count),
                                    kind: gathered.kind[i])
            }
        }
        slots = table
        for n in gathered.order {
            let p = Int(gathered.owner[Int(n)])
            if lastNode[p] == Self.none { firstNode[p] = n } else { nodeNext[Int(lastNode[p])] = n }
            lastNode[p] = n
        }
    }

    /// Calls `body` with the kind and normalized value of each identifier of `p` (list order; the bytes are valid
    /// during the call).
    func forEachIdentifier(of p: UInt32, _ body: (UInt8, UnsafeRawBufferPointer) -> Void) {
        var n = firstNode[Int(p)]
        while n != Self.none {
            let i = Int(n)
            let start = i == 0 ? 0 : Int(nodeEnd[i - 1])
            body(nodeKind[i], UnsafeRawBufferPointer(start: arena.base + start, count: Int(nodeEnd[i]) - start))
            n = nodeNext[i]
        }
    }
}

/// The identity graph's nodes as a full restore reads them from the profile records, in any order, for
/// `IdentityGraph.install`.
struct RestoredNodes {
    var kind: [UInt8]
    var linkedAt: [UInt64]
    var owner: [UInt32]
    var value: [Range<Int>]
    var values: [UInt8] = []
    /// Node numbers in the order read (each profile's, profile after profile).
    var order: [UInt32] = []

    init(count: Int) {
        kind = Array(repeating: 0, count: count)
        linkedAt = Array(repeating: 0, count: count)
        owner = Array(repeating: IdentityGraph.none, count: count)
        value = Array(repeating: 0..<0, count: count)
        order.reserveCapacity(count)
    }

    /// Notes node `n` of living profile `p`.
    /// - Throws: when `n` is out of range, seen twice or its value too long for the node table.
    mutating func add(_ n: UInt32, profile p: UInt32, kind k: UInt8, value v: UnsafeRawBufferPointer, linkedAt at: UInt64) throws(SnapshotError) {
        guard Int(n) < owner.count, owner[Int(n)] == IdentityGraph.none, v.count <= Int(UInt16.max) else {
            throw SnapshotError("identity node \(n) damaged")
        }
        owner[Int(n)] = p
        kind[Int(n)] = k
        linkedAt[Int(n)] = at
        value[Int(n)] = values.count..<(values.count + v.count)
        values.append(contentsOf: v)
        order.append(n)
    }

    /// Whether every node was seen.
    var isComplete: Bool { order.count == owner.count }
}
