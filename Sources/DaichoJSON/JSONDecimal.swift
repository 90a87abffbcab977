// Decimal decoding of validated JSON number literals, for JSONTape.int64 and JSONTape.double.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A validated number literal as sign × significand × 10^exponent, keeping at most 19 significant digits.
@usableFromInline
struct JSONDecimal {
    /// The literal starts with '-'.
    @usableFromInline var negative: Bool
    /// The first (at most) 19 significant digits.
    @usableFromInline var significand: UInt64
    /// The power of ten to apply to `significand`.
    @usableFromInline var exponent: Int
    /// A nonzero digit beyond the first 19 significant ones was dropped.
    @usableFromInline var truncated: Bool

    /// Decodes the validated literal of `length` bytes at `start`.
    @inlinable
    init(_ p: UnsafeRawPointer, _ start: Int, _ length: Int) {
        let end = start + length
        var i = start
        negative = JSONBytes.byte(p, i) == UInt8(ascii: "-")
        if negative { i += 1 }
        significand = 0
        exponent = 0
        truncated = false
        var digits = 0
        while i < end, case let b = JSONBytes.byte(p, i), JSONBytes.isDigit(b) {
            if digits < 19 {
                significand = significand &* 10 &+ UInt64(b &- 0x30)
                if significand != 0 { digits += 1 }
            } else {
                exponent += 1
                if b != UInt8(ascii: "0") { truncated = true }
            }
            i += 1
        }
        if i < end && JSONBytes.byte(p, i) == UInt8(ascii: ".") {
            i += 1
            while i < end, case let b = JSONBytes.byte(p, i), JSONBytes.isDigit(b) {
                if digits < 19 {
                    significand = significand &* 10 &+ UInt64(b &- 0x30)
                    if significand != 0 { digits += 1 }
                    exponent -= 1
                } else if b != UInt8(ascii: "0") {
                    truncated = true
                }
                i += 1
            }
        }
        if i < end {  // 'e' or 'E'
            i += 1
            let negativeExponent = JSONBytes.byte(p, i) == UInt8(ascii: "-")
            if negativeExponent || JSONBytes.byte(p, i) == UInt8(ascii: "+") { i += 1 }
            var value = 0
            while i < end {
                if value < 1_000_000_000 { value = value * 10 + Int(JSONBytes.byte(p, i) &- 0x30) }
                i += 1
            }
            exponent += negativeExponent ? -value : value
        }
    }

    /// The value as an `Int64` when it is integral and fits, else nil.
    @inlinable
    var int64: Int64? {
        guard !truncated else { return nil }  // 20+ significant digits: fractional or beyond Int64
        var m = significand
        var e = exponent
        if m == 0 { return 0 }
        while e < 0 && m % 10 == 0 {
            m /= 10
            e += 1
        }
        guard e >= 0 else { return nil }
        for _ in 0..<min(e, 20) {
            let (product, overflow) = m.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            m = product
        }
        if negative {
            guard m <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- m)
        }
        guard m <= UInt64(Int64.max) else { return nil }
        return Int64(m)
    }

    /// The correctly rounded value when Clinger's fast path applies, else nil.
    @inlinable
    var exactDouble: Double? {
        if significand == 0 && !truncated { return negative ? -0.0 : 0.0 }
        guard !truncated, significand <= 1 << 53 else { return nil }
        var value: Double
        if exponent < 0 {
            guard exponent >= -22 else { return nil }
            value = Double(significand) / JSONDecimal.powerOfTen(-exponent)
        } else if exponent <= 22 {
            value = Double(significand) * JSONDecimal.powerOfTen(exponent)
        } else {
            // Move surplus powers of ten into the significand while it stays exact.
            guard exponent <= 22 + 15 else { return nil }
            let (m, overflow) = significand.multipliedReportingOverflow(by: UInt64(JSONDecimal.powerOfTen(exponent - 22)))
            guard !overflow, m <= 1 << 53 else { return nil }
            value = Double(m) * 1e22
        }
        return negative ? -value : value
    }

    /// 10^e for 0 <= e <= 22 (all exact in a `Double`).
    @inlinable @inline(__always)
    static func powerOfTen(_ e: Int) -> Double {
        return powersOfTen[e]
    }

    /// 10^0 ... 10^22.
    @usableFromInline
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// `strtod` in the C locale on a NUL-terminated stack copy of the literal (the slow, exact path).
    @usableFromInline
    static func slowDouble(_ literal: UnsafeRawPointer, _ length: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: literal, byteCount: length)
            base[length] = 0
            let previous = uselocale(cNumericLocale)
            defer { uselocale(previous) }
            return strtod(base, nil)
        }
    }
}

/// The C locale for LC_NUMERIC, so '.' is the decimal point whatever `setlocale` the process called.
nonisolated(unsafe) private let cNumericLocale = newlocale(LC_NUMERIC_MASK, "C", nil)
