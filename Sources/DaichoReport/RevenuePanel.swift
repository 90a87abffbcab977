// Panel 2: revenue per day, one line chart per currency (each currency on its own axis, never converted), then
// the range's revenue per (currency, source) as bars and a table.

extension ReportPage {
    func revenuePanel() -> String {
        let revenue = dashboard.revenue, days = dashboard.range.days
        guard !noEvents, !revenue.currencies.isEmpty else { return section(2, revenue.reading, emptyNote(.noPurchases), quiet: true) }
        var content = ""
        let digits = fractionDigits()
        for (k, currency) in revenue.currencies.enumerated() {
            let summary = "\(Format.money(currency.total, fractionDigits: digits[currency.currency] ?? 0)) · \(t(.orders)) \(Format.count(currency.orders))"
            let series = ChartSeries(name: currency.currency, key: currency.currency,
                                     values: currency.perDay.map { $0.approximate }, exact: currency.perDay.map(\.text),
                                     summary: summary, colour: Palette.colour(k))
            let chart = TimeChart(panel: "revenue", title: "\(t(.panelRevenue)) — \(currency.currency)", slots: days.count,
                                  ticks: Periods.dayTicks(days, language), lines: [series], integral: false)
            content += HTML.element("h3", [], HTML.escape("\(currency.currency): \(summary)")) + figure(chart.svg())
        }
        var rows = Periods.tableRows(days).map { row in
            [HTML.escape(row.label)] + revenue.currencies.map {
                Format.money(Money.sum($0.perDay[row.days]), fractionDigits: digits[$0.currency] ?? 0)
            }
        }
        rows.append([HTML.escape(t(.total))] + revenue.currencies.map { Format.money($0.total, fractionDigits: digits[$0.currency] ?? 0) })
        rows.append([HTML.escape(t(.orders))] + revenue.currencies.map { Format.count($0.orders) })
        content += monthlyNote + HTML.table([HTML.escape(periodHeader)] + revenue.currencies.map { HTML.escape($0.currency) },
                                            rows, numeric: Set(1...revenue.currencies.count), totalRows: 2)
        return section(2, revenue.reading, content + bySource())
    }

    /// Revenue by (currency, source): a bar per row, scaled within its currency, and the table.
    func bySource() -> String {
        let revenue = dashboard.revenue, digits = fractionDigits()
        let currencies = revenue.currencies.map(\.currency)
        var largest: [String: Double] = [:]
        for row in revenue.bySource { largest[row.currency] = max(largest[row.currency] ?? 0, row.revenue.approximate) }
        let bars = revenue.bySource.map { row in
            let top = largest[row.currency] ?? 0
            return BarRow(label: "\(row.source) (\(row.currency))", fraction: top > 0 ? row.revenue.approximate / top : 0,
                          text: "\(Format.money(row.revenue, fractionDigits: digits[row.currency] ?? 0)) \(row.currency)",
                          data: [("data-currency", row.currency), ("data-source", row.source),
                                 ("data-value", row.revenue.text), ("data-orders", "\(row.orders)")],
                          colour: Palette.colour(currencies.firstIndex(of: row.currency) ?? 0))
        }
        let table = HTML.table(
            [t(.currency), t(.source), t(.revenue), t(.orders)].map(HTML.escape),
            revenue.bySource.map { [HTML.escape($0.currency), HTML.escape($0.source),
                                      Format.money($0.revenue, fractionDigits: digits[$0.currency] ?? 0), Format.count($0.orders)] },
            numeric: [2, 3])
        return HTML.element("h3", [("class", "sub")], HTML.escape(t(.panelBySource)))
            + figure(BarList(panel: "revenue", title: t(.panelBySource), rows: bars).svg()) + table
    }
}

extension ReportPage {
    /// Per currency, the decimals its amounts are shown with: the most any of its amounts in the object has.
    func fractionDigits() -> [String: Int] {
        var digits: [String: Int] = [:]
        for c in dashboard.revenue.currencies { digits[c.currency] = Format.fractionDigits(c.perDay + [c.total]) }
        for row in dashboard.revenue.bySource {
            digits[row.currency] = max(digits[row.currency] ?? 0, Format.fractionDigits([row.revenue]))
        }
        return digits
    }
}
