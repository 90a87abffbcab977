// The report's first page: product, period, data directory, what was counted, and the contents.

extension ReportPage {
    func titlePage() -> String {
        let range = dashboard.range, totals = dashboard.totals
        var items: [(ReportMessage, String, [(String, String)])] = [
            (.period, "\(range.from) – \(range.to)", []),
            (.timeZone, range.timeZone, []),
            (.asOf, range.asOf ?? t(.asOfLatest), []),
            (.dataDirectory, dataDirectory, []),
        ]
        items += [
            (.eventsInLog, Format.count(totals.events), [("data-total", "events"), ("data-value", "\(totals.events)")]),
            (.eventsInRange, Format.count(totals.eventsInRange),
             [("data-total", "events_in_range"), ("data-value", "\(totals.eventsInRange)")]),
            (.profiles, Format.count(totals.profiles), [("data-total", "profiles"), ("data-value", "\(totals.profiles)")]),
            (.logEndOffset, Format.count(totals.logEndOffset),
             [("data-total", "log_end_offset"), ("data-value", "\(totals.logEndOffset)")]),
        ]
        var list = ""
        for (key, value, data) in items {
            list += HTML.element("dt", [], HTML.escape(t(key))) + HTML.element("dd", data, HTML.escape(value))
        }
        var contents = ""
        for (number, panel) in panels.enumerated() {
            contents += HTML.element("li", [], HTML.element("a", [("href", "#" + panel.id)], HTML.escape("\(number + 1). " + t(panel.title))))
        }
        let note = t(.generatedNote, ["dir": dataDirectory, "offset": Format.count(totals.logEndOffset)])
        return HTML.element("header", [("class", "title-page")],
                            HTML.element("p", [("class", "product")], "台帳 Daicho")
                                + HTML.element("h1", [], HTML.escape(t(.reportTitle)))
                                + HTML.element("p", [("class", "period")], HTML.escape("\(range.from) – \(range.to)"))
                                + HTML.element("dl", [], list)
                                + HTML.element("p", [("class", "note")], HTML.escape(note))
                                + HTML.element("nav", [], HTML.element("h2", [], HTML.escape(t(.contents)))
                                    + HTML.element("ul", [("class", "contents")], contents)))
    }
}
