import Daicho

extension IdentityGraph {
    /// Writes the graph: nodes (keys, kinds, profiles) and profiles with their bookkeeping.
    func write(to w: inout SnapshotWriter) {
        nodeKeys.write(to: &w)
        w.array(nodeKind)
        w.array(nodeProfile)
        w.count(profiles.count)
        for p in profiles {
            w.u64(p.idHash)
            w.u64(p.birthOffset)
            w.u64(UInt64(truncatingIfNeeded: p.counts))
            w.u64(UInt64(truncatingIfNeeded: p.counts >> 64))
            w.array(p.nodes)
            w.array(p.linkedAt)
            w.array(p.mergedIDs)
            w.count(p.conflicts)
            w.count(p.recentConflicts.count)
            for c in p.recentConflicts { w.u64(c.offset); w.array(c.kinds) }
            w.u64(UInt64(p.forward))
        }
        w.count(liveProfiles)
        w.count(conflicts)
        w.count(merges)
    }

    /// Restores a graph written by `write(to:)` into this empty graph.
    func read(from r: inout SnapshotReader) throws(SnapshotError) {
        try nodeKeys.read(from: &r)
        let kinds = try r.array(of: UInt8.self)
        let owners = try r.array(of: UInt32.self)
        guard kinds.count == nodeKeys.count, owners.count == nodeKeys.count else { throw SnapshotError("identity nodes damaged") }
        let n = try r.count(minimumBytes: 24)
        var restored: [Profile] = []
        restored.reserveCapacity(n)
        for _ in 0..<n {
            let idHash = try r.u64(), birth = try r.u64()
            let low = try r.u64(), high = try r.u64()
            var p = Profile(idHash: idHash, birthOffset: birth, nodes: try r.array(of: UInt32.self), linkedAt: [])
            p.counts = UInt128(high) << 64 | UInt128(low)
            p.linkedAt = try r.array(of: UInt64.self)
            p.mergedIDs = try r.array(of: UInt64.self)
            p.conflicts = try r.count(minimumBytes: 0)
            for _ in 0..<(try r.count(minimumBytes: 9)) { p.recentConflicts.append((try r.u64(), try r.array(of: UInt8.self))) }
            let forward = try r.u64()
            guard forward <= UInt64(UInt32.max), p.nodes.allSatisfy({ Int($0) < kinds.count }) else { throw SnapshotError("identity profile damaged") }
            p.forward = UInt32(forward)
            restored.append(p)
        }
        guard owners.allSatisfy({ Int($0) < restored.count }) else { throw SnapshotError("identity nodes point past the profiles") }
        restore(nodeKind: kinds, nodeProfile: owners, profiles: restored,
                live: try r.count(minimumBytes: 0), conflicts: try r.count(minimumBytes: 0), merges: try r.count(minimumBytes: 0))
    }
}
