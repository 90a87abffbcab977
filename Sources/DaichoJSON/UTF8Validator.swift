// UTF-8 validation per the Unicode Standard, table 3-7 (well-formed byte sequences):
// no overlong forms, no surrogates (U+D800–U+DFFF), nothing above U+10FFFF, no truncated sequences.

/// Validates UTF-8 byte sequences, with an ASCII fast path of 8 bytes at a time.
public enum UTF8Validator {
    /// Whether `bytes` are well-formed UTF-8.
    /// - Parameter bytes: The bytes to check.
    /// - Returns: `true` when every sequence is well formed.
    /// - Complexity: O(n).
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            while i + 8 <= n {
                let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { return true }
            if p.load(fromByteOffset: i, as: UInt8.self) < 0x80 {
                i += 1
                continue
            }
            let length = sequenceLength(p, i, n)
            if length == 0 { return false }
            i += length
        }
        return true
    }

    /// The length (2–4) of the well-formed multi-byte sequence whose lead byte (>= 0x80) is at `i`, or 0.
    @inline(__always)
    static func sequenceLength(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int {
        let b0 = p.load(fromByteOffset: i, as: UInt8.self)
        @inline(__always) func byte(_ k: Int) -> UInt8 { p.load(fromByteOffset: i + k, as: UInt8.self) }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        if b0 < 0xC2 { return 0 }  // stray continuation byte or overlong 2-byte lead
        if b0 < 0xE0 {
            return i + 1 < n && isContinuation(byte(1)) ? 2 : 0
        }
        if b0 < 0xF0 {
            guard i + 2 < n else { return 0 }
            let b1 = byte(1)
            let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80  // E0: no overlongs
            let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF  // ED: no surrogates
            return b1 >= low && b1 <= high && isContinuation(byte(2)) ? 3 : 0
        }
        if b0 < 0xF5 {
            guard i + 3 < n else { return 0 }
            let b1 = byte(1)
            let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80  // F0: no overlongs
            let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF  // F4: nothing above U+10FFFF
            return b1 >= low && b1 <= high && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        }
        return 0
    }
}
