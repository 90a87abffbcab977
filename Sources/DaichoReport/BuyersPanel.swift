// Panel 3: new vs returning buyers per day as stacked bars, with the range's share of returning buyers.

extension ReportPage {
    func buyersPanel() -> String {
        let buyers = dashboard.buyers, days = dashboard.range.days
        guard !noEvents, buyers.new + buyers.returning > 0 else { return section(3, buyers.reading, emptyNote(.noBuyers), quiet: true) }
        let series = [
            ChartSeries(name: t(.newBuyers), key: "new", values: buyers.newPerDay.map { Double($0) },
                        exact: buyers.newPerDay.map { "\($0)" }, summary: Format.count(buyers.new), colour: Palette.colour(0)),
            ChartSeries(name: t(.returningBuyers), key: "returning", values: buyers.returningPerDay.map { Double($0) },
                        exact: buyers.returningPerDay.map { "\($0)" }, summary: Format.count(buyers.returning),
                        colour: Palette.colour(1)),
        ]
        let chart = TimeChart(panel: "buyers", title: t(.panelBuyers), slots: days.count,
                              ticks: Periods.dayTicks(days, language), stacks: [series])
        let figures = HTML.element("p", [("class", "figures")],
            HTML.escape("\(t(.newBuyers)) \(Format.count(buyers.new)) · \(t(.returningBuyers)) \(Format.count(buyers.returning)) · \(t(.returningShare)) ")
                + HTML.element("strong", [("data-figure", "returning_share"), ("data-value", Format.exact(buyers.returningShare))],
                               HTML.escape(Format.share(buyers.returningShare, language))))
        var rows = Periods.tableRows(days).map { row in
            [HTML.escape(row.label), Format.count(sum(buyers.newPerDay, row.days)), Format.count(sum(buyers.returningPerDay, row.days))]
        }
        rows.append([HTML.escape(t(.total)), Format.count(buyers.new), Format.count(buyers.returning)])
        let table = HTML.table([periodHeader, t(.newBuyers), t(.returningBuyers)].map(HTML.escape), rows, numeric: [1, 2], totalRows: 1)
        return section(3, buyers.reading, figures + figure(chart.svg(), legend: series) + monthlyNote + table)
    }
}
