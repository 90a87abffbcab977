/// A profile's channels (the source symbols of its events), ascending and distinct.
///
/// Most profiles have one channel: it is held inline and the list allocates nothing; the others go to `rest`,
/// sized to their count. `rest` comes first so a `ProfileAggregates` field can fill the inline one's tail.
struct ChannelList: RandomAccessCollection, Equatable, Sendable {
    /// The channels after the first, ascending.
    private var rest: ContiguousArray<Symbol> = []
    /// The lowest channel's raw symbol; `UInt32.max` when there is none.
    private var lowest: UInt32 = .max

    /// No channels.
    init() {}

    var startIndex: Int { 0 }
    var endIndex: Int { lowest == .max ? 0 : 1 + rest.count }

    subscript(i: Int) -> Symbol {
        precondition(i >= 0 && i < endIndex, "channel index out of range")
        return i == 0 ? Symbol(raw: lowest) : rest[i - 1]
    }

    /// Whether `channel` is in the list.
    func contains(_ channel: Symbol) -> Bool {
        if channel.raw == lowest { return true }
        for c in rest where c == channel { return true }
        return false
    }

    /// Adds `channel` when absent.
    /// - Returns: whether it was added.
    @inline(__always)
    mutating func insert(_ channel: Symbol) -> Bool {
        if lowest == .max { lowest = channel.raw; return true }
        if contains(channel) { return false }
        var moved = channel
        if channel.raw < lowest { moved = Symbol(raw: lowest); lowest = channel.raw }
        if rest.count == rest.capacity && rest.count < exactGrowthLimit { rest.reserveCapacity(rest.count + 1) }
        var i = rest.count
        while i > 0, rest[i - 1] > moved { i -= 1 }
        rest.insert(moved, at: i)
        return true
    }

    /// Makes room for `n` channels in all, so inserting up to there does not reallocate.
    mutating func reserveCapacity(_ n: Int) {
        if n > 1 { rest.reserveCapacity(n - 1) }
    }

    /// Heap bytes (the array header and elements of `rest`), for the memory report.
    var heapBytes: Int { rest.capacity == 0 ? 0 : 32 + rest.capacity * MemoryLayout<Symbol>.stride }
}
