import DaichoJSON
import Foundation

/// A time a person gives a query (`--as-of`, `--since`, `--until`, `?as_of=`): an RFC 3339 time with a zone, or a
/// date alone (`2026-06-01`) taken in the business time zone as the whole day (README "Times").
public enum QueryTime {
    /// Which microsecond of a date alone the time stands for.
    public enum DayEdge: Sendable {
        /// Its first (`--since`).
        case start
        /// Its last (`--as-of`, `--until`).
        case end
    }

    /// What a text is as a time.
    public enum Parsed: Equatable, Sendable {
        /// An RFC 3339 time, in µs since the epoch.
        case time(Int64)
        /// A date alone (`YYYY-MM-DD`, valid): the caller takes it in the business time zone (`day`).
        case date(String)
        /// Neither.
        case invalid
    }

    public static func parse(_ text: String) -> Parsed {
        if let t = rfc3339(text) { return .time(t) }
        return text.utf8.count == 10 && rfc3339(text + "T00:00:00Z") != nil ? .date(text) : .invalid
    }

    /// The first or last microsecond of the calendar day `date` (`YYYY-MM-DD`, as `parse` gave it) in `zone`.
    public static func day(_ date: String, in zone: TimeZone, edge: DayEdge) -> Int64 {
        let parts = date.split(separator: "-").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        let next = calendar.date(byAdding: .day, value: 1, to: start)!
        func micros(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1_000_000).rounded()) }
        return edge == .start ? micros(start) : micros(next) - 1
    }

    private static func rfc3339(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { RFC3339.parse(UnsafeRawBufferPointer($0))?.micros }
    }
}
