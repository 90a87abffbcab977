// Panel 1: events per day by type, stacked bars.

extension ReportPage {
    func eventsPanel() -> String {
        let events = dashboard.events, days = dashboard.range.days
        guard !noEvents, !events.types.isEmpty else { return section(1, events.reading, emptyNote(.noEvents), quiet: true) }
        let series = events.types.enumerated().map { k, type in
            ChartSeries(name: type.type, key: type.type, values: type.perDay.map { Double($0) },
                        exact: type.perDay.map { "\($0)" }, summary: Format.count(type.total), colour: Palette.colour(k))
        }
        let chart = TimeChart(panel: "events", title: t(.panelEvents), slots: days.count,
                              ticks: Periods.dayTicks(days, language), stacks: [series])
        var rows = Periods.tableRows(days).map { row in
            [HTML.escape(row.label)] + events.types.map { Format.count(sum($0.perDay, row.days)) }
                + [Format.count(events.types.reduce(0) { $0 + sum($1.perDay, row.days) })]
        }
        rows.append([HTML.escape(t(.total))] + events.types.map { Format.count($0.total) }
                    + [Format.count(events.types.reduce(0) { $0 + $1.total })])
        let table = HTML.table([HTML.escape(periodHeader)] + events.types.map { HTML.escape($0.type) } + [HTML.escape(t(.total))],
                               rows, numeric: Set(1...(events.types.count + 1)), totalRows: 1)
        return section(1, events.reading, figure(chart.svg(), legend: series) + monthlyNote + table)
    }
}
