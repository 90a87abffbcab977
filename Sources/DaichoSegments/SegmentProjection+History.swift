import Daicho
import DaichoJSON
import DaichoProjections

// Queries of the segments' size histories (docs/segments.md "Size history"): the last 30 days shown with each
// segment, and any range (`GET /v1/segments/{name}/history`, `daicho segment history`).

extension SegmentProjection {
    /// The business days of the history `GET /v1/segments` and `segment list` show with each segment.
    public static let historyDays = 30
    /// The longest range one history query may ask for, in days (ten years).
    public static let maxHistoryDays = 3660

    /// The business day size histories end at by default: the segment clock's (for a live view the wall clock's,
    /// never before the newest event's), so its last entry's `members` is the segment's size now; nil before the
    /// first frame.
    public var historyEnd: Int32? { clock == .min ? nil : profiles.config.calendar.day(ofMicros: clock) }

    /// The size history of segment `name` for every business day from `first` through `last` (days since
    /// 1970-01-01 in the business time zone), zeros included; nil when no such segment is defined.
    public func history(of name: String, from first: Int32, through last: Int32) -> [SegmentDay]? {
        segments.first { $0.name == name }?.history.summary(from: first, through: last)
    }

    /// The size history of segment `name` over a range a person asked for: `from` through `to`, both inclusive;
    /// without `to`, the segment clock's day; without `from`, the 30 days ending at `to`.
    /// - Returns: nil when no such segment is defined.
    /// - Throws: `HistoryRangeError` when `from` is after `to` or the range is longer than `maxHistoryDays`.
    public func history(of name: String, from: Int32?, to: Int32?) throws(HistoryRangeError) -> SegmentHistoryRange? {
        guard let s = segments.first(where: { $0.name == name }) else { return nil }
        let last = to ?? historyEnd ?? from ?? 0
        let first = from ?? last - Int32(Self.historyDays - 1)
        guard first <= last else {
            throw HistoryRangeError("from \(SegmentDay.date(first)) is after to \(SegmentDay.date(last)): the range is empty")
        }
        guard Int(last) - Int(first) < Self.maxHistoryDays else {
            throw HistoryRangeError("from \(SegmentDay.date(first)) to \(SegmentDay.date(last)) is more than \(Self.maxHistoryDays) days; ask for a shorter range")
        }
        return SegmentHistoryRange(name: name, days: s.history.summary(from: first, through: last))
    }

    /// The last `historyDays` business days of `s`'s history, ending at `historyEnd`.
    func recentHistory(of s: SegmentState) -> [SegmentDay] {
        guard let last = historyEnd else { return [] }
        return s.history.summary(from: last - Int32(Self.historyDays - 1), through: last)
    }
}

/// A segment's size history over a range of business days (never empty).
public struct SegmentHistoryRange: Sendable, Equatable {
    public var name: String
    /// Every day of the range, oldest first.
    public var days: [SegmentDay]

    /// `{"name","from","to","history":[{"day","entered","exited","members"}…]}`, as `GET
    /// /v1/segments/{name}/history` answers and `daicho segment history` prints it.
    public var json: JSONValue {
        .object([JSONMember("name", .string(name)), JSONMember("from", .string(days.first!.date)),
                 JSONMember("to", .string(days.last!.date)), JSONMember("history", .array(days.map(\.json)))])
    }
}

/// A history range that cannot be answered: its message names the dates and the limit.
public struct HistoryRangeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
