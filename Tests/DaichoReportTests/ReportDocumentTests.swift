import DaichoJSON
@testable import DaichoReport
import Foundation
import Testing

/// The file as a file: well-formed, self-contained, escaped, small, and saying plainly when a range is empty.
@Suite("Report document")
struct ReportDocumentTests {
    @Test("well-formed, no script, no external resource, every customer string escaped",
          arguments: ReportFiguresTests.cases, ReportLanguage.allCases)
    func selfContained(_ c: (UInt64, Int, String, Bool), _ language: ReportLanguage) throws {
        let sample = DashboardSample.make(seed: c.0, dayCount: c.1, start: c.2, empty: c.3)
        let (html, doc) = try ReportFiguresTests.render(sample, language)
        let lower = html.lowercased()
        #expect(!lower.contains("<script") && !lower.contains("http://") && !lower.contains("https://"))
        #expect(!lower.contains("url(") && !lower.contains("@import"))
        let forbidden: Set<String> = ["script", "img", "image", "link", "iframe", "object", "embed", "use", "foreignObject"]
        for e in doc.elements {
            #expect(!forbidden.contains(e.name), "<\(e.name)>")
            for name in e.attributes.keys {
                #expect(name != "src" && name != "xlink:href" && !name.hasPrefix("on"), "\(name) on <\(e.name)>")
            }
            if let href = e.attributes["href"] { #expect(href.hasPrefix("#")) }
        }
        #expect(doc.elements.first { $0.name == "html" }?.attributes["lang"] == language.rawValue)
        let titlePage = doc.elements.filter { $0.name == "dd" }.map(\.text)
        #expect(Array(titlePage.prefix(4)) == ["\(sample.days.first!) – \(sample.days.last!)", "Asia/Tokyo",
                                               sample.asOf ?? ReportMessages.text(.asOfLatest, language), "/srv/daicho <&> データ"])
        let readings = doc.elements.filter { $0.attributes["class"] == "reading" }.map(\.text)
        #expect(readings == [String](repeating: language == .ja ? sample.reading.0 : sample.reading.1, count: 7))
        #expect(doc.elements.filter { $0.attributes["class"]?.hasPrefix("panel") == true }.count == 7)
        let headings = doc.elements.filter { $0.name == "h2" }.map(\.text).dropFirst()  // after the contents' heading
        let titles: [ReportMessage] = [.panelEvents, .panelRevenue, .panelBuyers, .panelRFM, .panelVoC, .panelSocial, .panelIdentity]
        #expect(Array(headings) == titles.enumerated().map { "\($0 + 1). " + ReportMessages.text($1, language) })
    }

    @Test("a range with no events says so in every panel and draws no chart", arguments: ReportLanguage.allCases)
    func emptyRange(_ language: ReportLanguage) throws {
        let sample = DashboardSample.make(seed: 11, dayCount: 30, empty: true)
        let (_, doc) = try ReportFiguresTests.render(sample, language)
        let notes = doc.elements.filter { $0.attributes["class"] == "empty" }.map(\.text)
        #expect(notes == [String](repeating: ReportMessages.text(.noEvents, language), count: 7))
        #expect(doc.elements(with: "data-values").isEmpty)
        #expect(doc.elements.filter { $0.attributes["class"] == "panel quiet" }.count == 6)  // identity still lists kinds
        #expect(doc.elements.filter { $0.name == "svg" }.map { $0.attributes["data-panel"] } == ["identity"])  // profiles per kind
    }

    @Test("a panel without its kind of event says so while the others draw")
    func emptyPanels() throws {
        var sample = DashboardSample.make(seed: 12, dayCount: 20)
        sample.currencies = []
        sample.bySource = []
        sample.platforms = []
        let (_, doc) = try ReportFiguresTests.render(sample, .en)
        let notes = doc.elements.filter { $0.attributes["class"] == "empty" }.map(\.text)
        #expect(notes == ["No purchases in this period", "No mentions in this period"])
        #expect(!doc.elements(with: "data-values").isEmpty)
    }

    @Test("a year of days stays compact: under 1 MB, one path per series, monthly ticks")
    func yearIsSmall() throws {
        let sample = DashboardSample.make(seed: 4, dayCount: 365)
        let (html, doc) = try ReportFiguresTests.render(sample, .ja)
        #expect(html.utf8.count < 1_000_000, "\(html.utf8.count) bytes")
        let series = sample.types.count + sample.currencies.count + 2 + sample.categories.count * 2 + sample.platforms.count * 2 + 3
        let paths = doc.elements.filter { $0.name == "path" }.count
        #expect(paths <= series + 8 * 2 + sample.platforms.count + 3)  // grid and axis per chart, dots of lone points
        let eventTicks = doc.elements.enumerated().filter { $0.element.attributes["class"] == "xl" && doc.panel(of: $0.offset) == "events" }
        #expect(eventTicks.map(\.element.text) == ["2026年1月"] + (2...12).map { "\($0)月" })
    }

    @Test("a single day draws its figures (dots, not an invisible line)")
    func singleDay() throws {
        let sample = DashboardSample.make(seed: 1, dayCount: 1)
        let (_, doc) = try ReportFiguresTests.render(sample, .en)
        let dots = doc.elements.filter { $0.attributes["class"] == "dots" }
        #expect(dots.count >= sample.currencies.count + 3)
    }
}
