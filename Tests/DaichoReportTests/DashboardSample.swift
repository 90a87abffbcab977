// A seeded generator of valid dashboard objects (docs/console.md "The dashboard object") for the report tests:
// the figures are kept as Swift values so a test can compare what the HTML draws with what the JSON said.

import DaichoJSON
import Foundation

/// One dashboard object's figures, written to JSON by ``json()``.
struct DashboardSample {
    struct TypeRow { var type: String; var perDay: [Int64] }
    struct CurrencyRow { var currency: String; var perDay: [String]; var total: String; var orders: Int64 }
    struct SourceRow { var currency: String; var source: String; var revenue: String; var orders: Int64 }
    struct Cell { var r: Int; var f: Int; var customers: Int64; var revenue: String }
    struct CategoryRow { var category: String; var opened: [Int64]; var closed: [Int64] }
    struct PlatformRow { var platform: String; var mentions: [Int64]; var sentiment: [Double?]; var reach: [Int64]; var mean: Double? }

    var days: [String]
    var weeks: [String]
    var timeZone = "Asia/Tokyo"
    var asOf: String?
    var totals: (events: Int64, profiles: Int64, inRange: Int64, offset: Int64) = (0, 0, 0, 0)
    var types: [TypeRow] = []
    var currencies: [CurrencyRow] = []
    var bySource: [SourceRow] = []
    var newPerDay: [Int64]
    var returningPerDay: [Int64]
    var returningShare = 0.0
    var rfmCurrency: String?
    var rfmCustomers: Int64 = 0
    var recencyBounds: [Int64?] = [nil, nil, nil, nil]
    var frequencyBounds: [Int64?] = [nil, nil, nil, nil]
    var cells: [Cell] = []
    var categories: [CategoryRow] = []
    var openAtEnd: Int64 = 0
    var platforms: [PlatformRow] = []
    var merges: [Int64]
    var refused: [Int64]
    var newProfiles: [Int64]
    var profilesByKind: [(String, Int64)] = []
    var reading = ("期間の読み取り <b>&</b>", "Reading of the period <b>&</b>")

    /// Strings a customer's data can put into a report: Japanese, markup, quotes and ampersands.
    static let hostileNames = ["店舗・渋谷", "<script>alert(1)</script>", "\"quoted\" & 'apos'", "line&amp;<br>",
                               "メルマガ（春）", "</svg><p>"]

    /// A sample over `dayCount` days from `start`, every figure drawn from `seed`; `empty` gives a range with no
    /// events at all.
    static func make(seed: UInt64, dayCount: Int, start: String = "2026-01-01", empty: Bool = false) -> DashboardSample {
        var g = SeededGenerator(seed: seed)
        let days = Self.days(from: start, count: dayCount)
        let weekOfDay = days.map(Self.isoWeek)
        var weeks: [String] = []
        for w in weekOfDay where weeks.last != w { weeks.append(w) }
        let zeros = [Int64](repeating: 0, count: dayCount)
        var s = DashboardSample(days: days, weeks: weeks, newPerDay: zeros, returningPerDay: zeros, merges: zeros,
                                refused: zeros, newProfiles: zeros)
        s.asOf = Bool.random(using: &g) ? "2026-06-30T12:00:00+09:00" : nil
        s.profilesByKind = [("user_id", Int64.random(in: 0...90_000, using: &g)), ("email", Int64.random(in: 0...120_000, using: &g)),
                            ("x", 3)]
        s.categories = ["complaint", "question", "request", "opinion"].map {
            CategoryRow(category: $0, opened: [Int64](repeating: 0, count: weeks.count), closed: [Int64](repeating: 0, count: weeks.count))
        }
        s.cells = (1...5).reversed().flatMap { r in (1...5).map { Cell(r: r, f: $0, customers: 0, revenue: "0") } }
        s.totals = (Int64.random(in: 0...1_000_000, using: &g), Int64.random(in: 0...136_000, using: &g), 0, 0)
        s.totals.offset = s.totals.events
        guard !empty else { return s }

        func series(_ top: Int64, sparse: Bool = false) -> [Int64] {
            (0..<dayCount).map { _ in sparse && Bool.random(using: &g) ? 0 : Int64.random(in: 0...top, using: &g) }
        }
        let allTypes = ["page_view", "track", "identify", "purchase", "inquiry", "social_mention", "link"]
        s.types = allTypes.filter { _ in Int.random(in: 0..<4, using: &g) > 0 }.map { TypeRow(type: $0, perDay: series(5_000, sparse: true)) }
        if s.types.isEmpty { s.types = [TypeRow(type: "page_view", perDay: series(9))] }
        s.types[0].perDay[0] += 1  // at least one event in the range
        s.totals.inRange = s.types.reduce(0) { $0 + $1.perDay.reduce(0, +) }
        s.totals.events += s.totals.inRange
        s.totals.offset = s.totals.events

        for (k, code) in ["EUR", "JPY", "USD"].enumerated() where k == 1 || Bool.random(using: &g) {
            let scale: Int64 = code == "JPY" ? 1 : 100
            let units = (0..<dayCount).map { _ in Bool.random(using: &g) ? Int64.random(in: 0...2_000_000, using: &g) : 0 }
            let sources = Self.hostileNames.shuffled(using: &g).prefix(Int.random(in: 1...4, using: &g)) + ["(none)", "web"]
            var rows = sources.map { SourceRow(currency: code, source: $0, revenue: Self.money(Int64.random(in: 0...9_000_000, using: &g), scale), orders: Int64.random(in: 0...400, using: &g)) }
            rows.sort { Double($0.revenue)! > Double($1.revenue)! }
            s.bySource += rows
            s.currencies.append(CurrencyRow(currency: code, perDay: units.map { Self.money($0, scale) },
                                            total: Self.money(units.reduce(0, +), scale), orders: Int64.random(in: 1...5_000, using: &g)))
        }
        s.newPerDay = series(40)
        s.returningPerDay = series(25, sparse: true)
        let new = s.newPerDay.reduce(0, +), returning = s.returningPerDay.reduce(0, +)
        s.returningShare = new + returning == 0 ? 0 : Double(returning) / Double(new + returning)

        s.rfmCurrency = "JPY"
        for k in s.cells.indices where Bool.random(using: &g) {
            s.cells[k].customers = Int64.random(in: 1...3_000, using: &g)
            s.cells[k].revenue = Self.money(Int64.random(in: 0...90_000_000, using: &g), 1)
        }
        s.cells[3].customers += 1
        s.rfmCustomers = s.cells.reduce(0) { $0 + $1.customers }
        s.recencyBounds = [3, 10, 30, 90]
        s.frequencyBounds = [0, nil, 1, 4]  // ties left quintile 2 empty

        let weekCount = weeks.count
        for k in s.categories.indices {
            s.categories[k].opened = (0..<weekCount).map { _ in Int64.random(in: 0...30, using: &g) }
            s.categories[k].closed = (0..<weekCount).map { _ in Int64.random(in: 0...30, using: &g) }
        }
        s.categories.append(CategoryRow(category: Self.hostileNames[Int.random(in: 0..<Self.hostileNames.count, using: &g)],
                                        opened: (0..<weekCount).map { _ in 1 }, closed: (0..<weekCount).map { _ in 0 }))
        s.openAtEnd = Int64.random(in: 0...200, using: &g)

        for name in ["x", "instagram", "ライン", "<img src=x onerror=alert(1)>"] where Bool.random(using: &g) || name == "x" {
            let mentions = (0..<weekCount).map { _ in Int64.random(in: 0...60, using: &g) }
            let sentiment: [Double?] = mentions.map { m in
                m == 0 || Int.random(in: 0..<5, using: &g) == 0 ? nil : Double(Int.random(in: -999...999, using: &g)) / 1000 + 1e-9 * Double(m)
            }
            let reach = mentions.map { $0 * Int64.random(in: 0...900, using: &g) }
            s.platforms.append(PlatformRow(platform: name, mentions: mentions, sentiment: sentiment, reach: reach,
                                           mean: sentiment.compactMap { $0 }.isEmpty ? nil : 0.125))
        }
        s.merges = series(6, sparse: true)
        s.refused = series(2, sparse: true)
        s.newProfiles = series(70)
        return s
    }

    /// `count` consecutive `YYYY-MM-DD` days from `start`.
    static func days(from start: String, count: Int) -> [String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = start.split(separator: "-").map { Int($0)! }
        let first = calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
        return (0..<count).map { k in
            let c = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: k, to: first)!)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
    }

    /// The ISO week (`YYYY-Www`) of a `YYYY-MM-DD` day.
    static func isoWeek(_ day: String) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = day.split(separator: "-").map { Int($0)! }
        let date = calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
        let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
    }

    /// `units` hundredths (scale 100) or whole units (scale 1) as the shortest exact decimal.
    static func money(_ units: Int64, _ scale: Int64) -> String {
        guard scale == 100, units % 100 != 0 else { return "\(units / scale)" }
        let cents = units % 100
        return cents % 10 == 0 ? "\(units / 100).\(cents / 10)" : String(format: "%lld.%02lld", units / 100, cents)
    }

    // MARK: JSON

    /// The dashboard object's JSON, as the dashboard module writes it.
    func json() -> [UInt8] {
        let w = Writer()
        w.object {
            w.key("range"); w.object {
                w.key("from"); w.string(days.first!); w.key("to"); w.string(days.last!)
                w.key("days"); w.array(days) { w.string($0) }
                w.key("weeks"); w.array(weeks) { w.string($0) }
                w.key("time_zone"); w.string(timeZone)
                w.key("as_of"); if let asOf { w.string(asOf) } else { w.null() }
            }
            w.key("totals"); w.object {
                w.key("events"); w.int(totals.events); w.key("profiles"); w.int(totals.profiles)
                w.key("events_in_range"); w.int(totals.inRange); w.key("log_end_offset"); w.int(totals.offset)
            }
            w.key("events"); w.object {
                w.key("types"); w.array(types) { t in w.object {
                    w.key("type"); w.string(t.type); w.key("per_day"); w.ints(t.perDay); w.key("total"); w.int(t.perDay.reduce(0, +))
                } }
                w.reading(reading)
            }
            w.key("revenue"); w.object {
                w.key("currencies"); w.array(currencies) { c in w.object {
                    w.key("currency"); w.string(c.currency); w.key("per_day"); w.array(c.perDay) { w.string($0) }
                    w.key("total"); w.string(c.total); w.key("orders"); w.int(c.orders)
                } }
                w.key("by_source"); w.array(bySource) { s in w.object {
                    w.key("currency"); w.string(s.currency); w.key("source"); w.string(s.source)
                    w.key("revenue"); w.string(s.revenue); w.key("orders"); w.int(s.orders)
                } }
                w.reading(reading)
            }
            w.key("buyers"); w.object {
                w.key("new_per_day"); w.ints(newPerDay); w.key("returning_per_day"); w.ints(returningPerDay)
                w.key("new"); w.int(newPerDay.reduce(0, +)); w.key("returning"); w.int(returningPerDay.reduce(0, +))
                w.key("returning_share"); w.double(returningShare)
                w.reading(reading)
            }
            w.key("rfm"); w.object {
                w.key("currency"); if let rfmCurrency { w.string(rfmCurrency) } else { w.null() }
                w.key("customers"); w.int(rfmCustomers)
                w.key("recency_bounds"); w.array(recencyBounds) { if let b = $0 { w.int(b) } else { w.null() } }
                w.key("frequency_bounds"); w.array(frequencyBounds) { if let b = $0 { w.int(b) } else { w.null() } }
                w.key("cells"); w.array(cells) { c in w.object {
                    w.key("r"); w.int(Int64(c.r)); w.key("f"); w.int(Int64(c.f))
                    w.key("customers"); w.int(c.customers); w.key("revenue"); w.string(c.revenue)
                } }
                w.reading(reading)
            }
            w.key("voc"); w.object {
                w.key("categories"); w.array(categories) { c in w.object {
                    w.key("category"); w.string(c.category)
                    w.key("opened_per_week"); w.ints(c.opened); w.key("closed_per_week"); w.ints(c.closed)
                    w.key("opened"); w.int(c.opened.reduce(0, +)); w.key("closed"); w.int(c.closed.reduce(0, +))
                } }
                w.key("open_at_end"); w.int(openAtEnd)
                w.reading(reading)
            }
            w.key("social"); w.object {
                w.key("platforms"); w.array(platforms) { p in w.object {
                    w.key("platform"); w.string(p.platform); w.key("mentions_per_week"); w.ints(p.mentions)
                    w.key("sentiment_per_week"); w.array(p.sentiment) { if let v = $0 { w.double(v) } else { w.null() } }
                    w.key("reach_per_week"); w.ints(p.reach); w.key("mentions"); w.int(p.mentions.reduce(0, +))
                    w.key("sentiment"); if let mean = p.mean { w.double(mean) } else { w.null() }
                } }
                w.reading(reading)
            }
            w.key("identity"); w.object {
                w.key("merges_per_day"); w.ints(merges); w.key("refused_per_day"); w.ints(refused)
                w.key("new_profiles_per_day"); w.ints(newProfiles)
                w.key("merges"); w.int(merges.reduce(0, +)); w.key("refused"); w.int(refused.reduce(0, +))
                w.key("new_profiles"); w.int(newProfiles.reduce(0, +))
                w.key("profiles_by_kind"); w.object { for (kind, n) in profilesByKind { w.key(kind); w.int(n) } }
                w.reading(reading)
            }
        }
        return w.out
    }

    /// A small JSON writer over DaichoJSON's JSONWriter that places the commas.
    final class Writer {
        var out: [UInt8] = []
        var first = [true]

        func separate() {
            if !first[first.count - 1] { out.append(UInt8(ascii: ",")) }
            first[first.count - 1] = false
        }
        func object(_ body: () -> Void) {
            separate(); out.append(UInt8(ascii: "{")); first.append(true); body(); first.removeLast(); out.append(UInt8(ascii: "}"))
        }
        func array<T>(_ items: [T], _ body: (T) -> Void) {
            separate(); out.append(UInt8(ascii: "[")); first.append(true)
            for item in items { body(item) }
            first.removeLast(); out.append(UInt8(ascii: "]"))
        }
        func key(_ k: String) {
            separate(); JSONWriter.appendString(k, to: &out); out.append(UInt8(ascii: ":")); first[first.count - 1] = true
        }
        func string(_ s: String) { separate(); JSONWriter.appendString(s, to: &out) }
        func int(_ v: Int64) { separate(); JSONWriter.appendInt(v, to: &out) }
        func ints(_ v: [Int64]) { array(v) { int($0) } }
        func double(_ v: Double) { separate(); JSONWriter.appendDouble(v, to: &out) }
        func null() { separate(); out.append(contentsOf: "null".utf8) }
        func reading(_ r: (String, String)) {
            key("reading"); object { key("ja"); string(r.0); key("en"); string(r.1) }
        }
    }
}
