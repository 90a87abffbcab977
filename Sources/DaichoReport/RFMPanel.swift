// Panel 4: the 5×5 RFM grid as a heat map (recency quintile rows R5 at the top, frequency quintile columns F1 at
// the left), each cell with its customers and revenue, the quintile bounds on the axes, and the same as a table.

extension ReportPage {
    func rfmPanel() -> String {
        let rfm = dashboard.rfm
        guard !noEvents, rfm.customers > 0 else { return section(4, rfm.reading, emptyNote(.noRFMCustomers), quiet: true) }
        let currency = rfm.currency ?? ""
        let summary = HTML.element("p", [("class", "figures")], HTML.escape(t(.rfmSummary, [
            "currency": currency, "customers": Format.count(rfm.customers)])))
        let digits = Format.fractionDigits(rfm.cells.map(\.revenue))
        var rows: [[String]] = []
        for r in stride(from: 5, through: 1, by: -1) {
            rows.append(["R\(r)"] + (1...5).map { f in
                rfm.cell(r: r, f: f).map { "\(Format.count($0.customers)) / \(Format.money($0.revenue, fractionDigits: digits))" } ?? "—"
            })
        }
        let headers = ["R \\ F"] + (1...5).map { "F\($0)" }
        let table = HTML.table(headers.map(HTML.escape), rows, numeric: [1, 2, 3, 4, 5],
                               caption: HTML.escape("\(t(.customers)) / \(t(.revenue)) (\(currency))"))
        return section(4, rfm.reading, summary + figure(rfmGrid(rfm)) + table)
    }

    /// The heat map: cell colour by customers, darkest for the fullest cell.
    func rfmGrid(_ rfm: Dashboard.RFM) -> String {
        let left = 170.0, top = 8.0, cellWidth = 106.0, cellHeight = 50.0
        let most = max(rfm.cells.map(\.customers).max() ?? 0, 1)
        let currency = rfm.currency ?? "", digits = Format.fractionDigits(rfm.cells.map(\.revenue))
        let recency = Self.quintileRanges(rfm.recencyBounds), frequency = Self.quintileRanges(rfm.frequencyBounds)
        var out = "<svg class=\"chart\" viewBox=\"0 0 720 330\" role=\"img\" data-panel=\"rfm\">"
        out += HTML.element("title", [], HTML.escape(t(.panelRFM)))
        for r in 1...5 {
            let y = top + Double(5 - r) * cellHeight
            var label = HTML.element("tspan", [("x", Format.coordinate(left - 8)), ("dy", "0")], "R\(r)")
            let range = recency[5 - r]
            label += HTML.element("tspan", [("x", Format.coordinate(left - 8)), ("dy", "13")],
                                  HTML.escape(range == "—" ? range : t(.recencyDays, ["range": range])))
            out += HTML.element("text", [("x", Format.coordinate(left - 8)), ("y", Format.coordinate(y + 22)), ("class", "yl")], label)
            for f in 1...5 {
                let x = left + Double(f - 1) * cellWidth
                guard let cell = rfm.cell(r: r, f: f) else {
                    out += HTML.empty("rect", [("x", Format.coordinate(x)), ("y", Format.coordinate(y)), ("width", "\(Int(cellWidth) - 2)"),
                                               ("height", "\(Int(cellHeight) - 2)"), ("class", "missing")])
                    continue
                }
                let share = Double(cell.customers) / Double(most)
                let ink = share > 0.5 ? " on-dark" : ""
                let tip = t(.rfmCell, ["r": "\(r)", "f": "\(f)", "customers": Format.count(cell.customers),
                                       "revenue": "\(Format.money(cell.revenue, fractionDigits: digits)) \(currency)"])
                out += HTML.element("g", [("data-r", "\(r)"), ("data-f", "\(f)"), ("data-customers", "\(cell.customers)"),
                                          ("data-revenue", cell.revenue.text)],
                    HTML.element("title", [], HTML.escape(tip))
                        + HTML.empty("rect", [("x", Format.coordinate(x)), ("y", Format.coordinate(y)), ("width", "\(Int(cellWidth) - 2)"),
                                              ("height", "\(Int(cellHeight) - 2)"), ("fill", Self.heat(share))])
                        + HTML.element("text", [("x", Format.coordinate(x + cellWidth / 2 - 1)), ("y", Format.coordinate(y + 21)),
                                                ("class", "cc" + ink)], Format.count(cell.customers))
                        + HTML.element("text", [("x", Format.coordinate(x + cellWidth / 2 - 1)), ("y", Format.coordinate(y + 38)),
                                                ("class", "cr" + ink)], HTML.escape(Format.money(cell.revenue, fractionDigits: digits))))
            }
        }
        let bottom = top + 5 * cellHeight
        for f in 1...5 {
            let x = Format.coordinate(left + (Double(f) - 0.5) * cellWidth - 1)
            var label = HTML.element("tspan", [("x", x), ("dy", "0")], "F\(f)")
            let range = frequency[f - 1]
            label += HTML.element("tspan", [("x", x), ("dy", "13")],
                                  HTML.escape(range == "—" ? range : t(.frequencyDays, ["range": range])))
            out += HTML.element("text", [("x", x), ("y", Format.coordinate(bottom + 14)), ("class", "xl")], label)
        }
        out += HTML.element("text", [("x", Format.coordinate(left + 2.5 * cellWidth)), ("y", Format.coordinate(bottom + 50)),
                                     ("class", "xl at")], HTML.escape(t(.frequency)))
        out += HTML.element("text", [("x", "12"), ("y", Format.coordinate(top + 2.5 * cellHeight)), ("class", "xl at"),
                                     ("transform", "rotate(-90 12 \(Format.coordinate(top + 2.5 * cellHeight)))")],
                            HTML.escape(t(.recency)))
        return out + "</svg>"
    }

    /// What each of the five groups holds, read from the four cut points in ascending order (the largest value of
    /// the first four groups: frequency quintiles 1–4, recency quintiles 5–2): `≤b₀`, `b₀+1–b₁`, …, `≥b₃+1`; an
    /// em dash for a group that ties left empty (a null cut point), whose successor starts after the last cut.
    static func quintileRanges(_ bounds: [Int64?]) -> [String] {
        var ranges: [String] = []
        var last: Int64?
        for bound in bounds {
            guard let high = bound else {
                ranges.append("—")
                continue
            }
            if let previous = last {
                let low = previous + 1
                ranges.append(low > high ? "—" : low == high ? "\(low)" : "\(low)–\(high)")
            } else {
                ranges.append("≤\(high)")
            }
            last = high
        }
        ranges.append("≥\((last ?? -1) + 1)")
        return ranges
    }

    /// A blue from nearly white (`share` 0) to dark (`share` 1).
    static func heat(_ share: Double) -> String {
        let light = (r: 241.0, g: 245.0, b: 250.0), dark = (r: 31.0, g: 78.0, b: 121.0)
        let s = min(max(share, 0), 1)
        func channel(_ a: Double, _ b: Double) -> String {
            let v = Int((a + (b - a) * s).rounded())
            let hex = String(v, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }
        return "#" + channel(light.r, dark.r) + channel(light.g, dark.g) + channel(light.b, dark.b)
    }
}
