import Foundation

// The per-batch string dictionary of the batch encoding. See docs/event-encoding.md "ref".

/// Maps byte strings to refs: static entries keep their fixed ref, new strings get `S + i` in order of
/// first appearance. Reset between batches; static entries stay.
/// - Complexity: amortised O(length) per `ref(for:)`, no allocation once warmed up.
struct StringInterner {
    /// Dynamic entries' bytes, concatenated, and each entry's end offset in `blob`.
    private(set) var blob: [UInt8] = []
    private(set) var ends: [UInt32] = []
    /// Open-addressing slots: 0 empty, else ref + 1. Power-of-two capacity.
    private var slots: [UInt32]
    private var hashes: [UInt64]
    private var mask: Int
    private var dynamicSlots: [Int] = []

    init() {
        slots = Array(repeating: 0, count: 1024)
        hashes = Array(repeating: 0, count: 1024)
        mask = 1023
        for (i, s) in StaticStrings.utf8.enumerated() where i > 0 {
            s.withUnsafeBytes { _ = insertNew(bytes: $0, ref: UInt32(i), isStatic: true) }
        }
    }

    var dynamicCount: Int { ends.count }

    /// Removes the dynamic entries, keeping capacity.
    mutating func reset() {
        for s in dynamicSlots { slots[s] = 0 }
        dynamicSlots.removeAll(keepingCapacity: true)
        blob.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// The ref for `bytes`, adding a dynamic entry when new.
    mutating func ref(for bytes: UnsafeRawBufferPointer) -> UInt32 {
        let h = XXHash64.hash(bytes)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if hashes[i] == h && entryEquals(Int(s - 1), bytes) { return s - 1 }
            i = (i + 1) & mask
        }
        let ref = StaticStrings.count + UInt32(ends.count)
        blob.append(contentsOf: bytes)
        ends.append(UInt32(blob.count))
        place(ref: ref, hash: h, at: i, isStatic: false)
        return ref
    }

    private func entryEquals(_ ref: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if ref < StaticStrings.utf8.count { return bytesEqual(bytes, StaticStrings.utf8[ref]) }
        let d = ref - Int(StaticStrings.count)
        let start = d == 0 ? 0 : Int(ends[d - 1])
        let len = Int(ends[d]) - start
        guard len == bytes.count else { return false }
        return blob.withUnsafeBytes { b in len == 0 || memcmp(b.baseAddress! + start, bytes.baseAddress!, len) == 0 }
    }

    private mutating func insertNew(bytes: UnsafeRawBufferPointer, ref: UInt32, isStatic: Bool) -> Int {
        let h = XXHash64.hash(bytes)
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        place(ref: ref, hash: h, at: i, isStatic: isStatic)
        return i
    }

    private mutating func place(ref: UInt32, hash: UInt64, at i: Int, isStatic: Bool) {
        slots[i] = ref + 1
        hashes[i] = hash
        if !isStatic { dynamicSlots.append(i) }
        if (dynamicSlots.count + StaticStrings.utf8.count) * 2 > slots.count { grow() }
    }

    /// Doubles the table, re-placing every live entry.
    private mutating func grow() {
        let old = zip(slots, hashes).filter { $0.0 != 0 }
        let capacity = slots.count * 2
        slots = Array(repeating: 0, count: capacity)
        hashes = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        dynamicSlots.removeAll(keepingCapacity: true)
        for (s, h) in old {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = s
            hashes[i] = h
            if s - 1 >= StaticStrings.count { dynamicSlots.append(i) }
        }
    }
}
