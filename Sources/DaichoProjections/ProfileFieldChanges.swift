/// Which fields of docs/profile.md one applied event may have changed in its profile (docs/profile.md "Field
/// changes"): set when the value can differ from before the event, never missed. Views over the profiles use it
/// to skip work that reads only unchanged fields. Identity fields are the identity graph's (merges, new
/// identifiers) and are not listed here.
public struct ProfileFieldChanges: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `events`: every event.
    public static let events = ProfileFieldChanges(rawValue: 1 << 0)
    public static let firstSeen = ProfileFieldChanges(rawValue: 1 << 1)
    public static let lastSeen = ProfileFieldChanges(rawValue: 1 << 2)
    public static let channels = ProfileFieldChanges(rawValue: 1 << 3)
    /// Any trait (an identify with a `traits` object).
    public static let traits = ProfileFieldChanges(rawValue: 1 << 4)
    public static let webPageViews = ProfileFieldChanges(rawValue: 1 << 5)
    public static let webSessions = ProfileFieldChanges(rawValue: 1 << 6)
    public static let webDwellMs = ProfileFieldChanges(rawValue: 1 << 7)
    public static let webLastPage = ProfileFieldChanges(rawValue: 1 << 8)
    /// `commerce.orders` and `commerce.revenue`.
    public static let commerceOrders = ProfileFieldChanges(rawValue: 1 << 9)
    /// `commerce.first_order_at`, `commerce.last_order_at`.
    public static let commerceOrderTimes = ProfileFieldChanges(rawValue: 1 << 10)
    /// The RFM figures: `commerce.frequency`, `recency_days`, `age_days`, `monetary`.
    public static let commerceDays = ProfileFieldChanges(rawValue: 1 << 11)
    /// Every `support.*` field.
    public static let support = ProfileFieldChanges(rawValue: 1 << 12)
    /// Every `social.*` field.
    public static let social = ProfileFieldChanges(rawValue: 1 << 13)

    /// Every field: what a merge (absorbing another profile's aggregates) may change.
    public static let all = ProfileFieldChanges(rawValue: (1 << 14) - 1)
}
