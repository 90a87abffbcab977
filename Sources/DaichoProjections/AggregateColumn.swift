/// The per-profile `ProfileAggregates` of a projection, in one buffer it alone owns.
///
/// Unlike an `Array`, applying an event to a profile (`column[p].apply(...)`) mutates the element in place with no
/// copy-on-write check of the buffer and no retain of it: the column is never shared (values read out are copies,
/// whose sections stay copy-on-write boxes). Not thread-safe: owned by one projection.
final class AggregateColumn {
    private var base: UnsafeMutablePointer<ProfileAggregates>
    private(set) var count = 0
    private(set) var capacity: Int

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var indices: Range<Int> { 0..<count }

    @inline(__always)
    subscript(i: Int) -> ProfileAggregates {
        unsafeAddress {
            precondition(i >= 0 && i < count, "profile index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "profile index out of range")
            return base + i
        }
    }

    /// Element `i` in place, for reading it without a copy (a copy retains every section of the profile).
    /// Valid until the column next grows or resets.
    @inline(__always)
    func pointer(to i: Int) -> UnsafePointer<ProfileAggregates> {
        precondition(i >= 0 && i < count, "profile index out of range")
        return UnsafePointer(base + i)
    }

    /// Appends empty aggregates until there are `n`.
    func grow(to n: Int) {
        guard n > count else { return }
        if n > capacity {
            let newCapacity = max(n, capacity + capacity / 2) // by half, as `Column`
            let fresh = UnsafeMutablePointer<ProfileAggregates>.allocate(capacity: newCapacity)
            fresh.moveInitialize(from: base, count: count)
            base.deallocate()
            base = fresh
            capacity = newCapacity
        }
        (base + count).initialize(repeating: ProfileAggregates(), count: n - count)
        count = n
    }

    /// Replaces every element with `n` empty aggregates.
    func reset(count n: Int) {
        base.deinitialize(count: count)
        count = 0
        grow(to: n)
    }

    /// Bytes of the buffer and of every element's sections (for the memory report).
    var memoryBytes: Int {
        var bytes = capacity * MemoryLayout<ProfileAggregates>.stride
        for i in indices { bytes += base[i].memoryBytes - MemoryLayout<ProfileAggregates>.size }
        return bytes
    }
}
