// Panel 6: social mentions per ISO week by platform (stacked bars, left axis) and mean sentiment per week and
// platform (lines on a −1…1 axis at the right, broken where no mention carried a sentiment).

extension ReportPage {
    func socialPanel() -> String {
        let social = dashboard.social, weeks = dashboard.range.weeks
        guard !noEvents, social.platforms.contains(where: { $0.mentions > 0 }) else {
            return section(6, social.reading, emptyNote(.noMentions), quiet: true)
        }
        let mentions = social.platforms.enumerated().map { k, p in
            ChartSeries(name: p.platform, key: p.platform, measure: "mentions", values: p.mentionsPerWeek.map { Double($0) },
                        exact: p.mentionsPerWeek.map { "\($0)" }, summary: Format.count(p.mentions), colour: Palette.colour(k))
        }
        let sentiments = social.platforms.enumerated().map { k, p in
            ChartSeries(name: "\(p.platform) — \(t(.sentiment))", key: p.platform, measure: "sentiment",
                        values: p.sentimentPerWeek, exact: p.sentimentPerWeek.map(Format.exact),
                        summary: Format.sentiment(p.sentiment), colour: Palette.colour(k))
        }
        let chart = TimeChart(panel: "social", title: t(.panelSocial), slots: weeks.count, ticks: Periods.weekTicks(weeks),
                              stacks: [mentions], signedLines: sentiments)
        let summary = HTML.table(
            [t(.platform), t(.mentions), t(.sentiment), t(.reach)].map(HTML.escape),
            social.platforms.map { p in
                [HTML.escape(p.platform), Format.count(p.mentions),
                 HTML.element("span", [("data-figure", "sentiment"), ("data-platform", p.platform), ("data-value", Format.exact(p.sentiment))],
                              Format.sentiment(p.sentiment)),
                 Format.count(p.reachPerWeek.reduce(0, +))]
            }, numeric: [1, 2, 3])
        var rows: [[String]] = []
        for w in weeks.indices {
            for p in social.platforms where p.mentionsPerWeek[w] > 0 || p.reachPerWeek[w] > 0 || p.sentimentPerWeek[w] != nil {
                rows.append([HTML.escape(weeks[w]), HTML.escape(p.platform), Format.count(p.mentionsPerWeek[w]),
                             Format.sentiment(p.sentimentPerWeek[w]), Format.count(p.reachPerWeek[w])])
            }
        }
        let weekly = HTML.table([t(.week), t(.platform), t(.mentions), t(.sentiment), t(.reach)].map(HTML.escape), rows,
                                numeric: [2, 3, 4])
        return section(6, social.reading, figure(chart.svg(), legend: mentions, note: t(.socialLegend)) + summary + weekly)
    }
}
