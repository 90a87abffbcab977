/// Every living profile's event offsets, ascending, gathered in one pass over the log's offsets (the profile each
/// event was applied to, followed to the profile that absorbed it) instead of one walk of each profile's event
/// chain: sequential reads and a counting sort, where the chains jump across the whole timeline index. What the
/// snapshot writer lists per profile record (`ProfileRecord.write`).
struct ProfileEventLists {
    /// `offsets[starts[p]..<starts[p + 1]]` are profile `p`'s.
    private var starts: [Int]
    private var offsets: [UInt32]

    /// The lists of `projection`'s living profiles (absorbed and unattributed events' profiles list nothing).
    init(_ projection: ProfileProjection) {
        let owners = projection.eventProfile.buffer
        let graph = projection.graph
        let profiles = projection.heads.count
        var counts = [Int](repeating: 0, count: profiles + 1)
        var living = [UInt32](repeating: ProfileProjection.none, count: profiles)
        for p in 0..<profiles { living[p] = graph.living(UInt32(p)) }
        for owner in owners where owner != ProfileProjection.none { counts[Int(living[Int(owner)]) + 1] += 1 }
        for p in 0..<profiles { counts[p + 1] += counts[p] }
        starts = counts
        var next = counts
        offsets = [UInt32](repeating: 0, count: counts[profiles])
        offsets.withUnsafeMutableBufferPointer { out in
            for (o, owner) in owners.enumerated() where owner != ProfileProjection.none {
                let p = Int(living[Int(owner)])
                out[next[p]] = UInt32(o)
                next[p] += 1
            }
        }
    }

    /// Profile `p`'s event offsets, ascending.
    func events(of p: UInt32) -> ArraySlice<UInt32> { offsets[starts[Int(p)]..<starts[Int(p) + 1]] }
}
