import Foundation

// The per-batch string dictionary of the batch encoding. See docs/event-encoding.md "ref".

/// Maps byte strings to refs: static entries keep their fixed ref, new strings get `S + i` in order of
/// first appearance. Reset between batches; static entries stay.
/// - Complexity: amortised O(length) per `ref(for:)`, no allocation once warmed up.
struct StringInterner: @unchecked Sendable {
    /// The open-addressing table lives in a class so probes write through raw pointers
    /// (no copy-on-write checks on the hot path). A builder owns its interner alone.
    /// Each slot packs the high 32 bits of the entry's hash (which also pick its slot) with ref + 1 (0 = empty),
    /// so a probe touches one cache line instead of two and the table can grow without rehashing bytes.
    private final class Table {
        /// Power-of-two capacity.
        var slots: UnsafeMutablePointer<UInt64>
        var capacity: Int
        var used = 0
        /// Slots holding dynamic entries, cleared on reset.
        var dynamicSlots: [Int] = []
        /// Answers most lookups of static strings before any hashing.
        let shortStatics = ShortStaticIndex()

        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: 0, count: capacity)
        }

        deinit {
            slots.deallocate()
        }
    }

    /// The part of a hash stored in a slot and used to place it.
    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { hash >> 32 }

    /// Dynamic entries' bytes, concatenated, and each entry's end offset in `blob`.
    private(set) var blob: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private let table = Table(capacity: 1 << 12)

    init() {
        blob.reserveCapacity(1 << 20)
        ends.reserveCapacity(1 << 14)
        for (i, s) in StaticStrings.utf8.enumerated() where i > 0 {
            s.withUnsafeBytes { place(ref: UInt32(i), tag: Self.tag(XXHash64.hash($0)), isStatic: true) }
        }
    }

    var dynamicCount: Int { ends.count }

    /// Removes the dynamic entries, keeping capacity.
    mutating func reset() {
        for s in table.dynamicSlots { table.slots[s] = 0 }
        table.used -= table.dynamicSlots.count
        table.dynamicSlots.removeAll(keepingCapacity: true)
        blob.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// The ref for `bytes`, adding a dynamic entry when new.
    mutating func ref(for bytes: UnsafeRawBufferPointer) -> UInt32 {
        if let r = table.shortStatics.ref(bytes) { return r }
        let tag = Self.tag(XXHash64.hash(bytes))
        let slots = table.slots
        let mask = table.capacity &- 1
        var i = Int(truncatingIfNeeded: tag) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s >> 32 == tag && entryEquals(Int(truncatingIfNeeded: s & 0xFFFF_FFFF) &- 1, bytes) {
                return UInt32(truncatingIfNeeded: s) &- 1
            }
            i = (i &+ 1) & mask
        }
        let ref = StaticStrings.count + UInt32(ends.count)
        blob.append(contentsOf: bytes)
        ends.append(UInt32(blob.count))
        place(ref: ref, tag: tag, isStatic: false)
        return ref
    }

    private func entryEquals(_ ref: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let entry: UnsafeRawBufferPointer
        if ref < Int(StaticStrings.count) {
            entry = StaticStringStore.bytes(ref)
            guard entry.count == bytes.count else { return false }
            return entry.count == 0 || memcmp(entry.baseAddress!, bytes.baseAddress!, entry.count) == 0
        }
        let d = ref - Int(StaticStrings.count)
        let start = d == 0 ? 0 : Int(ends[d - 1])
        let len = Int(ends[d]) - start
        guard len == bytes.count else { return false }
        return blob.withUnsafeBytes { b in len == 0 || memcmp(b.baseAddress! + start, bytes.baseAddress!, len) == 0 }
    }

    /// Inserts a new entry (known to be absent), growing the table at half load.
    private func place(ref: UInt32, tag: UInt64, isStatic: Bool) {
        if (table.used + 1) * 2 > table.capacity { grow() }
        let mask = table.capacity - 1
        var i = Int(truncatingIfNeeded: tag) & mask
        while table.slots[i] != 0 { i = (i + 1) & mask }
        table.slots[i] = tag << 32 | UInt64(ref + 1)
        table.used += 1
        if !isStatic { table.dynamicSlots.append(i) }
    }

    /// Doubles the table, re-placing every live entry.
    private func grow() {
        let oldSlots = table.slots, oldCapacity = table.capacity
        let capacity = oldCapacity * 2
        table.slots = .allocate(capacity: capacity)
        table.slots.initialize(repeating: 0, count: capacity)
        table.capacity = capacity
        table.dynamicSlots.removeAll(keepingCapacity: true)
        let mask = capacity - 1
        for j in 0..<oldCapacity where oldSlots[j] != 0 {
            let s = oldSlots[j]
            var i = Int(truncatingIfNeeded: s >> 32) & mask
            while table.slots[i] != 0 { i = (i + 1) & mask }
            table.slots[i] = s
            if UInt32(truncatingIfNeeded: s) - 1 >= StaticStrings.count { table.dynamicSlots.append(i) }
        }
        oldSlots.deallocate()
    }
}
