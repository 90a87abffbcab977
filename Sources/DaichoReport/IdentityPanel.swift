// Panel 7: merges, refused merges and new profiles per day (lines), and the living profiles per identifier kind.

extension ReportPage {
    func identityPanel() -> String {
        let identity = dashboard.identity, days = dashboard.range.days
        var content: String
        if noEvents || identity.merges + identity.refused + identity.newProfiles == 0 {
            content = emptyNote(.noIdentityChanges)
        } else {
            func series(_ key: String, _ name: ReportMessage, _ values: [Int64], _ total: Int64, _ k: Int) -> ChartSeries {
                ChartSeries(name: t(name), key: key, values: values.map { Double($0) }, exact: values.map { "\($0)" },
                            summary: Format.count(total), colour: Palette.colour(k))
            }
            let lines = [series("merges", .merges, identity.mergesPerDay, identity.merges, 0),
                         series("refused", .refused, identity.refusedPerDay, identity.refused, 2),
                         series("new_profiles", .newProfiles, identity.newProfilesPerDay, identity.newProfiles, 4)]
            let chart = TimeChart(panel: "identity", title: t(.panelIdentity), slots: days.count,
                                  ticks: Periods.dayTicks(days, language), lines: lines)
            var rows = Periods.tableRows(days).map { row in
                [HTML.escape(row.label), Format.count(sum(identity.mergesPerDay, row.days)),
                 Format.count(sum(identity.refusedPerDay, row.days)), Format.count(sum(identity.newProfilesPerDay, row.days))]
            }
            rows.append([HTML.escape(t(.total)), Format.count(identity.merges), Format.count(identity.refused),
                         Format.count(identity.newProfiles)])
            content = figure(chart.svg(), legend: lines) + monthlyNote
                + HTML.table([periodHeader, t(.merges), t(.refused), t(.newProfiles)].map(HTML.escape), rows, numeric: [1, 2, 3], totalRows: 1)
        }
        return section(7, identity.reading, content + profilesByKind())
    }

    /// Living profiles per identifier kind as of the range's end: bars and a table (shown even for an empty range).
    func profilesByKind() -> String {
        let kinds = dashboard.identity.profilesByKind
        guard !kinds.isEmpty else { return "" }
        let most = Double(max(kinds.map(\.profiles).max() ?? 0, 1))
        let bars = kinds.map { kind in
            BarRow(label: kind.kind, fraction: Double(kind.profiles) / most, text: Format.count(kind.profiles),
                   data: [("data-kind", kind.kind), ("data-value", "\(kind.profiles)")], colour: Palette.colour(0))
        }
        return HTML.element("h3", [("class", "sub")], HTML.escape(t(.panelProfilesByKind)))
            + figure(BarList(panel: "identity", title: t(.panelProfilesByKind), rows: bars).svg())
            + HTML.table([t(.identifierKind), t(.profilesHolding)].map(HTML.escape),
                         kinds.map { [HTML.escape($0.kind), Format.count($0.profiles)] }, numeric: [1])
    }
}
