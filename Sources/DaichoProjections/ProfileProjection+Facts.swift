import Daicho

// Typed reads of one profile's fields in place, for views that read a few fields per event (segment rules,
// docs/segments.md "Evaluation interface"): no copy of the profile's aggregates per read or per event. The reads
// go through `AggregateColumn`'s address accessor, in place (reading out of an `Array` copied the whole value, a
// retain per section box, in perf).

extension ProfileProjection {
    /// The value of `fact` for profile `p` at `now` (`ProfileAggregates.fact` with this projection's config).
    public func fact(_ fact: ProfileFact, of p: UInt32, now: Int64) -> FactValue {
        if pending != nil { loadPending() }
        load(Int(p))
        return ProfileAggregates.fact(fact, of: aggregates.pointer(to: Int(p)), now: now, config: config)
    }

    /// The value at `path` inside trait `key` of profile `p` (`ProfileAggregates.nestedTrait`).
    public func nestedTrait(_ key: Symbol, path: [String], of p: UInt32) -> JSONValue? {
        if pending != nil { loadPending() }
        load(Int(p))
        return aggregates[Int(p)].nestedTrait(key, path: path, table: symbols)
    }

    /// Whether events from source `channel` reached profile `p`.
    public func hasChannel(_ channel: Symbol, of p: UInt32) -> Bool {
        if pending != nil { loadPending() }
        load(Int(p))
        return aggregates[Int(p)].hasChannel(channel)
    }

    /// Number of distinct sources of profile `p`.
    public func channelCount(of p: UInt32) -> Int {
        if pending != nil { loadPending() }
        load(Int(p))
        return aggregates[Int(p)].channelCount
    }
}
