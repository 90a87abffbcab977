import DaichoJSON
@testable import DaichoReport
import Foundation
import Testing

@Suite("Report parts")
struct ReportPartsTests {
    @Test("the Japanese and English message tables have the same keys, all of them, and the same placeholders")
    func messageTables() {
        func placeholders(_ text: String) -> Set<String> {
            Set(text.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { $0.split(separator: "}").first.map(String.init) })
        }
        #expect(Set(ReportMessages.ja.keys) == Set(ReportMessage.allCases))
        #expect(Set(ReportMessages.en.keys) == Set(ReportMessage.allCases))
        for key in ReportMessage.allCases {
            let ja = ReportMessages.ja[key] ?? "", en = ReportMessages.en[key] ?? ""
            #expect(!ja.isEmpty && !en.isEmpty, "\(key)")
            #expect(placeholders(ja) == placeholders(en), "\(key)")
        }
        #expect(ReportMessages.text(.openAtEnd, .en, ["count": "3"]) == "Open at the period's end: 3")
    }

    @Test("money: exact decimal strings in, exact sums out")
    func money() {
        #expect(Money("19.99")?.units == 19_990_000)
        #expect(Money("-0.5")?.units == -500_000)
        #expect(Money("123456789012345678")?.units == 123_456_789_012_345_678_000_000)
        for bad in ["", "1.", ".5", "1.2345678", "1e3", "--1", "1-", "+1", "1,000"] { #expect(Money(bad) == nil, "\(bad)") }
        #expect(Money.sum(["19.99", "0.01", "4980"].map { Money($0)! }).text == "5000")
        #expect(Money.sum(["0.1", "0.2"].map { Money($0)! }).text == "0.3")
        #expect(Money.sum(["-1.25", "0.000001"].map { Money($0)! }).text == "-1.249999")
        #expect(Format.money(Money("1234567.5")!) == "1,234,567.5" && Format.money(Money("-1000")!) == "-1,000")
        #expect(Format.money(Money("12408.6")!, fractionDigits: 2) == "12,408.60")
        #expect(Format.money(Money("7")!, fractionDigits: 2) == "7.00" && Format.money(Money("0.125")!, fractionDigits: 2) == "0.125")
        #expect(Format.fractionDigits(["1", "2.5", "0.25"].map { Money($0)! }) == 2)
    }

    @Test("quintile bounds read as ranges, ties leaving a quintile empty")
    func quintiles() {
        #expect(ReportPage.quintileRanges([3, 10, 30, 90]) == ["≤3", "4–10", "11–30", "31–90", "≥91"])
        #expect(ReportPage.quintileRanges([0, 0, 1, 4]) == ["≤0", "—", "1", "2–4", "≥5"])
        #expect(ReportPage.quintileRanges([0, nil, 1, 4]) == ["≤0", "—", "1", "2–4", "≥5"])
        #expect(ReportPage.quintileRanges([nil, 7, nil, nil]) == ["—", "≤7", "—", "—", "≥8"])
        #expect(ReportPage.quintileRanges([nil, nil, nil, nil]) == ["—", "—", "—", "—", "≥0"])
    }

    @Test("day axes: about twelve labels whatever the range, months aligned on January past a year")
    func dayTicks() {
        func labels(_ from: String, _ count: Int, _ language: ReportLanguage = .en) -> [String] {
            Periods.dayTicks(DashboardSample.days(from: from, count: count), language).map(\.label)
        }
        #expect(labels("2026-03-15", 1) == ["3/15"])
        #expect(labels("2026-01-01", 14) == ["1/1", "1/3", "1/5", "1/7", "1/9", "1/11", "1/13"])
        #expect(labels("2026-01-01", 62).count <= 12)
        #expect(labels("2025-12-01", 400) == ["Jan 2026", "Mar", "May", "Jul", "Sep", "Nov", "Jan 2027"])
        #expect(labels("2025-12-01", 365) == ["Dec", "Jan 2026"] + ["Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"])
        #expect(labels("2026-02-10", 90) == ["Mar 2026", "Apr", "May"])
        #expect(labels("2020-01-01", 3_660) == (2020...2030).map { "Jan \($0)" })
        #expect(labels("2026-01-01", 365, .ja) == ["2026年1月"] + (2...12).map { "\($0)月" })
        #expect(Periods.weekTicks(["2025-W52", "2026-W01", "2026-W02"]).map(\.label) == ["2025-W52", "2026-W01", "W02"])
    }

    @Test("axes: round steps, and gridlines cover the largest value")
    func axis() {
        #expect(Axis.roundStep(0.3) == 0.5 && Axis.roundStep(7) == 10 && Axis.roundStep(1200) == 2000)
        let a = Axis(values: [0, 3, 17], integral: true)
        #expect(a.low == 0 && a.high >= 17 && a.gridValues.count <= 6)
        let tiny = Axis(values: [0, 1], integral: true)
        #expect(tiny.step == 1 && tiny.high == 1)
        #expect(Format.coordinate(12.25) == "12.3" || Format.coordinate(12.25) == "12.2")
        #expect(Format.coordinate(7) == "7" && Format.coordinate(-0.04) == "0" && Format.coordinate(-0.5) == "-0.5")
    }

    @Test("a dashboard object that breaks the spec is refused with the path of the bad field")
    func refusals() throws {
        var sample = DashboardSample.make(seed: 3, dayCount: 10)
        sample.types[0].perDay.removeLast()
        do {
            _ = try ReportHTML.render(dashboard: sample.json(), language: .en, dataDirectory: "d")
            Issue.record("rendered a short per_day")
        } catch let error as ReportError {
            #expect(error.path == "events.types[0].per_day")
            #expect(error.reason == "expected 10 entries (one per day of range.days), found 9")
        }
        var badDay = DashboardSample.make(seed: 3, dayCount: 10)
        badDay.days[4] = "2026-13-01"
        #expect(throws: ReportError(path: "range.days[4]", reason: "expected a day as YYYY-MM-DD, found the string \"2026-13-01\"")) {
            try ReportHTML.render(dashboard: badDay.json(), language: .en, dataDirectory: "d")
        }
        // Every array of the object is read alike: its length, then each element at its own path.
        func refusal(_ change: (inout DashboardSample) -> Void) throws -> ReportError? {
            var sample = DashboardSample.make(seed: 3, dayCount: 10)
            change(&sample)
            do { _ = try ReportHTML.render(dashboard: sample.json(), language: .en, dataDirectory: "d") } catch let error as ReportError { return error }
            return nil
        }
        let weeks = DashboardSample.make(seed: 3, dayCount: 10).weeks.count
        #expect(try refusal { $0.platforms[0].sentiment.removeLast() }
                == ReportError(path: "social.platforms[0].sentiment_per_week", reason: "expected \(weeks) entries (one per week of range.weeks), found \(weeks - 1)"))
        #expect(try refusal { $0.categories[1].closed.append(0) }
                == ReportError(path: "voc.categories[1].closed_per_week", reason: "expected \(weeks) entries (one per week of range.weeks), found \(weeks + 1)"))
        #expect(try refusal { $0.frequencyBounds.removeLast() } == ReportError(path: "rfm.frequency_bounds", reason: "expected 4 cut points, found 3"))
        #expect(try refusal { $0.cells[0].r = 6 }
                == ReportError(path: "rfm.cells[0]", reason: "r and f must be quintiles 1 to 5, found r 6, f \(DashboardSample.make(seed: 3, dayCount: 10).cells[0].f)"))
        #expect(try refusal { $0.bySource[0].revenue = "12.3.4" }
                == ReportError(path: "revenue.by_source[0].revenue", reason: "expected an exact decimal amount such as \"19.99\", found the string \"12.3.4\""))
        var badMoney = DashboardSample.make(seed: 3, dayCount: 10)
        badMoney.currencies[0].perDay[2] = "1e3"
        #expect(throws: ReportError.self) { try ReportHTML.render(dashboard: badMoney.json(), language: .en, dataDirectory: "d") }
        let infinite = String(decoding: DashboardSample.make(seed: 3, dayCount: 10).json(), as: UTF8.self)
            .replacingOccurrences(of: "\"returning_share\":", with: "\"returning_share\":1e999,\"was\":")
        do {
            _ = try ReportHTML.render(dashboard: Array(infinite.utf8), language: .en, dataDirectory: "d")
            Issue.record("rendered an infinite share")
        } catch let error as ReportError {
            #expect(error.path == "buyers.returning_share" && error.reason == "expected a finite number, found the number 1e999")
        }
        do {
            _ = try ReportHTML.render(dashboard: Array(#"{"range": {}}"#.utf8), language: .ja, dataDirectory: "d")
            Issue.record("rendered an empty range object")
        } catch let error as ReportError {
            #expect(error.description == "dashboard object: range.from: missing")
        }
        do {
            _ = try ReportHTML.render(dashboard: Array("{\"range\": ".utf8), language: .ja, dataDirectory: "d")
            Issue.record("rendered truncated JSON")
        } catch let error as ReportError {
            #expect(error.description.hasPrefix("dashboard object: invalid JSON at byte 10"))
            #expect(error.path.isEmpty && error.cause?.position == 10, "the parser's error is kept as the cause")
        }
    }
}
