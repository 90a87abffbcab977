// Days and ISO weeks of the range: axis ticks that stay readable for a year, and table rows per day or month.

/// The labelled positions of a chart's x axis and the rows of a per-day table.
enum Periods {
    /// At most this many days are tabled one row per day; longer ranges are tabled per month.
    static let dailyTableLimit = 62

    /// Year, month and day of a `YYYY-MM-DD` date (zeros for text of another shape).
    static func parts(_ day: String) -> (year: Int, month: Int, day: Int) {
        let fields = day.split(separator: "-").map { Int($0) ?? 0 }
        return fields.count == 3 ? (fields[0], fields[1], fields[2]) : (0, 0, 0)
    }

    /// Ticks for per-day charts: up to 62 days every k-th day (at most about 12 labels); longer ranges the first
    /// day of every month, or of every 2, 3, 4 or 6 months or every 1, 2 or 5 years (aligned on January) so at
    /// most 12 labels remain; the year is written on January, and on the first label unless the next one is a
    /// January (two long labels a month apart would overlap).
    static func dayTicks(_ days: [String], _ language: ReportLanguage) -> [(index: Int, label: String)] {
        guard days.count > dailyTableLimit else {
            let step = max(1, (days.count + 11) / 12)
            return stride(from: 0, to: days.count, by: step).map { k in
                let p = parts(days[k])
                return (k, ReportMessages.text(.dayTick, language, ["month": "\(p.month)", "day": "\(p.day)"]))
            }
        }
        let starts = days.indices.filter { parts(days[$0]).day == 1 }
        let step = [1, 2, 3, 4, 6, 12, 24].first { starts.count <= 12 * $0 } ?? 60
        let months = starts.map { (index: $0, date: parts(days[$0])) }.filter { m in
            step < 12 ? (m.date.month - 1) % step == 0 : m.date.month == 1 && m.date.year % (step / 12) == 0
        }
        return months.enumerated().map { n, m in
            let name = ReportMessages.monthName(m.date.month, language)
            let withYear = m.date.month == 1 || (n == 0 && (months.count == 1 || months[1].date.month != 1))
            return (m.index, withYear
                ? ReportMessages.text(.monthYearTick, language, ["name": name, "year": "\(m.date.year)"])
                : ReportMessages.text(.monthTick, language, ["name": name]))
        }
    }

    /// Ticks for per-week charts: every k-th week (at most about 13 labels) as `W05`, the year on the first label
    /// and on week 01.
    static func weekTicks(_ weeks: [String]) -> [(index: Int, label: String)] {
        let step = max(1, (weeks.count + 12) / 13)
        return stride(from: 0, to: weeks.count, by: step).map { k in
            let week = weeks[k]
            let short = week.split(separator: "-").last.map(String.init) ?? week
            return (k, k == 0 || short == "W01" ? week : short)
        }
    }

    /// The rows of a per-day table: one per day up to ``dailyTableLimit`` days, else one per calendar month
    /// (`YYYY-MM`), each with the day indices it sums.
    static func tableRows(_ days: [String]) -> [(label: String, days: Range<Int>)] {
        guard days.count > dailyTableLimit else { return days.indices.map { (days[$0], $0..<($0 + 1)) } }
        var rows: [(label: String, days: Range<Int>)] = []
        var start = 0
        for k in 1...days.count where k == days.count || days[k].prefix(7) != days[start].prefix(7) {
            rows.append((String(days[start].prefix(7)), start..<k))
            start = k
        }
        return rows
    }
}
