import Daicho

// The identity graph's part of a snapshot (docs/profile.md "Snapshots"): its arrays as they are in memory,
// 16-byte aligned, so a loaded snapshot is used in place (Column.swift). The node hash table is stored too (16-byte slots: tag u32, profile + 1 u32,
// arena start u32, length u16, kind u8, reserved u8, little-endian), so loading never re-hashes.

extension IdentityGraph {
    /// Writes the graph: nodes, the node table, profiles and the sparse per-profile extras (by profile number).
    func write(to w: inout SnapshotWriter) {
        w.column(arena)
        w.column(nodeEnd)
        w.column(nodeKind)
        w.column(nodeNext)
        w.column(nodeLinkedAt)
        w.column(slots)
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
        slots = try r.column(of: NodeSlot.self, in: mapping)
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
        guard slots.count >= 16, slots.count & (slots.count - 1) == 0, nodes * 2 <= slots.count,
              slots.allSatisfy({ Int($0.profile) <= profiles && Int($0.start) + Int($0.length) <= arena.count })
        else { throw SnapshotError("identity node table damaged") }
        guard birthOffset.count == profiles, counts.count == profiles, firstNode.count == profiles,
              lastNode.count == profiles, forward.count == profiles, conflictCount.count == profiles,
              personalPhoneCount.count == profiles,
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
        for i in refused.indices { refused[i] = try r.count(minimumBytes: 0) }
        unattributedEvents = try r.count(minimumBytes: 0)
    }
}
