import Daicho
import DaichoJSON
import DaichoProjections

/// A segment's size history (docs/segments.md "Size history"): per business day, how many profiles entered and
/// exited it — counted from the same membership changes that make its feed records, so replaying the feed and
/// counting its records per day of their `at` gives the same numbers. The size at the end of a day is the sum of
/// entered − exited over every day up to it (a segment starts empty and every change is a record).
struct SegmentHistory {
    /// The version of the encoded history (its own, inside the segment state of the snapshot).
    static let version: UInt64 = 1

    struct Day: Equatable {
        /// Days since 1970-01-01 in the business time zone (`BusinessCalendar.day`).
        var day: Int32
        var entered: Int64
        var exited: Int64
    }

    /// Days with at least one change, ascending.
    private(set) var days: [Day] = []

    /// Counts one change on business day `day` (changes come in clock order: almost always the last day).
    mutating func count(_ change: FeedRecord.Change, on day: Int32) {
        let i: Int
        if let last = days.last, last.day == day {
            i = days.count - 1
        } else if days.last.map({ $0.day < day }) ?? true {
            days.append(Day(day: day, entered: 0, exited: 0))
            i = days.count - 1
        } else {
            var at = 0, hi = days.count // the first day not before `day`
            while at < hi {
                let mid = (at + hi) / 2
                if days[mid].day < day { at = mid + 1 } else { hi = mid }
            }
            if at == days.count || days[at].day != day { days.insert(Day(day: day, entered: 0, exited: 0), at: at) }
            i = at
        }
        if change == .entered { days[i].entered += 1 } else { days[i].exited += 1 }
    }

    /// Every day from `first` through `last` (zeros included) with its counts and the size at its end.
    func summary(from first: Int32, through last: Int32) -> [SegmentDay] {
        guard first <= last else { return [] }
        var members: Int64 = 0
        var i = 0
        while i < days.count, days[i].day < first {
            members += days[i].entered - days[i].exited
            i += 1
        }
        var out: [SegmentDay] = []
        out.reserveCapacity(Int(last) - Int(first) + 1)
        for d in first...last {
            var entered: Int64 = 0, exited: Int64 = 0
            if i < days.count, days[i].day == d {
                (entered, exited) = (days[i].entered, days[i].exited)
                i += 1
            }
            members += entered - exited
            out.append(SegmentDay(day: d, entered: entered, exited: exited, members: members))
        }
        return out
    }

    func encode(into w: inout SnapshotWriter) {
        w.count(days.count)
        for d in days {
            w.i64(Int64(d.day))
            w.varint(UInt64(d.entered))
            w.varint(UInt64(d.exited))
        }
    }

    init() {}

    /// Reads what `encode` wrote.
    /// - Throws: `SnapshotError` when the bytes are damaged (days out of order, negative counts).
    init(from r: inout SnapshotReader) throws {
        let count = try r.count()
        days.reserveCapacity(count)
        for _ in 0..<count {
            guard let day = Int32(exactly: try r.i64()), days.last.map({ $0.day < day }) ?? true,
                  let entered = Int64(exactly: try r.varint()), let exited = Int64(exactly: try r.varint()) else {
                throw SnapshotError("a segment's size history is damaged")
            }
            days.append(Day(day: day, entered: entered, exited: exited))
        }
    }
}

/// One business day of a segment's size history: `{"day","entered","exited","members"}`.
public struct SegmentDay: Sendable, Equatable {
    /// Days since 1970-01-01 in the business time zone.
    public var day: Int32
    /// Profiles that entered the segment that day.
    public var entered: Int64
    /// Profiles that exited it that day.
    public var exited: Int64
    /// Its size at the end of the day.
    public var members: Int64

    /// The day as `YYYY-MM-DD`.
    public var date: String { Self.date(day) }

    /// Business day number `day` as `YYYY-MM-DD`.
    public static func date(_ day: Int32) -> String {
        let (y, m, d) = RFC3339.civilFromDays(Int(day))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(m) + "-" + two(d)
    }

    /// The business day number of `YYYY-MM-DD`, nil when the text is not a valid date.
    public static func day(_ text: String) -> Int32? {
        guard case .date = QueryTime.parse(text) else { return nil }
        let parts = text.split(separator: "-").map { Int($0)! }
        return Int32(exactly: RFC3339.daysFromCivil(year: parts[0], month: parts[1], day: parts[2]))
    }

    public var json: JSONValue {
        .object([JSONMember("day", .string(date)), JSONMember("entered", .int(entered)),
                 JSONMember("exited", .int(exited)), JSONMember("members", .int(members))])
    }
}
