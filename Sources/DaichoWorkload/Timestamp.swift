import DaichoJSON

/// How an event time is written: the offset and the precision of the fraction.
enum TimeStyle: Sendable {
    /// `2026-01-01T09:00:00.123+09:00`
    case tokyoMillis
    /// `2026-01-01T09:00:00.123456+09:00`
    case tokyoMicros
    /// `2026-01-01T00:00:00.123Z`
    case utcMillis
    /// `2026-01-01T00:00:00Z`
    case utcSeconds
}

extension ByteSink {
    /// Appends an RFC 3339 time for `micros` (microseconds since the Unix epoch) in the given style.
    mutating func putTimestamp(_ micros: Int64, style: TimeStyle) {
        let offsetSeconds: Int64
        switch style {
        case .tokyoMillis, .tokyoMicros: offsetSeconds = 9 * 3600
        case .utcMillis, .utcSeconds: offsetSeconds = 0
        }
        let (seconds, fraction) = floorDivide(micros, 1_000_000)
        let local = seconds + offsetSeconds
        let (days, secondOfDay) = floorDivide(local, 86_400)
        let (year, month, day) = RFC3339.civilFromDays(Int(days))
        putPadded(Int(year), width: 4)
        append(UInt8(ascii: "-"))
        putPadded(month, width: 2)
        append(UInt8(ascii: "-"))
        putPadded(day, width: 2)
        append(UInt8(ascii: "T"))
        let s = Int(secondOfDay)
        putPadded(s / 3600, width: 2)
        append(UInt8(ascii: ":"))
        putPadded(s / 60 % 60, width: 2)
        append(UInt8(ascii: ":"))
        putPadded(s % 60, width: 2)
        switch style {
        case .tokyoMillis, .utcMillis:
            append(UInt8(ascii: "."))
            putPadded(Int(fraction / 1000), width: 3)
        case .tokyoMicros:
            append(UInt8(ascii: "."))
            putPadded(Int(fraction), width: 6)
        case .utcSeconds:
            break
        }
        switch style {
        case .tokyoMillis, .tokyoMicros: put("+09:00")
        case .utcMillis, .utcSeconds: append(UInt8(ascii: "Z"))
        }
    }
}

/// Quotient and non-negative remainder.
@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
    let q = a / b
    let r = a % b
    return r < 0 ? (q - 1, r + b) : (q, r)
}
