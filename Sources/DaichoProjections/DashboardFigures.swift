import Daicho
import DaichoJSON
import Foundation

// The dashboard panels read from the aggregates (events, revenue, buyers, voice of the customer, social,
// identity): each aggregate entry is visited once and added to the per-day or per-week arrays of its range.

/// The panels of one dashboard, summed over its range (docs/console.md "The dashboard object").
struct DashboardFigures {
    let projection: ProfileProjection
    let range: DashboardRange
    /// The ISO weeks of the range's days, in order, and each day's index among them.
    let weeks: [String]
    let weekOfDay: [Int]

    /// Per event type code 1…7: per-day counts.
    var eventsPerType: [[Int64]]
    var eventsTotal: Int64 = 0
    var newBuyers: [Int64], returningBuyers: [Int64]
    var merges: [Int64], refused: [Int64], newProfiles: [Int64]
    /// Per currency dimension: per-day revenue and the orders.
    var revenue: [UInt16: (perDay: [Int128], orders: Int64)] = [:]
    /// Per (currency, source) dimensions.
    var bySource: [UInt32: (revenue: Int128, orders: Int64)] = [:]
    /// Per category 0…4: per-week opened and closed.
    var opened: [[Int64]], closed: [[Int64]]
    /// Inquiries opened on the range's last day or before (the open count at its end).
    var openAtEnd: Int64 = 0
    /// Per platform dimension: per-week mentions, sentiment count and sum, reach.
    var social: [UInt16: [DashboardMentions]] = [:]

    init(_ projection: ProfileProjection, range: DashboardRange) {
        self.projection = projection
        self.range = range
        var weeks: [String] = [], weekOfDay: [Int] = []
        for day in range.from...range.to {
            let w = DashboardDate.week(day)
            if weeks.last != w { weeks.append(w) }
            weekOfDay.append(weeks.count - 1)
        }
        self.weeks = weeks
        self.weekOfDay = weekOfDay
        let zeros = [Int64](repeating: 0, count: range.count)
        eventsPerType = Array(repeating: zeros, count: 7)
        (newBuyers, returningBuyers, merges, refused, newProfiles) = (zeros, zeros, zeros, zeros, zeros)
        let weekZeros = [Int64](repeating: 0, count: weeks.count)
        opened = Array(repeating: weekZeros, count: DashboardAggregates.categoryNames.count)
        closed = opened
        let a = projection.dashboard
        for (day, f) in a.allDays {
            for t in 0..<7 { eventsTotal += f.events[t] }
            guard let i = range.index(day) else { continue }
            for t in 0..<7 { eventsPerType[t][i] += f.events[t] }
            newBuyers[i] += f.newBuyers
            returningBuyers[i] += f.returningBuyers
            merges[i] += f.merges
            refused[i] += f.refused
            newProfiles[i] += f.newProfiles
        }
        for (key, cell) in a.purchases {
            let (day, currency, source) = DashboardAggregates.parts(key)
            guard let i = range.index(day) else { continue }
            var c = revenue[currency] ?? (Array(repeating: 0, count: range.count), 0)
            c.perDay[i] += cell.revenue
            c.orders += cell.orders
            revenue[currency] = c
            bySource[UInt32(currency) << 16 | UInt32(source), default: (0, 0)].revenue += cell.revenue
            bySource[UInt32(currency) << 16 | UInt32(source), default: (0, 0)].orders += cell.orders
        }
        for (key, cell) in a.inquiries {
            let (day, category, _) = DashboardAggregates.parts(key)
            if day <= range.to { openAtEnd += cell.opened }
            guard let i = range.index(day) else { continue }
            opened[Int(category)][weekOfDay[i]] += cell.opened
            closed[Int(category)][weekOfDay[i]] += cell.closed
        }
        for (key, cell) in a.mentions {
            let (day, _, platform) = DashboardAggregates.parts(key)
            guard let i = range.index(day) else { continue }
            var perWeek = social[platform] ?? Array(repeating: DashboardMentions(), count: weeks.count)
            perWeek[weekOfDay[i]].mentions += cell.mentions
            perWeek[weekOfDay[i]].sentimentCount += cell.sentimentCount
            perWeek[weekOfDay[i]].sentimentSum += cell.sentimentSum
            perWeek[weekOfDay[i]].reach += cell.reach
            social[platform] = perWeek
        }
    }

    /// The text of dimension `d`: its symbol, `(none)` or `(other)`.
    func name(_ d: UInt16) -> String {
        d == 0 ? "(none)" : d == DashboardAggregates.otherDimension ? "(other)"
            : projection.symbols.string(Symbol(raw: projection.dashboard.dimensionSymbols[Int(d)]))
    }

    /// The zone's IANA name; Foundation on Linux names `UTC` (the default business time zone) `GMT`.
    static func zoneName(_ zone: TimeZone) -> String { zone.identifier == "GMT" ? "UTC" : zone.identifier }

    static func ints(_ values: [Int64]) -> JSONValue { .array(values.map { .int($0) }) }

    /// A mean sentiment in [-1, 1] from µ-units, or null without any.
    static func sentiment(_ m: DashboardMentions) -> JSONValue {
        m.sentimentCount == 0 ? .null : .double(Double(m.sentimentSum) / (Double(m.sentimentCount) * 1_000_000))
    }

    var rangeJSON: JSONValue {
        .object([
            JSONMember("from", .string(DashboardDate.string(range.from))),
            JSONMember("to", .string(DashboardDate.string(range.to))),
            JSONMember("days", .array((range.from...range.to).map { .string(DashboardDate.string($0)) })),
            JSONMember("weeks", .array(weeks.map { .string($0) })),
            JSONMember("time_zone", .string(Self.zoneName(projection.config.businessTimeZone))),
            JSONMember("as_of", projection.asOf.map { .string(RFC3339.string(micros: $0, offsetMinutes: 0)) } ?? .null),
        ])
    }

    var totalsJSON: JSONValue {
        .object([
            JSONMember("events", .int(eventsTotal)),
            JSONMember("profiles", .int(Int64(projection.profileCount))),
            JSONMember("events_in_range", .int(eventsPerType.reduce(0) { $0 + $1.reduce(0, +) })),
            JSONMember("log_end_offset", .int(Int64(projection.nextOffset))),
        ])
    }

    var eventsJSON: JSONValue {
        let types = (0..<7).filter { eventsPerType[$0].contains { $0 != 0 } }.map { t in
            JSONValue.object([
                JSONMember("type", .string(EventType(rawValue: UInt8(t + 1))!.name)),
                JSONMember("per_day", Self.ints(eventsPerType[t])),
                JSONMember("total", .int(eventsPerType[t].reduce(0, +))),
            ])
        }
        return .object([JSONMember("types", .array(types)), JSONMember("reading", DashboardReadings.events(self))])
    }

    /// Currencies with their names, sorted by code.
    var currencies: [(name: String, perDay: [Int128], total: Int128, orders: Int64)] {
        revenue.map { (name($0.key), $0.value.perDay, $0.value.perDay.reduce(0, +), $0.value.orders) }
            .sorted { $0.name < $1.name }
    }

    /// (currency, source) rows sorted by currency, revenue descending, source.
    var sources: [(currency: String, source: String, revenue: Int128, orders: Int64)] {
        bySource.map { (name(UInt16($0.key >> 16)), name(UInt16(truncatingIfNeeded: $0.key)), $0.value.revenue, $0.value.orders) }
            .sorted { ($0.currency, -$0.revenue, $0.source) < ($1.currency, -$1.revenue, $1.source) }
    }

    var revenueJSON: JSONValue {
        .object([
            JSONMember("currencies", .array(currencies.map { c in
                .object([
                    JSONMember("currency", .string(c.name)),
                    JSONMember("per_day", .array(c.perDay.map { .string(Dashboard.money($0)) })),
                    JSONMember("total", .string(Dashboard.money(c.total))),
                    JSONMember("orders", .int(c.orders)),
                ])
            })),
            JSONMember("by_source", .array(sources.map { s in
                .object([
                    JSONMember("currency", .string(s.currency)),
                    JSONMember("source", .string(s.source)),
                    JSONMember("revenue", .string(Dashboard.money(s.revenue))),
                    JSONMember("orders", .int(s.orders)),
                ])
            })),
            JSONMember("reading", DashboardReadings.revenue(self)),
        ])
    }

    var buyersTotals: (new: Int64, returning: Int64) { (newBuyers.reduce(0, +), returningBuyers.reduce(0, +)) }

    var buyersJSON: JSONValue {
        let (new, returning) = buyersTotals
        return .object([
            JSONMember("new_per_day", Self.ints(newBuyers)),
            JSONMember("returning_per_day", Self.ints(returningBuyers)),
            JSONMember("new", .int(new)),
            JSONMember("returning", .int(returning)),
            JSONMember("returning_share", .double(new + returning == 0 ? 0 : Double(returning) / Double(new + returning))),
            JSONMember("reading", DashboardReadings.buyers(self)),
        ])
    }

    /// The categories shown: the four, then `(none)` when an inquiry had no known category.
    var categories: [Int] { (0..<4) + (opened[4].contains { $0 != 0 } || closed[4].contains { $0 != 0 } ? [4] : []) }

    var vocJSON: JSONValue {
        .object([
            JSONMember("categories", .array(categories.map { c in
                .object([
                    JSONMember("category", .string(DashboardAggregates.categoryNames[c])),
                    JSONMember("opened_per_week", Self.ints(opened[c])),
                    JSONMember("closed_per_week", Self.ints(closed[c])),
                    JSONMember("opened", .int(opened[c].reduce(0, +))),
                    JSONMember("closed", .int(closed[c].reduce(0, +))),
                ])
            })),
            JSONMember("open_at_end", .int(openAtEnd)),
            JSONMember("reading", DashboardReadings.voc(self)),
        ])
    }

    /// Platforms sorted by mentions descending, then name, with their weeks and the range's total.
    var platforms: [(name: String, weeks: [DashboardMentions], total: DashboardMentions)] {
        social.map { platform, weeks in
            var total = DashboardMentions()
            for w in weeks {
                total.mentions += w.mentions
                total.sentimentCount += w.sentimentCount
                total.sentimentSum += w.sentimentSum
                total.reach += w.reach
            }
            return (name(platform), weeks, total)
        }.sorted { ($1.total.mentions, $0.name) < ($0.total.mentions, $1.name) }
    }

    var socialJSON: JSONValue {
        .object([
            JSONMember("platforms", .array(platforms.map { p in
                .object([
                    JSONMember("platform", .string(p.name)),
                    JSONMember("mentions_per_week", Self.ints(p.weeks.map(\.mentions))),
                    JSONMember("sentiment_per_week", .array(p.weeks.map(Self.sentiment))),
                    JSONMember("reach_per_week", Self.ints(p.weeks.map(\.reach))),
                    JSONMember("mentions", .int(p.total.mentions)),
                    JSONMember("sentiment", Self.sentiment(p.total)),
                ])
            })),
            JSONMember("reading", DashboardReadings.social(self)),
        ])
    }

    /// Living profiles holding at least one identifier of each kind, for the kinds with any.
    var profilesByKind: [(kind: String, profiles: Int64)] {
        let graph = projection.graph
        var counts = [Int64](repeating: 0, count: IdentifierKind.all.count)
        for p in 0..<UInt32(graph.profileNumbers) where graph.isAlive(p) {
            for k in IdentifierKind.all where graph.identifierCount(of: p, kind: k.code) > 0 { counts[Int(k.code)] += 1 }
        }
        return IdentifierKind.all.filter { counts[Int($0.code)] > 0 }.map { ($0.name, counts[Int($0.code)]) }
    }

    var identityJSON: JSONValue {
        .object([
            JSONMember("merges_per_day", Self.ints(merges)),
            JSONMember("refused_per_day", Self.ints(refused)),
            JSONMember("new_profiles_per_day", Self.ints(newProfiles)),
            JSONMember("merges", .int(merges.reduce(0, +))),
            JSONMember("refused", .int(refused.reduce(0, +))),
            JSONMember("new_profiles", .int(newProfiles.reduce(0, +))),
            JSONMember("profiles_by_kind", .object(profilesByKind.map { JSONMember($0.kind, .int($0.profiles)) })),
            JSONMember("reading", DashboardReadings.identity(self)),
        ])
    }
}
