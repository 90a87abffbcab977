import Daicho

extension ProfileProjection {
    /// Per trait key of profile `p`, the offset of the `identify` event that set the key's current value
    /// (docs/profile.md `traits`: the latest by event time, ties by offset), ordered by key.
    /// - Complexity: O(traits of `p`).
    public func traitOffsets(of p: UInt32) -> [(key: String, offset: UInt64)] {
        let traits = aggregates(of: p).traits
        return traits.map { (symbols.string($0.key), $0.offset) }.sorted { $0.key < $1.key }
    }
}
