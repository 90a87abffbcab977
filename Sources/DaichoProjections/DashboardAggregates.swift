import Daicho

// The dashboard aggregates of docs/console.md "Where the figures come from": per business day, the figures every
// dashboard panel sums over a range, kept by `ProfileProjection` as it applies each event (replay's hot path: no
// String, no String-keyed dictionary per event; keys are day numbers and small dimension numbers packed into
// integers, and the current day's fixed figures are a cached slot).

/// The fixed figures of one business day: events per type, buyers, identity.
struct DashboardDay: Equatable, Sendable {
    /// Per customer event type, at index `code − 1` (page_view … track; internal types are not counted).
    var events = SIMD8<Int64>()
    var newBuyers: Int64 = 0
    var returningBuyers: Int64 = 0
    /// Profiles absorbed by merges.
    var merges: Int64 = 0
    /// Refused merges (conflicts the identity graph recorded).
    var refused: Int64 = 0
    var newProfiles: Int64 = 0
}

/// What resolving one event's identity did, for the dashboard's identity figures: the profiles it made (their
/// numbers given out by the graph; 0 or 1) and whether the graph refused a merge (a conflict).
struct IdentityFigures: Equatable, Sendable {
    var born: UInt8 = 0
    var conflict = false
}

/// Revenue and orders of one (day, currency, source).
struct DashboardPurchases: Equatable, Sendable {
    /// µ-units (docs/profile.md "Exact sums").
    var revenue: Int128 = 0
    /// Distinct order ids first seen here.
    var orders: Int64 = 0

    @inline(__always)
    mutating func add(amount: Int64, newOrder: Bool) {
        revenue += Int128(amount)
        if newOrder { orders += 1 }
    }
}

/// Inquiries of one (day, category, channel).
struct DashboardInquiries: Equatable, Sendable {
    /// Inquiry events whose status is open, pending or absent (those a profile's `support.open` counts).
    var opened: Int64 = 0
    /// Inquiry events whose status is resolved or closed.
    var closed: Int64 = 0

    @inline(__always)
    mutating func add(open: Bool) { if open { opened += 1 } else { closed += 1 } }
}

/// Mentions of one (day, platform).
struct DashboardMentions: Equatable, Sendable {
    var mentions: Int64 = 0
    /// Mentions that carried a sentiment, and the sum of those sentiments in µ-units.
    var sentimentCount: Int64 = 0
    var sentimentSum: Int64 = 0
    var reach: Int64 = 0

    @inline(__always)
    mutating func add(sentiment: Int64?, reach: Int64) {
        mentions += 1
        self.reach += reach
        if let sentiment { sentimentCount += 1; sentimentSum += sentiment }
    }
}

/// The dashboard aggregates of a projection (docs/console.md): what the dashboard object sums over a range.
///
/// Keyed figures use a packed `UInt64` key: the business day (days since 1970-01-01, two's complement) in the high
/// 32 bits, then two 16-bit dimension numbers. A dimension number stands for a symbol of the projection's table
/// (a currency, source, channel or platform), numbered in first-use order; 0 is "none" (no source, no channel, no
/// platform) and `DashboardAggregates.otherDimension` collects every symbol past the 65,534th distinct one.
final class DashboardAggregates {
    /// The fixed figures per day, except the cached day's (`current`).
    @exclusivity(unchecked) var days: [Int32: DashboardDay] = [:]
    /// The day whose figures are being counted in `current` (events arrive mostly in time order).
    @exclusivity(unchecked) var currentDay: Int32 = .min
    @exclusivity(unchecked) var current = DashboardDay()
    @exclusivity(unchecked) var purchases: [UInt64: DashboardPurchases] = [:]
    /// Key: day, category (0 complaint, 1 question, 2 request, 3 opinion, 4 none), channel dimension.
    @exclusivity(unchecked) var inquiries: [UInt64: DashboardInquiries] = [:]
    /// Key: day, 0, platform dimension.
    @exclusivity(unchecked) var mentions: [UInt64: DashboardMentions] = [:]
    /// The symbol of each dimension number (entry 0: none).
    @exclusivity(unchecked) var dimensionSymbols: [UInt32] = [UInt32.max]
    @exclusivity(unchecked) private var dimensionOf: [UInt32: UInt16] = [:]
    /// One bit per symbol: the order ids seen (an order counts once, where it was first seen).
    @exclusivity(unchecked) var ordersSeen: [UInt64] = []

    static let otherDimension: UInt16 = .max
    /// Category numbers of the inquiry keys, in the dashboard's order.
    static let categoryNames = ["complaint", "question", "request", "opinion", "(none)"]

    init() {}

    // MARK: - Counting (called by ProfileProjection.applyResolved)

    /// The fixed figures of `day`, made the cached day.
    @inline(__always)
    func day(_ day: Int32, _ body: (inout DashboardDay) -> Void) {
        if day != currentDay {
            if currentDay != .min { days[currentDay] = current }
            currentDay = day
            current = days[day] ?? DashboardDay()
        }
        body(&current)
    }

    /// The dimension number of `symbol` (numbered on first use).
    @inline(__always)
    func dimension(_ symbol: UInt32) -> UInt16 {
        if let d = dimensionOf[symbol] { return d }
        guard dimensionSymbols.count < Int(Self.otherDimension) else { return Self.otherDimension }
        let d = UInt16(dimensionSymbols.count)
        dimensionSymbols.append(symbol)
        dimensionOf[symbol] = d
        return d
    }

    @inline(__always)
    static func key(day: Int32, _ a: UInt16, _ b: UInt16) -> UInt64 {
        UInt64(UInt32(bitPattern: day)) << 32 | UInt64(a) << 16 | UInt64(b)
    }

    @inline(__always)
    static func parts(_ key: UInt64) -> (day: Int32, a: UInt16, b: UInt16) {
        (Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32)), UInt16(truncatingIfNeeded: key >> 16), UInt16(truncatingIfNeeded: key))
    }

    /// Counts a purchase of `amount` µ-units on `day`; the order counts when its id was not seen before.
    @inline(__always)
    func purchase(day: Int32, order: Symbol, currency: Symbol, source: UInt32?, amount: Int64) {
        let key = Self.key(day: day, dimension(currency.raw), source.map(dimension) ?? 0)
        let word = Int(order.raw >> 6), bit = UInt64(1) << (order.raw & 63)
        if word >= ordersSeen.count { ordersSeen.append(contentsOf: repeatElement(0, count: max(word + 1 - ordersSeen.count, ordersSeen.count / 2))) }
        let newOrder = ordersSeen[word] & bit == 0
        ordersSeen[word] |= bit
        purchases[key, default: DashboardPurchases()].add(amount: amount, newOrder: newOrder)
    }

    /// Counts an inquiry on `day`: `category` 0…4 (`categoryNames`), `channel` a symbol or nil.
    @inline(__always)
    func inquiry(day: Int32, category: UInt16, channel: UInt32?, open: Bool) {
        let key = Self.key(day: day, category, channel.map(dimension) ?? 0)
        inquiries[key, default: DashboardInquiries()].add(open: open)
    }

    /// Counts a social mention on `day`.
    @inline(__always)
    func mention(day: Int32, platform: UInt32?, sentiment: Int64?, reach: Int64) {
        let key = Self.key(day: day, 0, platform.map(dimension) ?? 0)
        mentions[key, default: DashboardMentions()].add(sentiment: sentiment, reach: reach)
    }

    // MARK: - Reading

    /// Every day's fixed figures, the cached day's included.
    var allDays: [Int32: DashboardDay] {
        var all = days
        if currentDay != .min { all[currentDay] = current }
        return all
    }

    /// The fixed figures of `day` (zeros when nothing happened that day).
    func figures(of day: Int32) -> DashboardDay { day == currentDay ? current : days[day] ?? DashboardDay() }

    /// The newest day with a counted event, nil when none.
    var newestDay: Int32? {
        var newest: Int32?
        for (d, figures) in allDays where figures.events != SIMD8() { newest = max(newest ?? d, d) }
        return newest
    }

    /// Every figure as a sorted list of lines naming days and symbols by their text: equal for two projections of
    /// the same events whatever their symbol numbers (tests compare replays, restores and shuffled logs with it).
    func canonical(symbols: SymbolTable) -> [String] {
        func name(_ d: UInt16) -> String {
            d == 0 ? "(none)" : d == Self.otherDimension ? "(other)" : symbols.string(Symbol(raw: dimensionSymbols[Int(d)]))
        }
        var lines: [String] = []
        for (d, f) in allDays where f != DashboardDay() {
            lines.append("events \(d) \((0..<7).map { f.events[$0] })")
            lines.append("buyers \(d) \(f.newBuyers) \(f.returningBuyers)")
            lines.append("identity \(d) \(f.merges) \(f.refused) \(f.newProfiles)")
        }
        for (k, v) in purchases {
            let (d, c, s) = Self.parts(k)
            lines.append("purchases \(d) \(name(c)) \(name(s)) \(v.revenue) \(v.orders)")
        }
        for (k, v) in inquiries {
            let (d, c, ch) = Self.parts(k)
            lines.append("inquiries \(d) \(Self.categoryNames[Int(c)]) \(name(ch)) \(v.opened) \(v.closed)")
        }
        for (k, v) in mentions {
            let (d, _, p) = Self.parts(k)
            lines.append("mentions \(d) \(name(p)) \(v.mentions) \(v.sentimentCount) \(v.sentimentSum) \(v.reach)")
        }
        return lines.sorted()
    }
}
