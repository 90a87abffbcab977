// The set of event-id fingerprints that makes ingest idempotent. See docs/ingest.md "Deduplication".

/// A compact set of 64-bit fingerprints (XXH64 of event ids): open addressing with linear probing,
/// the load factor kept between 0.53 and 0.8 (growth ×1.5), so 10–15 bytes per id.
/// docs/ingest.md gives the collision odds. 0 marks an empty slot; the fingerprint 0 is stored as 1.
public struct DedupSet: Sendable {
    private var slots: [UInt64]
    /// Number of fingerprints held.
    public private(set) var count = 0

    /// Creates a set sized for `capacity` fingerprints without growing.
    public init(capacity: Int = 1024) {
        slots = Array(repeating: 0, count: max(16, capacity * 5 / 4 + 1))
    }

    /// A set from a table `withSlots` gave (`DedupFile`); nil when the table breaks the set's invariants: fewer
    /// than 16 slots, a load above 0.8, or a `count` other than its occupied slots.
    init?(slots: [UInt64], count: Int) {
        guard slots.count >= 16, count >= 0, count * 5 <= slots.count * 4 else { return nil }
        var occupied = 0
        for s in slots where s != 0 { occupied += 1 }
        guard occupied == count else { return nil }
        self.slots = slots
        self.count = count
    }

    /// Calls `body` with the table's bytes: the slots in order, where `home` and linear probing placed each
    /// fingerprint (`DedupFile` stores them verbatim).
    func withSlotBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try slots.withUnsafeBytes(body) }

    /// Number of slots in the table.
    var slotCount: Int { slots.count }

    /// Bytes of memory held by the table.
    public var memoryBytes: Int { slots.count * 8 }

    /// The home slot of a fingerprint: fingerprints are uniform, so a multiply-shift maps them onto any size.
    @inline(__always)
    private static func home(_ f: UInt64, _ size: Int) -> Int {
        Int(truncatingIfNeeded: f.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// Adds `fingerprint`; returns false when it was already present (a duplicate).
    /// - Complexity: amortised O(1).
    @inline(__always)
    public mutating func insert(_ fingerprint: UInt64) -> Bool {
        let f = fingerprint == 0 ? 1 : fingerprint
        let size = slots.count
        var i = Self.home(f, size)
        while true {
            let s = slots[i]
            if s == f { return false }
            if s == 0 { break }
            i += 1
            if i == size { i = 0 }
        }
        slots[i] = f
        count += 1
        if count * 5 > size * 4 { grow() }
        return true
    }

    /// True when `fingerprint` is present.
    public func contains(_ fingerprint: UInt64) -> Bool {
        let f = fingerprint == 0 ? 1 : fingerprint
        let size = slots.count
        var i = Self.home(f, size)
        while true {
            let s = slots[i]
            if s == f { return true }
            if s == 0 { return false }
            i += 1
            if i == size { i = 0 }
        }
    }

    private mutating func grow() {
        let old = slots
        let size = old.count * 3 / 2
        slots = Array(repeating: 0, count: size)
        for f in old where f != 0 {
            var i = Self.home(f, size)
            while slots[i] != 0 {
                i += 1
                if i == size { i = 0 }
            }
            slots[i] = f
        }
    }
}
