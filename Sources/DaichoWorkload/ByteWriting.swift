/// Byte-level output helpers: the generator writes UTF-8 straight into `[UInt8]`, never through `String`.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a compile-time string.
    @inline(__always)
    mutating func put(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the decimal digits of `value`.
    @inline(__always)
    mutating func putDecimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            putDecimal(UInt64(-value))
        } else {
            putDecimal(UInt64(value))
        }
    }

    /// Appends the decimal digits of `value`.
    mutating func putDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor &*= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: v / divisor) &+ 48)
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends `value` as exactly `width` decimal digits, zero-padded (value must fit).
    @inline(__always)
    mutating func putPadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor &*= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: v / divisor) &+ 48)
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends the low `digits` nibbles of `value` as lowercase hexadecimal.
    @inline(__always)
    mutating func putHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            append(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
            shift -= 4
        }
    }

    /// Appends a fixed-point number with two decimals from an amount in hundredths (e.g. 1250 → "12.5").
    mutating func putCents(_ hundredths: Int) {
        if hundredths < 0 { append(UInt8(ascii: "-")) }
        let magnitude = hundredths.magnitude
        putDecimal(UInt64(magnitude / 100))
        let fraction = Int(magnitude % 100)
        if fraction != 0 {
            append(UInt8(ascii: "."))
            if fraction % 10 == 0 {
                append(UInt8(truncatingIfNeeded: fraction / 10) &+ 48)
            } else {
                putPadded(fraction, width: 2)
            }
        }
    }
}
