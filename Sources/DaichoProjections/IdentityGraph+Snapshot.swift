import Daicho

// The identity graph's part of a snapshot (docs/profile.md "Snapshots"): its arrays as they are in memory,
// so loading is a handful of copies. The node hash table is stored too (16-byte slots: tag u32, node + 1 u32,
// arena start u32, length u16, kind u8, reserved u8, little-endian), so loading never re-hashes.

extension IdentityGraph {
    /// Writes the graph: nodes, the node table, profiles and the sparse per-profile extras (by profile number).
    func write(to w: inout SnapshotWriter) {
        arena.withUnsafeBytes { w.data($0) }
        w.array(nodeEnd)
        w.array(nodeKind)
        w.array(nodeProfile)
        w.array(nodeNext)
        w.array(nodeLinkedAt)
        w.rawArray(slots)
        w.array(idHash)
        w.array(birthOffset)
        w.array(counts)
        w.array(firstNode)
        w.array(lastNode)
        w.array(forward)
        w.array(conflictCount)
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
    }

    /// Restores a graph written by `write(to:)` into this empty graph, checking that every index is in range.
    func read(from r: inout SnapshotReader) throws(SnapshotError) {
        precondition(MemoryLayout<NodeSlot>.stride == 16 && MemoryLayout<NodeSlot>.offset(of: \.kind) == 14,
                     "NodeSlot layout changed: bump ProjectionSnapshot.version")
        arena = Array(try r.data())
        nodeEnd = try r.array(of: UInt32.self)
        nodeKind = try r.array(of: UInt8.self)
        nodeProfile = try r.array(of: UInt32.self)
        nodeNext = try r.array(of: UInt32.self)
        nodeLinkedAt = try r.array(of: UInt64.self)
        slots = try r.rawArray(of: NodeSlot.self)
        idHash = try r.array(of: UInt64.self)
        birthOffset = try r.array(of: UInt64.self)
        counts = try r.array(of: UInt128.self)
        firstNode = try r.array(of: UInt32.self)
        lastNode = try r.array(of: UInt32.self)
        forward = try r.array(of: UInt32.self)
        conflictCount = try r.array(of: UInt32.self)
        let nodes = nodeKind.count, profiles = idHash.count
        guard nodeEnd.count == nodes, nodeProfile.count == nodes, nodeNext.count == nodes, nodeLinkedAt.count == nodes,
              nodeEnd.last.map({ Int($0) == arena.count }) ?? arena.isEmpty,
              zip(nodeEnd, nodeEnd.dropFirst()).allSatisfy({ $0 <= $1 }),
              nodeProfile.allSatisfy({ Int($0) < profiles }),
              nodeNext.allSatisfy({ $0 == Self.none || Int($0) < nodes })
        else { throw SnapshotError("identity nodes damaged") }
        guard slots.count >= 16, slots.count & (slots.count - 1) == 0, nodes * 2 <= slots.count,
              slots.allSatisfy({ Int($0.node) <= nodes && Int($0.start) + Int($0.length) <= arena.count })
        else { throw SnapshotError("identity node table damaged") }
        guard birthOffset.count == profiles, counts.count == profiles, firstNode.count == profiles,
              lastNode.count == profiles, forward.count == profiles, conflictCount.count == profiles,
              firstNode.allSatisfy({ $0 == Self.none || Int($0) < nodes }),
              lastNode.allSatisfy({ $0 == Self.none || Int($0) < nodes }),
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
        liveProfiles = try r.count(minimumBytes: 0)
        conflicts = try r.count(minimumBytes: 0)
        merges = try r.count(minimumBytes: 0)
    }
}
