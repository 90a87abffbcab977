import Daicho

// The per-section state of a profile (docs/profile.md). Each section lives in a copy-on-write box that a profile
// allocates only when it has events of that kind; counts and sums use wrapping arithmetic so they are
// associative and commutative (order independence), money and sentiment are fixed-point (µ-units).

/// Copy-on-write storage of one section. Mutated only through `ProfileAggregates.unique`, which copies a shared
/// box first, so a box reachable from two profiles is never written.
final class SectionBox<Value: Equatable & Sendable>: @unchecked Sendable, Equatable {
    /// Unchecked: the copy-on-write discipline above already rules out overlapping accesses, and dynamic
    /// exclusivity checks were a measurable part of `apply`.
    @exclusivity(unchecked) var value: Value
    init(_ value: Value) { self.value = value }
    static func == (a: SectionBox, b: SectionBox) -> Bool { a === b || a.value == b.value }
}

/// A symbol and a count, kept in arrays sorted by symbol.
struct SymbolCount: Equatable, Sendable {
    var symbol: Symbol
    var count: UInt32
}

extension ContiguousArray where Element == SymbolCount {
    /// Index of `symbol`, or where it would be inserted.
    @inline(__always)
    func search(_ symbol: Symbol) -> (index: Int, found: Bool) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let s = self[mid].symbol
            if s == symbol { return (mid, true) }
            if s < symbol { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    /// Adds `n` to the count of `symbol`.
    mutating func add(_ symbol: Symbol, _ n: UInt32 = 1) {
        let (i, found) = search(symbol)
        if found { self[i].count &+= n } else { insert(SymbolCount(symbol: symbol, count: n), at: i) }
    }

    /// Adds every count of `other`.
    mutating func merge(_ other: ContiguousArray<SymbolCount>) {
        for e in other { add(e.symbol, e.count) }
    }
}

/// Converts a number to fixed-point µ-units. Ingest bounds amounts to 10^12 (10^18 µ-units) and sentiment to
/// [-1, 1]; the saturation only guards events appended before those bounds existed.
@inline(__always)
func micros(_ x: Double) -> Int64 {
    let m = (x * 1_000_000).rounded()
    return m >= 9.2e18 ? Int64.max / 4 : m <= -9.2e18 ? Int64.min / 4 : Int64(m)
}

/// Whether (a, aOffset) is later than (b, bOffset): later `at`, ties broken by the higher offset.
@inline(__always)
func isLater(_ a: Int64, _ aOffset: UInt64, than b: Int64, _ bOffset: UInt64) -> Bool {
    a > b || (a == b && aOffset > bOffset)
}

/// A closed interval of page-view times whose consecutive times are at most the session gap apart.
struct Session: Equatable, Sendable {
    var start: Int64
    var end: Int64
}

/// `web`: page views, sessions as merged intervals, dwell, last page and path counts.
struct WebSection: Equatable, Sendable {
    var pageViews: UInt32 = 0
    /// Capacity of `paths` (from the config at creation, so `absorb` needs no config).
    var trackedPaths: UInt32
    var sessionGap: Int64
    var dwellMs: Int64 = 0
    var lastAt: Int64 = .min
    var lastOffset: UInt64 = 0
    /// Path of the latest page view; nil when that page view had none.
    var lastPath: Symbol?
    /// Disjoint, sorted by start, consecutive ones more than `sessionGap` apart.
    var sessions: ContiguousArray<Session> = []
    /// Sorted by symbol; exact counts until an eviction (Space-Saving) when more than `trackedPaths` paths.
    var paths: ContiguousArray<SymbolCount> = []

    init(trackedPaths: Int, sessionGap: Int64) {
        self.trackedPaths = UInt32(clamping: max(trackedPaths, 1))
        self.sessionGap = sessionGap
    }

    /// - Returns: the web fields the page view may have changed.
    mutating func add(at: Int64, offset: UInt64, path: Symbol?, dwellMs: Int64) -> ProfileFieldChanges {
        var changes: ProfileFieldChanges = .webPageViews
        pageViews &+= 1
        self.dwellMs &+= dwellMs
        if dwellMs != 0 { changes.insert(.webDwellMs) }
        if isLater(at, offset, than: lastAt, lastOffset) {
            if lastPath != path { changes.insert(.webLastPage) }
            lastAt = at; lastOffset = offset; lastPath = path
        }
        // Sessions extend, join or appear; only the count is a field (`web.sessions`).
        let sessionCount = sessions.count
        addTime(at)
        if sessions.count != sessionCount { changes.insert(.webSessions) }
        if let path { addPath(path, 1) }
        return changes
    }

    /// Adds one page-view time: extends, joins or adds intervals exactly as in-order arrival would.
    mutating func addTime(_ t: Int64) {
        if let last = sessions.last, t >= last.start {
            // The common case: at or after the start of the latest session.
            if t > last.end {
                if t &- last.end <= sessionGap { sessions[sessions.count - 1].end = t }
                else { sessions.append(Session(start: t, end: t)) }
            }
            return
        }
        // First interval whose end reaches t (ends ascend because intervals are disjoint and sorted).
        var lo = 0, hi = sessions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sessions[mid].end &+ sessionGap < t { lo = mid + 1 } else { hi = mid }
        }
        let i = lo
        if i == sessions.count || sessions[i].start &- sessionGap > t {
            sessions.insert(Session(start: t, end: t), at: i)
            return
        }
        sessions[i].start = min(sessions[i].start, t)
        sessions[i].end = max(sessions[i].end, t)
        if i + 1 < sessions.count, sessions[i + 1].start &- sessions[i].end <= sessionGap {
            sessions[i].end = max(sessions[i].end, sessions[i + 1].end)
            sessions.remove(at: i + 1)
        }
    }

    /// Counts `n` views of `path`; when a new path finds the table full, it replaces the least counted one and
    /// starts at that count + n (Space-Saving: counts then over-estimate by at most the minimum tracked count).
    mutating func addPath(_ path: Symbol, _ n: UInt32) {
        let (i, found) = paths.search(path)
        if found { paths[i].count &+= n; return }
        if paths.count < Int(trackedPaths) { paths.insert(SymbolCount(symbol: path, count: n), at: i); return }
        var victim = 0
        for j in 1..<paths.count where paths[j].count < paths[victim].count { victim = j }
        let count = paths[victim].count &+ n
        paths.remove(at: victim)
        paths.insert(SymbolCount(symbol: path, count: count), at: paths.search(path).index)
    }

    mutating func absorb(_ o: WebSection) {
        pageViews &+= o.pageViews
        dwellMs &+= o.dwellMs
        if isLater(o.lastAt, o.lastOffset, than: lastAt, lastOffset) { lastAt = o.lastAt; lastOffset = o.lastOffset; lastPath = o.lastPath }
        absorbSessions(o.sessions)
        absorbPaths(o.paths)
    }

    private mutating func absorbSessions(_ other: ContiguousArray<Session>) {
        guard !other.isEmpty else { return }
        var all = sessions
        all.append(contentsOf: other)
        all.sort { $0.start < $1.start }
        var merged = ContiguousArray<Session>()
        merged.reserveCapacity(all.count)
        for s in all {
            if let last = merged.last, s.start &- last.end <= sessionGap {
                merged[merged.count - 1].end = max(last.end, s.end)
            } else {
                merged.append(s)
            }
        }
        sessions = merged
    }

    /// Sums the counts; above `trackedPaths` keeps the most counted (ties: lower symbol), as mergeable Space-Saving.
    private mutating func absorbPaths(_ other: ContiguousArray<SymbolCount>) {
        paths.merge(other)
        guard paths.count > Int(trackedPaths) else { return }
        var kept = paths.sorted { $0.count != $1.count ? $0.count > $1.count : $0.symbol < $1.symbol }
        kept.removeLast(kept.count - Int(trackedPaths))
        kept.sort { $0.symbol < $1.symbol }
        paths = ContiguousArray(kept)
    }
}

/// One order: the amount and currency of its latest purchase event.
struct OrderEntry: Equatable, Sendable {
    var order: Symbol
    var currency: Symbol
    var at: Int64
    var offset: UInt64
    /// µ-units of the currency.
    var amount: Int64

    /// Whether a purchase of the same order at (`at`, `offset`) takes this entry's place: it is the order's later
    /// event (ties broken by the higher offset).
    @inline(__always)
    func isReplaced(byEventAt at: Int64, offset: UInt64) -> Bool {
        isLater(at, offset, than: self.at, self.offset)
    }
}

/// The total of one business day's purchases in the RFM currency.
struct DayTotal: Equatable, Sendable {
    var day: Int32
    /// µ-units. 128 bits: purchases are at most 10^18 µ-units each (docs/profile.md "Exact sums"), so no number
    /// of them can overflow it.
    var amount: Int128
}

/// `commerce`: distinct orders (for `orders` and `revenue`) and per-day totals in the RFM currency.
struct CommerceSection: Equatable, Sendable {
    var firstAt: Int64 = .max
    var lastAt: Int64 = .min
    /// Sorted by order symbol.
    var orders: ContiguousArray<OrderEntry> = []
    /// Sorted by day.
    var days: ContiguousArray<DayTotal> = []

    /// - Returns: whether `first_order_at` or `last_order_at` changed.
    mutating func addPurchase(at: Int64) -> Bool {
        guard at < firstAt || at > lastAt else { return false }
        firstAt = min(firstAt, at)
        lastAt = max(lastAt, at)
        return true
    }

    /// Keeps `entry` when it is the order's latest event.
    mutating func addOrder(_ entry: OrderEntry) {
        let (i, found) = orderIndex(entry.order)
        if found {
            if orders[i].isReplaced(byEventAt: entry.at, offset: entry.offset) { orders[i] = entry }
        } else {
            orders.insert(entry, at: i)
        }
    }

    /// The entry of `order` (its latest event so far), nil when the profile has no such order.
    /// - Complexity: O(log orders).
    func entry(of order: Symbol) -> OrderEntry? {
        let (i, found) = orderIndex(order)
        return found ? orders[i] : nil
    }

    /// Index of `order` in `orders`, or where it would be inserted.
    private func orderIndex(_ order: Symbol) -> (index: Int, found: Bool) { orders.sortedIndex(of: order, by: \.order) }

    mutating func addDay(_ day: Int32, amount: Int128) {
        if let last = days.last, last.day == day { days[days.count - 1].amount += amount; return }
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid].day < day { lo = mid + 1 } else { hi = mid }
        }
        if lo < days.count, days[lo].day == day { days[lo].amount += amount }
        else { days.insert(DayTotal(day: day, amount: amount), at: lo) }
    }

    mutating func absorb(_ o: CommerceSection) {
        firstAt = min(firstAt, o.firstAt)
        lastAt = max(lastAt, o.lastAt)
        for e in o.orders { addOrder(e) }
        for d in o.days { addDay(d.day, amount: d.amount) }
    }
}

/// `support`: inquiry counts.
struct SupportSection: Equatable, Sendable {
    var inquiries: UInt32 = 0
    /// complaint, question, request, opinion.
    var complaints: UInt32 = 0, questions: UInt32 = 0, requests: UInt32 = 0, opinions: UInt32 = 0
    var open: UInt32 = 0
    var lastAt: Int64 = .min
    var byChannel: ContiguousArray<SymbolCount> = []

    mutating func absorb(_ o: SupportSection) {
        inquiries &+= o.inquiries
        complaints &+= o.complaints; questions &+= o.questions; requests &+= o.requests; opinions &+= o.opinions
        open &+= o.open
        lastAt = max(lastAt, o.lastAt)
        byChannel.merge(o.byChannel)
    }
}

/// `social`: mention counts, sentiment (fixed point) and reach.
struct SocialSection: Equatable, Sendable {
    var mentions: UInt32 = 0
    var sentimentCount: UInt32 = 0
    /// µ-units.
    var sentimentSum: Int64 = 0
    var reach: Int64 = 0
    var lastAt: Int64 = .min
    var byPlatform: ContiguousArray<SymbolCount> = []

    mutating func absorb(_ o: SocialSection) {
        mentions &+= o.mentions
        sentimentCount &+= o.sentimentCount
        sentimentSum &+= o.sentimentSum
        reach &+= o.reach
        lastAt = max(lastAt, o.lastAt)
        byPlatform.merge(o.byPlatform)
    }
}
