import DaichoJSON
@testable import DaichoReport
import Foundation
import Testing

/// Renders seeded dashboard objects and reads back every figure the report draws: each must be the JSON's.
@Suite("Report figures")
struct ReportFiguresTests {
    /// (seed, days, first day, empty range)
    static let cases: [(UInt64, Int, String, Bool)] = [
        (1, 1, "2026-03-15", false), (2, 7, "2026-01-01", false), (3, 45, "2026-02-10", false),
        (4, 365, "2026-01-01", false), (5, 90, "2025-12-20", false), (6, 400, "2025-12-01", false),
        (7, 30, "2026-01-01", true), (8, 1, "2026-01-01", true), (9, 63, "2026-04-01", false),
    ]

    static func render(_ sample: DashboardSample, _ language: ReportLanguage) throws -> (String, MarkupDocument) {
        let bytes = try ReportHTML.render(dashboard: sample.json(), language: language, dataDirectory: "/srv/daicho <&> データ")
        let html = String(decoding: bytes, as: UTF8.self)
        return (html, try MarkupDocument(html))
    }

    /// What the sample says must be drawn, in the same form.
    static func expectedSeries(_ s: DashboardSample) -> [String: [String]] {
        var out: [String: [String]] = [:]
        func ints(_ v: [Int64]) -> [String] { v.map { "\($0)" } }
        guard s.totals.inRange > 0 else { return out }
        for t in s.types { out["events|\(t.type)|"] = ints(t.perDay) }
        for c in s.currencies { out["revenue|\(c.currency)|"] = c.perDay }
        if (s.newPerDay + s.returningPerDay).reduce(0, +) > 0 {
            out["buyers|new|"] = ints(s.newPerDay)
            out["buyers|returning|"] = ints(s.returningPerDay)
        }
        if s.categories.contains(where: { ($0.opened + $0.closed).reduce(0, +) > 0 }) {
            for c in s.categories {
                out["voc|\(c.category)|opened"] = ints(c.opened)
                out["voc|\(c.category)|closed"] = ints(c.closed)
            }
        }
        if s.platforms.contains(where: { $0.mentions.reduce(0, +) > 0 }) {
            for p in s.platforms {
                out["social|\(p.platform)|mentions"] = ints(p.mentions)
                out["social|\(p.platform)|sentiment"] = p.sentiment.map { $0.map { "\($0)" } ?? "null" }
            }
        }
        if (s.merges + s.refused + s.newProfiles).reduce(0, +) > 0 {
            out["identity|merges|"] = ints(s.merges)
            out["identity|refused|"] = ints(s.refused)
            out["identity|new_profiles|"] = ints(s.newProfiles)
        }
        return out
    }

    @Test("every series drawn carries exactly the per-day and per-week figures of the JSON",
          arguments: cases, ReportLanguage.allCases)
    func series(_ c: (UInt64, Int, String, Bool), _ language: ReportLanguage) throws {
        let sample = DashboardSample.make(seed: c.0, dayCount: c.1, start: c.2, empty: c.3)
        let (_, doc) = try Self.render(sample, language)
        let drawn = doc.drawnSeries(), expected = Self.expectedSeries(sample)
        #expect(Set(drawn.keys) == Set(expected.keys))
        #expect(doc.elements(with: "data-values").count == drawn.count)  // no series drawn twice
        for (key, values) in expected {
            let got = drawn[key] ?? []
            if key.hasSuffix("|sentiment") {  // doubles: equal as numbers, nulls where the JSON has null
                #expect(got.map { $0 == "null" ? nil : Double($0) } == values.map { $0 == "null" ? nil : Double($0) }, "\(key)")
            } else {
                #expect(got == values, "\(key)")
            }
        }
    }

    @Test("bars, RFM cells, totals and single figures carry the JSON's values", arguments: cases)
    func figures(_ c: (UInt64, Int, String, Bool)) throws {
        let sample = DashboardSample.make(seed: c.0, dayCount: c.1, start: c.2, empty: c.3)
        let (_, doc) = try Self.render(sample, .en)
        let totals = Dictionary(uniqueKeysWithValues: doc.elements(with: "data-total").map {
            ($0.element.attributes["data-total"]!, Int64($0.element.attributes["data-value"]!)!)
        })
        #expect(totals == ["events": sample.totals.events, "profiles": sample.totals.profiles,
                           "events_in_range": sample.totals.inRange, "log_end_offset": sample.totals.offset])
        let kinds = doc.elements(with: "data-kind").map { ($0.element.attributes["data-kind"]!, Int64($0.element.attributes["data-value"]!)!) }
        #expect(kinds.map(\.0) == sample.profilesByKind.map(\.0) && kinds.map(\.1) == sample.profilesByKind.map(\.1))
        let openAtEnd = doc.elements(with: "data-figure").filter { $0.element.attributes["data-figure"] == "open_at_end" }
        #expect(openAtEnd.map { $0.element.attributes["data-value"] } == ["\(sample.openAtEnd)"])
        guard sample.totals.inRange > 0 else {
            #expect(doc.elements(with: "data-r").isEmpty && doc.elements(with: "data-source").isEmpty)
            return
        }
        let sources = doc.elements(with: "data-source").map { e in
            [e.element.attributes["data-currency"]!, e.element.attributes["data-source"]!, e.element.attributes["data-value"]!,
             e.element.attributes["data-orders"]!]
        }
        #expect(sources == sample.bySource.map { [$0.currency, $0.source, $0.revenue, "\($0.orders)"] })
        let cells = doc.elements(with: "data-r").map { e in
            [e.element.attributes["data-r"]!, e.element.attributes["data-f"]!, e.element.attributes["data-customers"]!,
             e.element.attributes["data-revenue"]!]
        }
        let expectedCells = sample.cells.map { ["\($0.r)", "\($0.f)", "\($0.customers)", $0.revenue] }
        #expect(cells.sorted { $0.lexicographicallyPrecedes($1) } == expectedCells.sorted { $0.lexicographicallyPrecedes($1) })
        let share = doc.elements(with: "data-figure").first { $0.element.attributes["data-figure"] == "returning_share" }
        #expect(share.flatMap { Double($0.element.attributes["data-value"]!) } == sample.returningShare)
        let sentiments = doc.elements(with: "data-platform").map { e in
            (e.element.attributes["data-platform"]!, Double(e.element.attributes["data-value"]!))
        }
        #expect(sentiments.map(\.0) == sample.platforms.map(\.platform))
        #expect(sentiments.map(\.1) == sample.platforms.map(\.mean))
    }

    @Test("per-month table rows are the sums of the days drawn (a plain recount)", arguments: [4, 6] as [UInt64])
    func monthlyTables(seed: UInt64) throws {
        let c = Self.cases.first { $0.0 == seed }!
        let sample = DashboardSample.make(seed: c.0, dayCount: c.1, start: c.2)
        let (_, doc) = try Self.render(sample, .ja)
        let section = doc.elements.firstIndex { $0.attributes["id"] == "p-events" }!
        func inside(_ index: Int) -> Bool {
            var k = doc.elements[index].parent
            while let p = k { if p == section { return true }; k = doc.elements[p].parent }
            return false
        }
        var rows: [Int: [String]] = [:]
        for (k, e) in doc.elements.enumerated() where e.name == "td" && inside(k) { rows[e.parent!, default: []].append(e.text) }
        var months: [String: [Int64]] = [:]
        var order: [String] = []
        for (d, day) in sample.days.enumerated() {
            let month = String(day.prefix(7))
            if months[month] == nil { order.append(month); months[month] = [Int64](repeating: 0, count: sample.types.count) }
            for (t, type) in sample.types.enumerated() { months[month]![t] += type.perDay[d] }
        }
        let table = rows.keys.sorted().map { rows[$0]! }
        #expect(table.count == order.count + 1)  // a row per month and the total row
        for (k, month) in order.enumerated() {
            let numbers = table[k].dropFirst().map { Int64($0.replacingOccurrences(of: ",", with: ""))! }
            #expect(table[k][0] == month)
            #expect(Array(numbers) == months[month]! + [months[month]!.reduce(0, +)], "\(month)")
        }
    }
}
