import Daicho

// The identity graph's part of a snapshot (docs/profile.md "Snapshots", section 1): its arrays as they are in
// memory, 16-byte aligned, so the decompressed section is used in place (Column.swift). The node hash table is
// not stored (it was a third of the file): a full restore hashes every node again, in node order.

extension IdentityGraph {
    /// Writes the graph: nodes, the node table, profiles and the sparse per-profile extras (by profile number).
    func write(to w: inout SnapshotWriter) {
        w.column(arena)
        w.column(nodeEnd)
        w.column(nodeKind)
        w.column(nodeNext)
        w.column(nodeLinkedAt)
        w.column(idHash)
        w.column(birthOffset)
        w.column(counts)
        w.column(firstNode)
        w.column(lastNode)
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
    func read(from r: inout SnapshotReader, mapping: MappedFile) throws(SnapshotError) {
        precondition(MemoryLayout<NodeSlot>.stride == 16 && MemoryLayout<NodeSlot>.offset(of: \.kind) == 14,
                     "NodeSlot layout changed: bump ProjectionSnapshot.version")
        arena = try r.column(of: UInt8.self, in: mapping)
        nodeEnd = try r.column(of: UInt32.self, in: mapping)
        nodeKind = try r.column(of: UInt8.self, in: mapping)
        nodeNext = try r.column(of: UInt32.self, in: mapping)
        nodeLinkedAt = try r.column(of: UInt64.self, in: mapping)
        idHash = try r.column(of: UInt64.self, in: mapping)
        birthOffset = try r.column(of: UInt64.self, in: mapping)
        counts = try r.column(of: UInt128.self, in: mapping)
        firstNode = try r.column(of: UInt32.self, in: mapping)
        lastNode = try r.column(of: UInt32.self, in: mapping)
        forward = try r.column(of: UInt32.self, in: mapping)
        conflictCount = try r.column(of: UInt32.self, in: mapping)
        personalPhoneCount = try r.column(of: UInt8.self, in: mapping)
        let nodes = nodeKind.count, profiles = idHash.count
        guard nodeEnd.count == nodes, nodeNext.count == nodes, nodeLinkedAt.count == nodes,
              nodeEnd.last.map({ Int($0) == arena.count }) ?? (arena.count == 0),
              zip(nodeEnd.buffer, nodeEnd.buffer.dropFirst()).allSatisfy({ $0 <= $1 }),
              nodeNext.allSatisfy({ $0 == Self.none || Int($0) < nodes })
        else { throw SnapshotError("identity nodes damaged") }
        guard birthOffset.count == profiles, counts.count == profiles, firstNode.count == profiles,
              lastNode.count == profiles, forward.count == profiles, conflictCount.count == profiles,
              personalPhoneCount.count == profiles,
              firstNode.allSatisfy({ $0 == Self.none || Int($0) < nodes }),
              lastNode.allSatisfy({ $0 == Self.none || Int($0) < nodes }),
              forward.allSatisfy({ $0 == Self.none || Int($0) < profiles })
        else { throw SnapshotError("identity profiles damaged") }
        try rebuildNodeTable()
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
    }

    /// Hashes every node into a new node table, in node order, each under the profile whose list holds it.
    /// - Throws: when a node is in no profile's list, or in two (a damaged graph).
    private func rebuildNodeTable() throws(SnapshotError) {
        let nodes = nodeKind.count
        var owner = [UInt32](repeating: Self.none, count: nodes)
        for p in 0..<idHash.count {
            var n = firstNode[p], seen = 0
            while n != Self.none {
                guard owner[Int(n)] == Self.none, seen < nodes else { throw SnapshotError("identity node lists damaged") }
                owner[Int(n)] = UInt32(p)
                seen += 1
                n = nodeNext[Int(n)]
            }
        }
        var size = 1 << 10
        while nodes * 2 > size { size *= 2 }
        let table = Column(repeating: NodeSlot.empty, count: size)
        let mask = size - 1
        var start = 0
        for i in 0..<nodes {
            guard owner[i] != Self.none else { throw SnapshotError("identity node \(i) belongs to no profile") }
            let end = Int(nodeEnd[i])
            guard end - start <= Int(UInt16.max) else { throw SnapshotError("identity node \(i) too long") }
            let hash = Self.hash(kind: nodeKind[i], value: UnsafeRawBufferPointer(start: arena.base + start, count: end - start))
            let tag = UInt32(truncatingIfNeeded: hash >> 32)
            var s = Int(tag) & mask
            while table[s].profile != 0 { s = (s + 1) & mask }
            table[s] = NodeSlot(tag: tag, profile: owner[i] + 1, start: UInt32(start), length: UInt16(end - start), kind: nodeKind[i])
            start = end
        }
        slots = table
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
