import Foundation

/// Finds the ref of a static string of at most 16 bytes (all of them today) from its bytes alone.
/// The key is the length plus the first and last 8 bytes (overlapping), which pin down a string of at most
/// 16 bytes exactly, so a hit needs no hash of the bytes and no byte compare, and the small table stays in L1.
/// Props keys and common values are nearly all static, so most interner lookups end here.
final class ShortStaticIndex: @unchecked Sendable {
    private struct Entry {
        var first: UInt64
        var last: UInt64
        /// 0 marks an empty slot (static strings are never empty).
        var length: UInt32
        var ref: UInt32
    }

    /// A power of two, at least four times the static entries.
    private static let capacity = 256
    private let entries: UnsafeMutablePointer<Entry>

    /// The longest string this index can hold.
    static let maxLength = 16

    /// Indexes every static string of at most `maxLength` bytes (immutable afterwards).
    init() {
        entries = .allocate(capacity: Self.capacity)
        entries.initialize(repeating: Entry(first: 0, last: 0, length: 0, ref: 0), count: Self.capacity)
        precondition(StaticStrings.utf8.count * 4 <= Self.capacity, "static string table outgrew ShortStaticIndex")
        for (ref, s) in StaticStrings.utf8.enumerated() where !s.isEmpty && s.count <= Self.maxLength {
            s.withUnsafeBytes { b in
                let (first, last) = Self.words(b.baseAddress!, b.count)
                var i = Self.slot(first, last, b.count)
                while entries[i].length != 0 { i = (i + 1) & (Self.capacity - 1) }
                entries[i] = Entry(first: first, last: last, length: UInt32(b.count), ref: UInt32(ref))
            }
        }
    }

    deinit { entries.deallocate() }

    /// The static ref of `bytes`, or nil when they are not a static string of at most `maxLength` bytes.
    @inline(__always)
    func ref(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        let n = bytes.count
        guard n > 0, n <= Self.maxLength, let p = bytes.baseAddress else { return nil }
        let (first, last) = Self.words(p, n)
        var i = Self.slot(first, last, n)
        while true {
            let e = entries[i]
            if e.length == 0 { return nil }
            if e.first == first && e.last == last && Int(e.length) == n { return e.ref }
            i = (i &+ 1) & (Self.capacity &- 1)
        }
    }

    /// The key words of `n` (1...16) bytes at `p`, read without touching bytes past the end.
    @inline(__always)
    private static func words(_ p: UnsafeRawPointer, _ n: Int) -> (UInt64, UInt64) {
        if n >= 8 {
            return (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        if n >= 4 {
            return (UInt64(p.loadUnaligned(as: UInt32.self)), UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
        return (w, 0)
    }

    @inline(__always)
    private static func slot(_ first: UInt64, _ last: UInt64, _ n: Int) -> Int {
        let h = (first ^ (last &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(n)) &* 0xD6E8_FEB8_6659_FD93
        return Int(truncatingIfNeeded: h >> 56) & (capacity - 1)
    }
}
