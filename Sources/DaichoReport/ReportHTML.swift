// `daicho report`'s HTML: the dashboard object (docs/console.md "The dashboard object") as one self-contained,
// printable file. docs/console.md "Report" describes what each page shows.

/// Renders the dashboard object as the report's HTML file.
public enum ReportHTML {
    /// One self-contained HTML file for the dashboard object `dashboard`: a title page and the seven panels, each
    /// with an inline SVG chart, a table of its exact figures and its reading in `language`.
    ///
    /// The file has inline CSS and SVG only: no script, no external resource. Every drawn series carries the
    /// exact figures it draws (`data-values`, `data-value`, `<title>`), so a reader can check them against the JSON.
    /// - Parameters:
    ///   - dashboard: The dashboard object's JSON bytes, as `daicho report --format json` prints them.
    ///   - language: The language of the labels and readings.
    ///   - dataDirectory: The data directory the figures come from, named on the title page.
    /// - Returns: The HTML file's UTF-8 bytes.
    /// - Throws: ``ReportError`` when `dashboard` is not a dashboard object (names the bad field).
    /// - Complexity: O(size of the object); a year of days gives a file well under 1 MB.
    public static func render(dashboard: [UInt8], language: ReportLanguage, dataDirectory: String) throws -> [UInt8] {
        let object = try DashboardReader.read(dashboard)
        return Array(ReportPage(dashboard: object, language: language, dataDirectory: dataDirectory).html().utf8)
    }
}

/// The report's pages for one dashboard object in one language.
struct ReportPage {
    let dashboard: Dashboard
    let language: ReportLanguage
    let dataDirectory: String

    /// The panels in order: anchor id and title.
    var panels: [(id: String, title: ReportMessage)] {
        [("p-events", .panelEvents), ("p-revenue", .panelRevenue), ("p-buyers", .panelBuyers), ("p-rfm", .panelRFM),
         ("p-voc", .panelVoC), ("p-social", .panelSocial), ("p-identity", .panelIdentity)]
    }

    /// The whole file.
    func html() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += HTML.element("title", [], HTML.escape("台帳 Daicho — \(t(.reportTitle)) \(dashboard.range.from) – \(dashboard.range.to)"))
        out += HTML.element("style", [], ReportStyle.css)
        out += "</head><body>"
        out += titlePage()
        out += "<main>"
        out += eventsPanel() + revenuePanel() + buyersPanel() + rfmPanel() + vocPanel() + socialPanel() + identityPanel()
        return out + "</main></body></html>\n"
    }

    /// The label `key` in the report's language.
    func t(_ key: ReportMessage, _ values: [String: String] = [:]) -> String {
        ReportMessages.text(key, language, values)
    }

    /// Whether the range holds no event at all (every panel then says so).
    var noEvents: Bool { dashboard.totals.eventsInRange == 0 }

    /// A panel's section: its numbered heading, its reading as the caption, and its content (markup). A panel with
    /// nothing drawn (`quiet`) starts no new printed page of its own.
    func section(_ number: Int, _ reading: Dashboard.Reading, _ content: String, quiet: Bool = false) -> String {
        let panel = panels[number - 1]
        return HTML.element("section", [("class", quiet ? "panel quiet" : "panel"), ("id", panel.id)],
                            HTML.element("h2", [], "\(number). " + HTML.escape(t(panel.title)))
                                + HTML.element("p", [("class", "reading")], HTML.escape(reading.text(language)))
                                + content)
    }

    /// The "nothing in this period" box.
    func emptyNote(_ key: ReportMessage) -> String {
        HTML.element("p", [("class", "empty")], HTML.escape(t(noEvents ? .noEvents : key)))
    }

    /// A chart with its legend, kept together on one page.
    func figure(_ svg: String, legend: [ChartSeries] = [], note: String? = nil) -> String {
        var content = svg
        if !legend.isEmpty { content += Palette.legend(legend) }
        if let note { content += HTML.element("figcaption", [], HTML.escape(note)) }
        return HTML.element("figure", [], content)
    }

    /// The first column's header of a per-day table, and a note when rows are months.
    var periodHeader: String { t(dashboard.range.days.count > Periods.dailyTableLimit ? .month : .day) }
    var monthlyNote: String {
        dashboard.range.days.count > Periods.dailyTableLimit
            ? HTML.element("p", [("class", "note")], HTML.escape(t(.monthlyTable))) : ""
    }

    /// Sum of `values` over `days`.
    func sum(_ values: [Int64], _ days: Range<Int>) -> Int64 { values[days].reduce(0, +) }
}
