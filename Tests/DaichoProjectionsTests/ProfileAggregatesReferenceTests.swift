import Foundation
import Testing
import Daicho
import DaichoJSON
@testable import DaichoProjections
import DaichoTestSupport

// ProfileAggregates against a plain reference model computed from the complete list of materialized events,
// on seeded random event sets applied in random orders and split across 2–4 profiles that are then absorbed.

/// One NDJSON event line and the log offset it is applied with.
struct LoggedLine {
    var line: String
    var offset: UInt64
}

/// Encodes `lines` (in the given order) into one batch and calls `body` with each decoded event and its offset.
func forEachEvent(_ lines: [LoggedLine], _ body: (EventView, UInt64, Bool) throws -> Void) throws {
    guard !lines.isEmpty else { return }
    var encoder = EventLineEncoder()
    var builder = BatchBuilder()
    var offsets: [String: UInt64] = [:]
    for l in lines {
        let reason = Array(l.line.utf8).withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
        #expect(reason == nil, "\(l.line): \(reason ?? "")")
        let id = (try JSONSerialization.jsonObject(with: Data(l.line.utf8)) as! [String: Any])["id"] as! String
        offsets[id] = l.offset
    }
    var payload: [UInt8] = []
    _ = builder.makePayload(into: &payload)
    var first = true
    _ = try payload.withUnsafeBytes { p in
        try BatchDecoder().forEach(in: p) { e in
            try body(e, offsets[String(decoding: e.id, as: UTF8.self)]!, first)
            first = false
        }
    }
}

/// Applies `lines` to `profile` as one batch.
func apply(_ lines: [LoggedLine], to profile: inout ProfileAggregates, table: SymbolTable, config: ProfileConfig) throws {
    var symbols = SymbolCache()
    try forEachEvent(lines) { e, offset, first in
        if first { symbols.reset(dynamicCount: e.strings.dynamicCount) }
        profile.apply(e, offset: offset, symbols: &symbols, table: table, config: config)
    }
}

/// Materializes `lines` into events with their offsets.
func materialize(_ lines: [LoggedLine]) throws -> [(event: Event, offset: UInt64)] {
    var out: [(Event, UInt64)] = []
    try forEachEvent(lines) { e, offset, _ in out.append((try e.materialize(), offset)) }
    return out
}

// MARK: - Reference model

/// docs/profile.md computed the obvious way from all events. Amounts in the test data have at most two decimals
/// and sentiments are hundredths, so the reference sums them exactly as integers of hundredths.
/// The settings are docs/profile.md's defaults written here (not read from `ProfileConfig`), except the zone.
func referenceMembers(_ events: [(event: Event, offset: UInt64)], asOf: Int64, zone: TimeZone) -> [JSONMember] {
    let sessionGap: Int64 = 30 * 60 * 1_000_000, topPathCount = 10, rfmCurrency = "JPY"
    func time(_ t: Int64?) -> JSONValue { t.map { .string(RFC3339.string(micros: $0, offsetMinutes: 0)) } ?? .null }
    func hundredths(_ v: JSONValue?) -> Int64? {
        switch v {
        case .int(let i)?: return i * 100
        case .double(let d)?: return Int64((d * 100).rounded())
        default: return nil
        }
    }
    func number(_ h: Int64, over n: Int64) -> JSONValue { h % (100 * n) == 0 ? .int(h / (100 * n)) : .double(Double(h) / Double(100 * n)) }
    func later(_ a: (Int64, UInt64), _ b: (Int64, UInt64)) -> Bool { a.0 > b.0 || (a.0 == b.0 && a.1 > b.1) }
    func day(_ t: Int64) -> Int64 {
        let local = t + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t) / 1e6))) * 1_000_000
        return Int64((Double(local) / 86_400_000_000).rounded(.down))
    }
    func counts(_ keys: [String]) -> JSONValue {
        .object(Dictionary(keys.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }.map { JSONMember($0.key, .int(Int64($0.value))) })
    }
    func string(_ v: JSONValue?) -> String? { if case .string(let s)? = v { return s }; return nil }
    func of(_ type: EventType) -> [(event: Event, offset: UInt64)] { events.filter { $0.event.type == type } }

    var traits: [String: (value: JSONValue, at: Int64, offset: UInt64)] = [:]
    for (e, offset) in of(.identify) {
        guard case .object(let members)? = e.props?["traits"] else { continue }
        for m in members where traits[m.key].map({ later((e.at, offset), ($0.at, $0.offset)) }) ?? true {
            traits[m.key] = (m.value, e.at, offset)
        }
    }

    let views = of(.pageView)
    let times = views.map(\.event.at).sorted()
    let sessions = times.isEmpty ? 0 : 1 + zip(times, times.dropFirst()).filter { $1 - $0 > sessionGap }.count
    let lastView = views.max { later(($1.event.at, $1.offset), ($0.event.at, $0.offset)) }
    let paths = views.compactMap { string($0.event.props?["path"]) }
    let pathCounts: [String: Int] = Dictionary(paths.map { ($0, 1) }, uniquingKeysWith: +)
    let ranked = pathCounts.sorted { (a: (key: String, value: Int), b: (key: String, value: Int)) -> Bool in
        a.value != b.value ? a.value > b.value : a.key < b.key
    }
    var top: [JSONValue] = []
    for (path, count) in ranked.prefix(topPathCount) {
        top.append(.object([JSONMember("path", .string(path)), JSONMember("count", .int(Int64(count)))]))
    }
    let dwell = views.compactMap { e -> Int64? in if case .int(let i)? = e.event.props?["dwell_ms"] { return i }; return nil }.reduce(0, +)

    let purchases = of(.purchase)
    var latestOrder: [String: (at: Int64, offset: UInt64, currency: String, hundredths: Int64)] = [:]
    for (e, offset) in purchases {
        let id = string(e.props?["order_id"])!
        if latestOrder[id].map({ later((e.at, offset), ($0.at, $0.offset)) }) ?? true {
            latestOrder[id] = (e.at, offset, string(e.props?["currency"])!, hundredths(e.props?["amount"])!)
        }
    }
    let revenue = Dictionary(latestOrder.values.map { ($0.currency, $0.hundredths) }, uniquingKeysWith: +)
        .sorted { $0.key < $1.key }.map { JSONMember($0.key, number($0.value, over: 1)) }
    var perDay: [Int64: Int64] = [:]
    for (e, _) in purchases where string(e.props?["currency"]) == rfmCurrency {
        perDay[day(e.at), default: 0] += hundredths(e.props?["amount"])!
    }
    let days = perDay.keys.sorted()
    var rfm: [JSONMember] = ["frequency", "recency_days", "age_days", "monetary"].map { JSONMember($0, .null) }
    if let first = days.first, let last = days.last {
        let frequency = Int64(days.count - 1)
        let repeatTotal = days.dropFirst().map { perDay[$0]! }.reduce(0, +)
        rfm = [JSONMember("frequency", .int(frequency)), JSONMember("recency_days", .int(last - first)),
               JSONMember("age_days", .int(day(asOf) - first)),
               JSONMember("monetary", frequency == 0 ? .int(0) : number(repeatTotal, over: frequency))]
    }

    let inquiries = of(.inquiry)
    let categories = inquiries.compactMap { string($0.event.props?["category"]) }
    let open = inquiries.filter { ["open", "pending", nil].contains(string($0.event.props?["status"])) }.count
    let mentions = of(.socialMention)
    let sentiments = mentions.compactMap { hundredths($0.event.props?["sentiment"]) }
    let reach = mentions.compactMap { e -> Int64? in if case .int(let i)? = e.event.props?["reach"] { return i }; return nil }.reduce(0, +)

    return [
        JSONMember("traits", .object(traits.sorted { $0.key < $1.key }.map { JSONMember($0.key, $0.value.value) })),
        JSONMember("first_seen", time(events.map(\.event.at).min())),
        JSONMember("last_seen", time(events.map(\.event.at).max())),
        JSONMember("channels", .array(Set(events.compactMap(\.event.source)).sorted().map { .string($0) })),
        JSONMember("events", .int(Int64(events.count))),
        JSONMember("web", .object([
            JSONMember("page_views", .int(Int64(views.count))), JSONMember("sessions", .int(Int64(sessions))),
            JSONMember("dwell_ms", .int(dwell)),
            JSONMember("last_page", string(lastView?.event.props?["path"]).map { .string($0) } ?? .null),
            JSONMember("top_paths", .array(top)),
        ])),
        JSONMember("commerce", .object([
            JSONMember("orders", .int(Int64(latestOrder.count))), JSONMember("revenue", .object(revenue)),
            JSONMember("first_order_at", time(purchases.map(\.event.at).min())),
            JSONMember("last_order_at", time(purchases.map(\.event.at).max())),
        ] + rfm)),
        JSONMember("support", .object([
            JSONMember("inquiries", .int(Int64(inquiries.count))),
            JSONMember("by_category", .object(["complaint", "question", "request", "opinion"].map { c in
                JSONMember(c, .int(Int64(categories.filter { $0 == c }.count))) })),
            JSONMember("by_channel", counts(inquiries.compactMap { string($0.event.props?["channel"]) })),
            JSONMember("open", .int(Int64(open))),
            JSONMember("last_inquiry_at", time(inquiries.map(\.event.at).max())),
        ])),
        JSONMember("social", .object([
            JSONMember("mentions", .int(Int64(mentions.count))),
            JSONMember("by_platform", counts(mentions.compactMap { string($0.event.props?["platform"]) })),
            JSONMember("avg_sentiment", sentiments.isEmpty ? .null : .double(Double(sentiments.reduce(0, +)) / Double(100 * sentiments.count))),
            JSONMember("reach", .int(reach)),
            JSONMember("last_mention_at", time(mentions.map(\.event.at).max())),
        ])),
    ]
}

// MARK: - Random events

/// A seeded random profile history: every event type, repeated order ids, same-`at` ties, late events.
func randomLines(count: Int, using g: inout SeededGenerator) -> [LoggedLine] {
    let base: Int64 = 1_772_323_200_000_000 // 2026-03-01T00:00:00Z
    func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &g)] }
    func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &g) < p }
    var lines: [LoggedLine] = []
    for i in 0..<count {
        // Minutes over ten days, clustered so sessions form; a few identical times to exercise offset ties.
        let minute = chance(0.1) ? 600 : Int64(pick([0, 1, 2, 3, 4])) * 2_880 + Int64.random(in: 0..<240, using: &g) * pick([1, 5, 20])
        let at = RFC3339.string(micros: base + minute * 60_000_000 + (chance(0.5) ? 0 : Int64.random(in: 0..<60, using: &g) * 1_000_000),
                                offsetMinutes: pick([0, 540, -300]))
        var fields = "\"id\":\"e\(i)\",\"at\":\"\(at)\",\"ids\":{\"user_id\":\"U-1\",\"anonymous_id\":\"a-1\"}"
        if chance(0.8) { fields += ",\"source\":\"\(pick(["web", "app", "store", "kiosk-7"]))\"" }
        let props: String
        switch Int.random(in: 0..<10, using: &g) {
        case 0..<4:
            var p: [String] = []
            // Twelve paths, more than `top_paths` lists, fewer than the 64 counted exactly.
            let paths = ["/", "/items/1", "/items/2", "/items/3", "/items/4", "/items/5", "/items/6", "/cart", "/search",
                         "/ページ", "/help", "/news"]
            if chance(0.85) { p.append("\"path\":\"\(pick(paths))\"") }
            if chance(0.7) { p.append("\"dwell_ms\":\(Int.random(in: 0..<90_000, using: &g))") }
            props = "\"type\":\"page_view\",\"props\":{\(p.joined(separator: ","))}"
        case 4, 5:
            let cents = Int.random(in: 0..<500_000, using: &g)
            let amount = chance(0.5) ? String(cents / 100 * 100 / 100) : String(format: "%d.%02d", cents / 100, cents % 100)
            let currency = chance(0.8) ? "JPY" : "USD"
            props = "\"type\":\"purchase\",\"props\":{\"order_id\":\"o\(Int.random(in: 0..<6, using: &g))\",\"amount\":\(amount),\"currency\":\"\(currency)\"" +
                (chance(0.5) ? ",\"items\":[{\"sku\":\"S1\",\"qty\":1,\"price\":\(amount)}]" : "") + "}"
        case 6:
            var p = ["\"channel\":\"\(pick(["email", "phone", "chat", "form", "line-works"]))\"",
                     "\"category\":\"\(pick(["complaint", "question", "request", "opinion"]))\""]
            if chance(0.7) { p.append("\"status\":\"\(pick(["open", "pending", "resolved", "closed"]))\"") }
            props = "\"type\":\"inquiry\",\"props\":{\(p.joined(separator: ","))}"
        case 7:
            var p = ["\"platform\":\"\(pick(["x", "instagram", "mastodon"]))\""]
            if chance(0.7) { p.append("\"sentiment\":\(Double(Int.random(in: -100...100, using: &g)) / 100)") }
            if chance(0.7) { p.append("\"reach\":\(Int.random(in: 0..<10_000, using: &g))") }
            props = "\"type\":\"social_mention\",\"props\":{\(p.joined(separator: ","))}"
        case 8:
            let values = ["\"Sato\"", "\"Suzuki\"", "42", "3.5", "true", "null", "[1,\"a\",{\"b\":false}]", "{\"city\":\"Osaka\",\"zip\":[5,3]}"]
            let keys = ["name", "plan", "age", "prefs", "vip"]
            var used = Set<String>()
            var p: [String] = []
            for _ in 0..<Int.random(in: 1...3, using: &g) {
                let k = pick(keys)
                if used.insert(k).inserted { p.append("\"\(k)\":\(pick(values))") }
            }
            props = "\"type\":\"identify\",\"props\":{\"traits\":{\(p.joined(separator: ","))}}"
        default:
            props = chance(0.5) ? "\"type\":\"track\",\"props\":{\"event\":\"signup\"}" : "\"type\":\"link\""
        }
        lines.append(LoggedLine(line: "{\(fields),\(props)}", offset: UInt64(i) * 3 + 7))
    }
    return lines
}

@Suite("Profile aggregates against the reference model")
struct ProfileAggregatesReferenceTests {
    static let asOf: Int64 = 1_773_446_400_000_000 // 2026-03-14T00:00:00Z

    @Test("Random histories in random orders and splits equal the reference", arguments: [
        (UInt64(1), "Asia/Tokyo"), (2, "UTC"), (3, "America/New_York"), (4, "Asia/Tokyo"), (5, "Europe/London"),
    ])
    func randomHistoriesMatchReference(seed: UInt64, zone: String) throws {
        var g = SeededGenerator(seed: seed)
        let config = ProfileConfig(businessTimeZone: TimeZone(identifier: zone)!) // the other settings: defaults
        let table = SymbolTable()
        for _ in 0..<20 {
            let lines = randomLines(count: Int.random(in: 1...60, using: &g), using: &g)
            let expected = referenceMembers(try materialize(lines), asOf: Self.asOf, zone: TimeZone(identifier: zone)!)

            var inOrder = ProfileAggregates()
            try apply(lines, to: &inOrder, table: table, config: config)
            #expect(inOrder.members(asOf: Self.asOf, table: table, config: config) == expected)

            // A random order, one event per batch for part of it.
            var shuffled = ProfileAggregates()
            let order = lines.shuffled(using: &g)
            for chunk in stride(from: 0, to: order.count, by: 7) {
                try apply(Array(order[chunk..<min(chunk + 7, order.count)]), to: &shuffled, table: table, config: config)
            }
            #expect(shuffled == inOrder)

            // Split across 2–4 profiles, each in a random order, absorbed in a random order.
            let parts = Int.random(in: 2...4, using: &g)
            var split = [[LoggedLine]](repeating: [], count: parts)
            for l in order { split[Int.random(in: 0..<parts, using: &g)].append(l) }
            var profiles: [ProfileAggregates] = []
            for part in split {
                var p = ProfileAggregates()
                try apply(part.shuffled(using: &g), to: &p, table: table, config: config)
                profiles.append(p)
            }
            profiles.shuffle(using: &g)
            var merged = profiles[0]
            for p in profiles.dropFirst() { merged.absorb(p) }
            #expect(merged == inOrder)
            #expect(merged.members(asOf: Self.asOf, table: table, config: config) == expected)
            // Absorbing shares section boxes; later writes to either side must not leak into the other.
            let before = profiles
            try apply([LoggedLine(line: lines[0].line.replacingOccurrences(of: "\"id\":\"e0\"", with: "\"id\":\"late\""), offset: 1)],
                      to: &merged, table: table, config: config)
            #expect(profiles == before)
        }
    }
}
