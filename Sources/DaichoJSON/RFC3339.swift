// RFC 3339 date-times: "2026-11-23T09:15:00.123+09:00".
//
// Grammar accepted (RFC 3339 section 5.6): full-date ("T" / "t" / " ") partial-time ("Z" / "z" / ±HH:MM), with
// an optional fraction of any number of digits (truncated to microseconds). Years 0001–9999. Second 60 (a leap
// second, section 5.7) is refused: times are Unix microseconds, which have no leap seconds, and moving it to
// another instant would change what the producer wrote (docs/ingest.md "Time"). Civil-date arithmetic follows Howard Hinnant's days_from_civil / civil_from_days.

/// Parsing and formatting of RFC 3339 date-times as microseconds since the Unix epoch.
public enum RFC3339 {
    /// Microseconds since the Unix epoch (UTC) and the written UTC offset in minutes ("Z" = 0, "-00:00" = 0 also).
    ///
    /// Fractions: any number of digits, truncated to microseconds. Years 0001–9999. Validates month, day of the
    /// month (leap years included), hour 00–23, minute 00–59, second 00–59 (a leap second, 60, is refused),
    /// offset hours 00–23 and minutes 00–59.
    /// - Parameter bytes: The date-time text, nothing before or after it.
    /// - Returns: nil when the text is not a valid RFC 3339 date-time.
    /// - Complexity: O(n), no allocation.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> (micros: Int64, offsetMinutes: Int16)? {
        let n = bytes.count
        guard n >= 20, let p = bytes.baseAddress else { return nil }
        @inline(__always) func byte(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        @inline(__always) func digits2(_ i: Int) -> Int {
            let a = byte(i) &- 0x30, b = byte(i + 1) &- 0x30
            return a < 10 && b < 10 ? Int(a) * 10 + Int(b) : -1
        }
        let century = digits2(0), yearInCentury = digits2(2)
        guard century >= 0, yearInCentury >= 0 else { return nil }
        let year = century * 100 + yearInCentury
        let month = digits2(5), day = digits2(8)
        let hour = digits2(11), minute = digits2(14), second = digits2(17)
        let separator = byte(10)
        guard year >= 1, byte(4) == UInt8(ascii: "-"), byte(7) == UInt8(ascii: "-"),
              separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
              byte(13) == UInt8(ascii: ":"), byte(16) == UInt8(ascii: ":"),
              month >= 1, month <= 12, day >= 1, day <= daysInMonth(month, year: year),
              hour >= 0, hour <= 23, minute >= 0, minute <= 59, second >= 0, second <= 59
        else { return nil }

        var i = 19
        var fraction = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            let first = i
            var scale = 100_000
            while i < n, case let d = byte(i) &- 0x30, d < 10 {
                fraction += Int(d) * scale
                scale /= 10
                i += 1
            }
            guard i > first, i < n else { return nil }
        }
        var offset = 0
        switch byte(i) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 <= n else { return nil }
            let offsetHours = digits2(i + 1), offsetMinutes = digits2(i + 4)
            guard byte(i + 3) == UInt8(ascii: ":"), offsetHours >= 0, offsetHours <= 23,
                  offsetMinutes >= 0, offsetMinutes <= 59 else { return nil }
            offset = offsetHours * 60 + offsetMinutes
            if byte(i) == UInt8(ascii: "-") { offset = -offset }
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let localSeconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        let utcSeconds = localSeconds - offset * 60
        return (Int64(utcSeconds) * 1_000_000 + Int64(fraction), Int16(offset))
    }

    /// Appends the canonical form `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff](Z|±HH:MM)`, written in the given offset.
    ///
    /// The fraction is omitted when zero, 3 digits for a whole millisecond, else 6. "Z" when `offsetMinutes` is 0.
    /// Years outside 0000–9999 (not RFC 3339) are written with as many digits as needed and a '-' if negative.
    /// - Parameters:
    ///   - micros: Microseconds since the Unix epoch (UTC).
    ///   - offsetMinutes: The UTC offset to write the local time in, within ±(23 × 60 + 59).
    ///   - out: Receives the text.
    public static func format(micros: Int64, offsetMinutes: Int16, into out: inout [UInt8]) {
        let local = micros + Int64(offsetMinutes) * 60_000_000
        let seconds = floorDiv(local, 1_000_000)
        let fraction = Int(local - seconds * 1_000_000)
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilFromDays(Int(days))

        if year < 0 { out.append(UInt8(ascii: "-")) }
        let absoluteYear = year.magnitude
        if absoluteYear > 9999 {
            out.append(contentsOf: String(absoluteYear).utf8)
        } else {
            appendDigits(Int(absoluteYear), count: 4, to: &out)
        }
        out.append(UInt8(ascii: "-"))
        appendDigits(month, count: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, count: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3_600, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, count: 2, to: &out)
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            if fraction % 1_000 == 0 {
                appendDigits(fraction / 1_000, count: 3, to: &out)
            } else {
                appendDigits(fraction, count: 6, to: &out)
            }
        }
        if offsetMinutes == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(offsetMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = Int(offsetMinutes.magnitude)
            appendDigits(magnitude / 60, count: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            appendDigits(magnitude % 60, count: 2, to: &out)
        }
    }

    /// The canonical form as a `String` (see ``format(micros:offsetMinutes:into:)``).
    public static func string(micros: Int64, offsetMinutes: Int16) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        format(micros: micros, offsetMinutes: offsetMinutes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `year` is a Gregorian leap year.
    @inlinable
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1–12) of `year`.
    @inlinable
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    @inlinable
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Appends `value` (non-negative) as exactly `count` decimal digits, zero-padded.
    static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var value = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: value / divisor % 10) &+ 0x30)
            value %= divisor
            divisor /= 10
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
