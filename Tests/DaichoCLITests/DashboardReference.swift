import Foundation

/// The dashboard object of docs/console.md recomputed plainly from `daicho export --resolve --normalized-ids` and
/// `daicho profiles`: dictionaries per panel, written for clarity, not speed (DashboardReferenceTests). Readings are
/// not recomputed (they are sentences); every number is.
struct DashboardReference {
    /// One exported event.
    struct Event {
        let offset: Int
        let type: String
        let at: Date
        let day: String
        let source: String?
        let profile: String?
        let ids: [String: String]
        let props: [String: Any]
    }

    let zone: TimeZone
    let rfmCurrency: String
    let events: [Event]
    /// The `daicho profiles` lines.
    let profiles: [[String: Any]]

    init(export: String, profiles: String, zone: TimeZone, rfmCurrency: String = "JPY") {
        self.zone = zone
        self.rfmCurrency = rfmCurrency
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let whole = ISO8601DateFormatter()
        events = export.split(separator: "\n").map { line in
            let o = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let text = o["at"] as! String
            let at = fractional.date(from: text) ?? whole.date(from: text)!
            let c = calendar.dateComponents([.year, .month, .day], from: at)
            return Event(offset: o["offset"] as! Int, type: o["type"] as! String, at: at,
                         day: String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!), source: o["source"] as? String,
                         profile: o["profile"] as? String, ids: o["ids"] as? [String: String] ?? [:],
                         props: o["props"] as? [String: Any] ?? [:])
        }
        self.profiles = profiles.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// Refused merges of the profiles (`identity.conflicts.count`: a merge keeps the count of the profiles it
    /// absorbed, not their `recent` lists).
    var refusedTotal: Int {
        profiles.reduce(0) { $0 + (((($1["identity"] as? [String: Any])?["conflicts"] as? [String: Any])?["count"] as? Int) ?? 0) }
    }

    /// Whether every refused merge is listed in its profile's `recent` conflicts, so the per-day refused merges are
    /// complete (a merge drops the absorbed profile's list; more than 10 on one profile drops the oldest).
    var refusedListed: Bool {
        profiles.allSatisfy { p in
            let c = (p["identity"] as? [String: Any])?["conflicts"] as? [String: Any] ?? [:]
            return c["count"] as? Int == (c["recent"] as? [Any])?.count
        }
    }

    static let types = ["page_view", "purchase", "inquiry", "social_mention", "identify", "link", "track"]
    static let categories = ["complaint", "question", "request", "opinion"]

    static func micros(_ v: Any?) -> Int64? { (v as? NSNumber).map { Int64(($0.doubleValue * 1_000_000).rounded()) } }

    static func money(_ micros: Int64) -> String {
        let whole = micros / 1_000_000, fraction = micros % 1_000_000
        if fraction == 0 { return String(whole) }
        var f = String(format: "%06lld", fraction)
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)"
    }

    /// Every day from `from` to `to` as `YYYY-MM-DD`.
    static func days(_ from: String, _ to: String) -> [String] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let f = DateFormatter()
        f.calendar = utc
        f.timeZone = utc.timeZone
        f.dateFormat = "yyyy-MM-dd"
        var day = f.date(from: from)!
        var out: [String] = []
        while f.string(from: day) <= to {
            out.append(f.string(from: day))
            day = utc.date(byAdding: .day, value: 1, to: day)!
        }
        return out
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`.
    static func dayNumber(_ day: String) -> Int {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")!
        f.dateFormat = "yyyy-MM-dd"
        return Int(f.date(from: day)!.timeIntervalSince1970 / 86_400)
    }

    /// The ISO week `YYYY-Www` of a day.
    static func week(_ day: String) -> String {
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = TimeZone(identifier: "UTC")!
        let f = DateFormatter()
        f.timeZone = iso.timeZone
        f.dateFormat = "yyyy-MM-dd"
        let c = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: f.date(from: day)!)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
    }

    /// Kinds that never bridge two known customers (docs/identity.md defaults), and the priority of each kind.
    static let weakKinds: Set<String> = ["anonymous_id", "device_id"]
    static func isStrong(_ id: String) -> Bool { !weakKinds.contains(String(id.prefix { $0 != ":" })) }
    static func priority(_ id: String) -> Int {
        ["user_id": 1, "email": 2, "phone": 3, "device_id": 5, "anonymous_id": 6][String(id.prefix { $0 != ":" })] ?? 4
    }

    /// The purchases counted in revenue: with order id, currency and amount.
    func isCountedPurchase(_ e: Event) -> Bool {
        e.type == "purchase" && e.props["order_id"] is String && e.props["currency"] is String && Self.micros(e.props["amount"]) != nil
    }

    /// The dashboard object for `from`…`to` (readings left out), for a view whose newest offset is `logEnd`.
    func dashboard(from: String, to: String, logEnd: Int) -> [String: Any] {
        let days = Self.days(from, to)
        let inRange = Set(days)
        var weeks: [String] = []
        for d in days where weeks.last != Self.week(d) { weeks.append(Self.week(d)) }
        func perDay(_ count: (String) -> Int) -> [Int] { days.map(count) }

        // Events.
        var eventsByTypeDay: [String: [String: Int]] = [:]
        for e in events { eventsByTypeDay[e.type, default: [:]][e.day, default: 0] += 1 }
        let types: [[String: Any]] = Self.types.compactMap { t in
            let row = perDay { eventsByTypeDay[t]?[$0] ?? 0 }
            return row.reduce(0, +) == 0 ? nil : ["type": t, "per_day": row, "total": row.reduce(0, +)]
        }

        // Revenue and orders.
        var revenue: [String: [String: Int64]] = [:] // currency → day → µ
        var bySource: [String: [String: (revenue: Int64, orders: Int)]] = [:] // currency → source → …
        var seenOrders: Set<String> = []
        var orders: [String: Int] = [:]
        for e in events where isCountedPurchase(e) && inRange.contains(e.day) {
            let currency = e.props["currency"] as! String, source = e.source ?? "(none)"
            revenue[currency, default: [:]][e.day, default: 0] += Self.micros(e.props["amount"])!
            bySource[currency, default: [:]][source, default: (0, 0)].revenue += Self.micros(e.props["amount"])!
        }
        for e in events where isCountedPurchase(e) {
            let id = e.props["order_id"] as! String
            guard !seenOrders.contains(id) else { continue }
            seenOrders.insert(id)
            guard inRange.contains(e.day) else { continue }
            let currency = e.props["currency"] as! String
            orders[currency, default: 0] += 1
            bySource[currency, default: [:]][e.source ?? "(none)", default: (0, 0)].orders += 1
        }
        let currencies: [[String: Any]] = bySource.keys.sorted().map { c in
            let row = days.map { revenue[c]?[$0] ?? 0 }
            return ["currency": c, "per_day": row.map(Self.money), "total": Self.money(row.reduce(0, +)), "orders": orders[c] ?? 0]
        }
        var sources: [(currency: String, source: String, revenue: Int64, orders: Int)] = []
        for (c, rows) in bySource { for (s, v) in rows { sources.append((c, s, v.revenue, v.orders)) } }
        sources.sort { ($0.currency, -$0.revenue, $0.source) < ($1.currency, -$1.revenue, $1.source) }

        let (buyers, identity) = simulateProfiles()
        let newPerDay = perDay { buyers[$0]?.new ?? 0 }, returningPerDay = perDay { buyers[$0]?.returning ?? 0 }
        let new = newPerDay.reduce(0, +), returning = returningPerDay.reduce(0, +)

        // Voice of the customer.
        var opened: [String: [String: Int]] = [:], closed: [String: [String: Int]] = [:]
        var openAtEnd = 0
        for e in events where e.type == "inquiry" {
            let status = e.props["status"] as? String ?? "open"
            let isOpen = status == "open" || status == "pending"
            if isOpen && e.day <= to { openAtEnd += 1 }
            guard inRange.contains(e.day) else { continue }
            let category = e.props["category"] as? String ?? "(none)"
            if isOpen { opened[category, default: [:]][Self.week(e.day), default: 0] += 1 }
            else { closed[category, default: [:]][Self.week(e.day), default: 0] += 1 }
        }
        let categories: [[String: Any]] = Self.categories.map { c in
            let o = weeks.map { opened[c]?[$0] ?? 0 }, cl = weeks.map { closed[c]?[$0] ?? 0 }
            return ["category": c, "opened_per_week": o, "closed_per_week": cl, "opened": o.reduce(0, +), "closed": cl.reduce(0, +)]
        }

        // Social.
        struct Mentions { var count = 0, sentimentCount = 0, sentimentSum: Int64 = 0, reach = 0 }
        var mentions: [String: [String: Mentions]] = [:]
        for e in events where e.type == "social_mention" && inRange.contains(e.day) {
            var m = mentions[e.props["platform"] as? String ?? "(none)", default: [:]][Self.week(e.day), default: Mentions()]
            m.count += 1
            m.reach += (e.props["reach"] as? Int) ?? 0
            if let s = Self.micros(e.props["sentiment"]) { m.sentimentCount += 1; m.sentimentSum += s }
            mentions[e.props["platform"] as? String ?? "(none)", default: [:]][Self.week(e.day)] = m
        }
        func mean(_ m: Mentions) -> Any { m.sentimentCount == 0 ? NSNull() : Double(m.sentimentSum) / (Double(m.sentimentCount) * 1_000_000) }
        let platforms: [[String: Any]] = mentions.map { platform, byWeek -> (String, [Mentions], Mentions) in
            let row = weeks.map { byWeek[$0] ?? Mentions() }
            var total = Mentions()
            for m in row {
                total.count += m.count; total.reach += m.reach
                total.sentimentCount += m.sentimentCount; total.sentimentSum += m.sentimentSum
            }
            return (platform, row, total)
        }.sorted { ($1.2.count, $0.0) < ($0.2.count, $1.0) }.map { p in
            ["platform": p.0, "mentions_per_week": p.1.map(\.count), "sentiment_per_week": p.1.map(mean),
             "reach_per_week": p.1.map(\.reach), "mentions": p.2.count, "sentiment": mean(p.2)]
        }

        // Identity.
        var byKind: [String: Int] = [:]
        for p in profiles {
            for (kind, values) in p["identifiers"] as? [String: [String]] ?? [:] where !values.isEmpty { byKind[kind, default: 0] += 1 }
        }
        let merges = perDay { identity[$0]?.merges ?? 0 }, refused = perDay { identity[$0]?.refused ?? 0 }
        let born = perDay { identity[$0]?.born ?? 0 }

        return [
            "range": ["from": from, "to": to, "days": days, "weeks": weeks, "time_zone": zone.identifier],
            "totals": ["events": events.count, "profiles": profiles.count,
                       "events_in_range": events.filter { inRange.contains($0.day) }.count, "log_end_offset": logEnd],
            "events": ["types": types],
            "revenue": ["currencies": currencies,
                        "by_source": sources.map { ["currency": $0.currency, "source": $0.source, "revenue": Self.money($0.revenue), "orders": $0.orders] }],
            "buyers": ["new_per_day": newPerDay, "returning_per_day": returningPerDay, "new": new, "returning": returning,
                       "returning_share": new + returning == 0 ? 0.0 : Double(returning) / Double(new + returning)],
            "rfm": rfm(from: from, to: to),
            "voc": ["categories": categories, "open_at_end": openAtEnd],
            "social": ["platforms": platforms],
            "identity": ["merges_per_day": merges, "refused_per_day": refused, "new_profiles_per_day": born,
                         "merges": merges.reduce(0, +), "refused": refused.reduce(0, +), "new_profiles": born.reduce(0, +),
                         "profiles_by_kind": byKind],
        ]
    }

    /// Buyers and identity per day, from the profiles as they were when each event was applied: a profile as it
    /// was is a group of the identifiers its final profile holds, joined as events link them (a union-find per
    /// final profile, each identifier joining at the event that attached it: `linked_by`); refused merges come from
    /// the profiles' recorded conflicts.
    func simulateProfiles() -> (buyers: [String: (new: Int, returning: Int)], identity: [String: (merges: Int, refused: Int, born: Int)]) {
        var finalOf: [String: (profile: String, linkedAt: Int)] = [:] // "kind:value" → final profile, attaching event
        for p in profiles {
            for l in (p["identity"] as? [String: Any])?["linked_by"] as? [[String: Any]] ?? [] {
                finalOf["\(l["kind"]!):\(l["value"]!)"] = (p["id"] as! String, l["offset"] as! Int)
            }
        }
        var parent: [String: String] = [:]
        func root(_ x: String) -> String {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        var latestOrders: [String: [String: (at: Date, offset: Int)]] = [:] // group root → order → latest event
        var birth: [String: Int] = [:], strong: [String: Bool] = [:] // group root → its first event, its strength
        var conflictOffsets: Set<Int> = []
        for p in profiles {
            let conflicts = (p["identity"] as? [String: Any])?["conflicts"] as? [String: Any] ?? [:]
            for c in conflicts["recent"] as? [[String: Any]] ?? [] { conflictOffsets.insert(c["offset"] as! Int) }
        }
        var buyers: [String: (new: Int, returning: Int)] = [:]
        var identity: [String: (merges: Int, refused: Int, born: Int)] = [:]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func day(_ at: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: at)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        for e in events {
            guard let profile = e.profile else { continue }
            let ids = e.ids.map { "\($0.key):\($0.value)" }.filter { finalOf[$0]?.profile == profile }
            let attached = ids.filter { finalOf[$0]!.linkedAt < e.offset }, mine = attached + ids.filter { finalOf[$0]!.linkedAt == e.offset }
            // An event none of whose identifiers its profile holds (all refused, yet attributed by priority) reached
            // an existing profile: it is outside this simulation, and the seeded logs hold no such purchase.
            guard !mine.isEmpty else { continue }
            // docs/identity.md "Applying one event": weak identifiers never bridge two known customers.
            var reached: [String] = [], reachedStrongly: [String: Bool] = [:]
            for id in attached {
                let r = root(id)
                if reachedStrongly[r] == nil { reached.append(r) }
                reachedStrongly[r] = (reachedStrongly[r] ?? false) || Self.isStrong(id)
            }
            let strongInEvent = e.ids.keys.contains { !Self.weakKinds.contains($0) }
            // A refused merge (a conflict the profiles list) merges nothing: the event goes by priority, like an
            // ambiguous one (only weak identifiers reaching several known customers).
            let refused = conflictOffsets.contains(e.offset)
            let merging = refused ? [] : strongInEvent ? reached.filter { reachedStrongly[$0]! || !(strong[$0] ?? false) }
                : reached.filter({ strong[$0] ?? false }).count <= 1 ? reached : []
            var group: String
            if refused || (!strongInEvent && merging.isEmpty && !reached.isEmpty) { // the highest-priority identifier's
                let top = mine.min { Self.priority($0) < Self.priority($1) }!
                if attached.contains(top) { group = root(top) } else {
                    group = top
                    birth[group] = e.offset
                    identity[e.day, default: (0, 0, 0)].born += 1
                }
            } else if merging.isEmpty {
                group = mine[0]
                birth[group] = e.offset
                identity[e.day, default: (0, 0, 0)].born += 1
            } else {
                group = merging.min { birth[$0]! < birth[$1]! }!
                identity[e.day, default: (0, 0, 0)].merges += merging.count - 1
                for r in merging where r != group {
                    parent[r] = group
                    if strong[r] ?? false { strong[group] = true }
                    for (order, latest) in latestOrders.removeValue(forKey: r) ?? [:] {
                        if let mine = latestOrders[group]?[order], (mine.at, mine.offset) > (latest.at, latest.offset) { continue }
                        latestOrders[group, default: [:]][order] = latest
                    }
                }
            }
            for id in mine where Self.isStrong(id) && finalOf[id]!.linkedAt == e.offset { strong[group] = true }
            for id in mine where finalOf[id]!.linkedAt == e.offset { parent[id] = group }
            parent[group] = group
            guard isCountedPurchase(e) else { continue }
            let orderDays = Set((latestOrders[group] ?? [:]).values.map { day($0.at) })
            if orderDays.isEmpty || !orderDays.contains(e.day) {
                if orderDays.contains(where: { $0 < e.day }) { buyers[e.day, default: (0, 0)].returning += 1 }
                else { buyers[e.day, default: (0, 0)].new += 1 }
            }
            let order = e.props["order_id"] as! String
            if let latest = latestOrders[group]?[order], (latest.at, latest.offset) > (e.at, e.offset) { continue }
            latestOrders[group, default: [:]][order] = (e.at, e.offset)
        }
        let dayOfOffset = Dictionary(uniqueKeysWithValues: events.map { ($0.offset, $0.day) })
        for p in profiles {
            let conflicts = (p["identity"] as? [String: Any])?["conflicts"] as? [String: Any] ?? [:]
            for c in conflicts["recent"] as? [[String: Any]] ?? [] {
                identity[dayOfOffset[c["offset"] as! Int]!, default: (0, 0, 0)].refused += 1
            }
        }
        return (buyers, identity)
    }

    /// The RFM grid over the final profiles' purchase days in the RFM currency, cut at `to`.
    func rfm(from: String, to: String) -> [String: Any] {
        var dayTotals: [String: [String: Int64]] = [:] // profile → day → µ
        for e in events where isCountedPurchase(e) && e.props["currency"] as? String == rfmCurrency && e.day <= to {
            guard let p = e.profile else { continue }
            dayTotals[p, default: [:]][e.day, default: 0] += Self.micros(e.props["amount"])!
        }
        var customers: [(recency: Int, frequency: Int, revenue: Int64)] = []
        let toDay = Self.dayNumber(to)
        for (_, totals) in dayTotals where totals.keys.contains(where: { $0 >= from }) {
            let last = totals.keys.max()!
            customers.append((toDay - Self.dayNumber(last), totals.count - 1,
                              totals.filter { $0.key >= from }.values.reduce(0, +)))
        }
        func quintiles(_ values: [Int]) -> [Int] {
            let sorted = values.sorted()
            return values.map { v in sorted.firstIndex(of: v)! * 5 / values.count + 1 }
        }
        let r = quintiles(customers.map { -$0.recency }), f = quintiles(customers.map(\.frequency))
        func largest(_ q: Int, _ quintile: [Int], _ value: (Int) -> Int) -> Any {
            customers.indices.filter { quintile[$0] == q }.map(value).max().map { $0 as Any } ?? NSNull()
        }
        var cells: [[String: Any]] = []
        for rq in [5, 4, 3, 2, 1] {
            for fq in 1...5 {
                let members = customers.indices.filter { r[$0] == rq && f[$0] == fq }
                cells.append(["r": rq, "f": fq, "customers": members.count, "revenue": Self.money(members.map { customers[$0].revenue }.reduce(0, +))])
            }
        }
        return ["currency": rfmCurrency, "customers": customers.count,
                "recency_bounds": [5, 4, 3, 2].map { largest($0, r) { customers[$0].recency } },
                "frequency_bounds": [1, 2, 3, 4].map { largest($0, f) { customers[$0].frequency } },
                "cells": cells]
    }
}
