import CPrefetch

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

    /// Hints the CPU to fetch element `i` (72 bytes, so up to two cache lines) ahead of its use. A no-op for an
    /// index not in the column (a profile born later, or unattributed).
    @inline(__always)
    func prefetch(_ i: Int) {
        guard i < count else { return }
        let slot = UnsafeRawPointer(base + i)
        daicho_prefetch(slot)
        daicho_prefetch(slot + (MemoryLayout<ProfileAggregates>.stride - 1))
    }

    /// Hints the CPU to fetch the section that an event with `props` updates in element `i`, if the profile has
    /// one. Reads the section's reference as bits, without retaining it: a stale or absent reference only makes
    /// the hint useless, never wrong. Call it after `prefetch(i)` has had time to bring the element in.
    @inline(__always)
    func prefetchSection(_ i: Int, for props: AggregateProps) {
        guard i < count else { return }
        let field: Int
        switch props {
        case .pageView: field = Self.webOffset
        case .purchase: field = Self.commerceOffset
        case .inquiry: field = Self.supportOffset
        case .socialMention: field = Self.socialOffset
        case .none: return
        }
        let bits = UnsafeRawPointer(base + i).load(fromByteOffset: field, as: UInt.self)
        guard let box = UnsafeRawPointer(bitPattern: bits) else { return }
        daicho_prefetch(box + 16) // the object header, then the section's first fields
        daicho_prefetch(box + 80)
    }

    /// Hints the CPU to fetch every section of element `i` and its traits' storage, for a reader of the whole
    /// profile (the snapshot writer) some profiles ahead.
    @inline(__always)
    func prefetchSections(_ i: Int) {
        guard i < count else { return }
        let slot = UnsafeRawPointer(base + i)
        @inline(__always) func object(at field: Int) {
            if let object = UnsafeRawPointer(bitPattern: slot.load(fromByteOffset: field, as: UInt.self)) {
                daicho_prefetch(object + 16)
            }
        }
        object(at: Self.traitsOffset)
        object(at: Self.webOffset)
        object(at: Self.commerceOffset)
        object(at: Self.supportOffset)
        object(at: Self.socialOffset)
    }

    private static let traitsOffset = MemoryLayout<ProfileAggregates>.offset(of: \.traits)!
    private static let webOffset = MemoryLayout<ProfileAggregates>.offset(of: \.web)!
    private static let commerceOffset = MemoryLayout<ProfileAggregates>.offset(of: \.commerce)!
    private static let supportOffset = MemoryLayout<ProfileAggregates>.offset(of: \.support)!
    private static let socialOffset = MemoryLayout<ProfileAggregates>.offset(of: \.social)!

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
