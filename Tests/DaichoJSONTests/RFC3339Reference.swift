import Foundation

/// An independent reading of the date-times `RFC3339.parse` documents: `YYYY-MM-DD` (years 0001–9999), `T`, `t` or
/// a space, `HH:MM:SS`, an optional fraction of any length truncated to microseconds, then `Z`, `z` or `±HH:MM`
/// (hours 00–23). Days are counted with the Gregorian leap-year rule directly (not the parser's civil-day
/// algorithm). A leap second (`:60`) is refused, as docs/ingest.md says.
/// - Returns: microseconds since the epoch and the written offset in minutes, or nil when the text is not valid.
func referenceRFC3339(_ bytes: [UInt8]) -> (micros: Int64, offsetMinutes: Int16)? {
    guard let text = String(bytes: bytes, encoding: .utf8),
          let m = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))/)
    else { return nil }
    let (year, month, day) = (Int(m.1)!, Int(m.2)!, Int(m.3)!)
    let (hour, minute, second) = (Int(m.4)!, Int(m.5)!, Int(m.6)!)
    func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
    let monthDays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...9999).contains(year), (1...12).contains(month), (1...monthDays[month - 1]).contains(day),
          hour <= 23, minute <= 59, second <= 59 else { return nil }
    var offset = 0
    if let sign = m.8, let h = Int(m.9 ?? ""), let mm = Int(m.10 ?? "") {
        guard h <= 23, mm <= 59 else { return nil }
        offset = (sign == "-" ? -1 : 1) * (h * 60 + mm)
    }
    func daysBefore(year y: Int) -> Int { let p = y - 1; return 365 * p + p / 4 - p / 100 + p / 400 }
    let days = daysBefore(year: year) + monthDays.prefix(month - 1).reduce(0, +) + day - 1 - daysBefore(year: 1970)
    let utcSeconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset) * 60
    let digits = String((m.7 ?? "").prefix(6))
    let fraction = Int64(digits.padding(toLength: 6, withPad: "0", startingAt: 0))!
    return (utcSeconds * 1_000_000 + fraction, Int16(offset))
}
