/// The members of one segment: a bitset by profile number (the hot membership test) and each member's entry time.
struct Membership {
    private var bits: [UInt64] = []
    /// Member → when it entered (µs).
    private(set) var since: [UInt32: Int64] = [:]

    var count: Int { since.count }

    /// Makes room for `n` members (restoring a snapshot).
    mutating func reserve(_ n: Int) { since.reserveCapacity(n) }

    @inline(__always)
    func contains(_ p: UInt32) -> Bool {
        let w = Int(p >> 6)
        return w < bits.count && bits[w] & (1 << UInt64(p & 63)) != 0
    }

    mutating func insert(_ p: UInt32, since time: Int64) {
        let w = Int(p >> 6)
        if w >= bits.count { bits.append(contentsOf: repeatElement(0, count: w + 1 - bits.count)) }
        bits[w] |= 1 << UInt64(p & 63)
        since[p] = time
    }

    /// - Returns: whether `p` was a member.
    @discardableResult
    mutating func remove(_ p: UInt32) -> Bool {
        guard contains(p) else { return false }
        bits[Int(p >> 6)] &= ~(1 << UInt64(p & 63))
        since[p] = nil
        return true
    }

    /// Members in profile-number order.
    var sorted: [UInt32] { since.keys.sorted() }

    var memoryBytes: Int { bits.capacity * 8 + since.capacity * 16 }
}
