// Low-level byte helpers shared by the parser and the tape accessors.

/// Byte-level helpers over raw memory; internal API that inlinable accessors may call.
@usableFromInline
enum JSONBytes {
    /// The byte at offset `i`.
    @inlinable @inline(__always)
    static func byte(_ p: UnsafeRawPointer, _ i: Int) -> UInt8 {
        p.load(fromByteOffset: i, as: UInt8.self)
    }

    /// Whether `b` is an ASCII digit.
    @inlinable @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool {
        b &- 0x30 < 10
    }

    /// The value of four hex digits at `i`, or -1 when they are missing or not hex.
    @inlinable
    static func hex4(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int {
        guard i + 4 <= n else { return -1 }
        var value = 0
        for k in 0..<4 {
            let digit = hexDigit(byte(p, i + k))
            if digit < 0 { return -1 }
            value = value << 4 | digit
        }
        return value
    }

    /// The value of one hex digit, or -1.
    @inlinable @inline(__always)
    static func hexDigit(_ b: UInt8) -> Int {
        switch b {
        case 0x30...0x39: return Int(b &- 0x30)
        case 0x41...0x46: return Int(b &- 0x37)
        case 0x61...0x66: return Int(b &- 0x57)
        default: return -1
        }
    }

    /// Whether `count` bytes at `a` and `b` are equal, comparing 8 bytes at a time.
    @inlinable
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if byte(a, i) != byte(b, i) { return false }
            i += 1
        }
        return true
    }

    /// The escape starting at the backslash at `i` of validated JSON string content, as a Unicode scalar value
    /// and the number of raw bytes it spans (2, 6, or 12 for a surrogate pair).
    @inlinable
    static func decodeEscape(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> (scalar: UInt32, width: Int) {
        switch byte(p, i + 1) {
        case UInt8(ascii: "b"): return (0x08, 2)
        case UInt8(ascii: "f"): return (0x0C, 2)
        case UInt8(ascii: "n"): return (0x0A, 2)
        case UInt8(ascii: "r"): return (0x0D, 2)
        case UInt8(ascii: "t"): return (0x09, 2)
        case UInt8(ascii: "u"):
            let high = hex4(p, i + 2, n)
            if high >= 0xD800 && high <= 0xDBFF {
                let low = hex4(p, i + 8, n)
                return (UInt32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), 12)
            }
            return (UInt32(high), 6)
        case let other: return (UInt32(other), 2)  // '"', '\\', '/'
        }
    }

    /// The UTF-8 encoding of a scalar, packed little-endian into a UInt32, and its byte count.
    @inlinable @inline(__always)
    static func encodeUTF8(_ s: UInt32) -> (packed: UInt32, count: Int) {
        if s < 0x80 { return (s, 1) }
        if s < 0x800 { return ((0xC0 | s >> 6) | (0x80 | s & 0x3F) << 8, 2) }
        if s < 0x10000 {
            return ((0xE0 | s >> 12) | (0x80 | (s >> 6) & 0x3F) << 8 | (0x80 | s & 0x3F) << 16, 3)
        }
        return ((0xF0 | s >> 18) | (0x80 | (s >> 12) & 0x3F) << 8 | (0x80 | (s >> 6) & 0x3F) << 16
            | (0x80 | s & 0x3F) << 24, 4)
    }
}
