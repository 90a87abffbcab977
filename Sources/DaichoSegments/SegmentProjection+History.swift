import DaichoProjections

// Queries of the segments' size histories (docs/segments.md "Size history").

extension SegmentProjection {
    /// The business days of the history `GET /v1/segments` and `segment list` show with each segment.
    public static let historyDays = 30

    /// The business day size histories end at by default: the segment clock's (for a live view the wall clock's,
    /// never before the newest event's), so its last entry's `members` is the segment's size now; nil before the
    /// first frame.
    public var historyEnd: Int32? { clock == .min ? nil : profiles.config.calendar.day(ofMicros: clock) }

    /// The size history of segment `name` for every business day from `first` through `last` (days since
    /// 1970-01-01 in the business time zone), zeros included; nil when no such segment is defined.
    public func history(of name: String, from first: Int32, through last: Int32) -> [SegmentDay]? {
        segments.first { $0.name == name }?.history.summary(from: first, through: last)
    }

    /// The last `historyDays` business days of `s`'s history, ending at `historyEnd`.
    func recentHistory(of s: SegmentState) -> [SegmentDay] {
        guard let last = historyEnd else { return [] }
        return s.history.summary(from: last - Int32(Self.historyDays - 1), through: last)
    }
}
