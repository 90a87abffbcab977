import DaichoJSON

// Business days as the dashboard names them (docs/console.md "The dashboard object"): `YYYY-MM-DD`, and ISO weeks
// `YYYY-Www` (Monday first; week 1 holds the year's first Thursday). A day is a number of days since 1970-01-01,
// as `BusinessCalendar.day(ofMicros:)` gives it.

/// Conversions between day numbers, dates and ISO weeks (proleptic Gregorian calendar).
public enum DashboardDate {
    /// The day number of `YYYY-MM-DD`, nil when the text is not a valid date of years 1…9999.
    public static func day(_ text: String) -> Int32? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), y >= 1, (1...12).contains(m),
              d >= 1, d <= RFC3339.daysInMonth(m, year: y) else { return nil }
        return Int32(RFC3339.daysFromCivil(year: y, month: m, day: d))
    }

    /// `YYYY-MM-DD` of day number `day`.
    public static func string(_ day: Int32) -> String {
        let (y, m, d) = RFC3339.civilFromDays(Int(day))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// The ISO week of `day` as `YYYY-Www`.
    public static func week(_ day: Int32) -> String {
        let (year, week) = isoWeek(Int(day))
        return pad(year, 4) + "-W" + pad(week, 2)
    }

    /// ISO year and week number of day number `day`.
    static func isoWeek(_ day: Int) -> (year: Int, week: Int) {
        let weekday = ((day + 3) % 7 + 7) % 7 // 0 Monday … 6 Sunday (1970-01-01 was a Thursday)
        let thursday = day - weekday + 3
        let year = RFC3339.civilFromDays(thursday).year
        return (year, (thursday - RFC3339.daysFromCivil(year: year, month: 1, day: 1)) / 7 + 1)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
