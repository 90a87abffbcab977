// Panel 5: inquiries per ISO week by category, opened (left stack) and closed (right, lighter), and the open
// count at the range's end.

extension ReportPage {
    func vocPanel() -> String {
        let voc = dashboard.voc, weeks = dashboard.range.weeks
        let openAtEnd = HTML.element("p", [("class", "figures")],
            HTML.element("strong", [("data-figure", "open_at_end"), ("data-value", "\(voc.openAtEnd)")],
                         HTML.escape(t(.openAtEnd, ["count": Format.count(voc.openAtEnd)]))))
        guard !noEvents, voc.categories.contains(where: { $0.opened + $0.closed > 0 }) else {
            return section(5, voc.reading, openAtEnd + emptyNote(.noInquiries), quiet: true)
        }
        func series(_ k: Int, _ c: Dashboard.Category, closed: Bool) -> ChartSeries {
            let values = closed ? c.closedPerWeek : c.openedPerWeek
            let name = ReportMessages.category(c.category, language) + " — " + t(closed ? .closed : .opened)
            return ChartSeries(name: name, key: c.category, measure: closed ? "closed" : "opened",
                               values: values.map { Double($0) }, exact: values.map { "\($0)" },
                               summary: Format.count(closed ? c.closed : c.opened), colour: Palette.colour(k), light: closed)
        }
        let opened = voc.categories.enumerated().map { series($0, $1, closed: false) }
        let closed = voc.categories.enumerated().map { series($0, $1, closed: true) }
        let chart = TimeChart(panel: "voc", title: t(.panelVoC), slots: weeks.count, ticks: Periods.weekTicks(weeks),
                              stacks: [opened, closed])
        let legend = voc.categories.enumerated().map { k, c in
            ChartSeries(name: ReportMessages.category(c.category, language), key: c.category, values: [], exact: [],
                        summary: "", colour: Palette.colour(k))
        }
        var rows = weeks.indices.map { w in
            [HTML.escape(weeks[w])] + voc.categories.map { "\(Format.count($0.openedPerWeek[w])) / \(Format.count($0.closedPerWeek[w]))" }
        }
        rows.append([HTML.escape(t(.total))] + voc.categories.map { "\(Format.count($0.opened)) / \(Format.count($0.closed))" })
        let table = HTML.table([HTML.escape(t(.week))] + voc.categories.map { HTML.escape(ReportMessages.category($0.category, language)) },
                               rows, numeric: Set(1...voc.categories.count),
                               caption: HTML.escape("\(t(.opened)) / \(t(.closed))"), totalRows: 1)
        return section(5, voc.reading, openAtEnd + figure(chart.svg(), legend: legend, note: t(.vocLegend)) + table)
    }
}
