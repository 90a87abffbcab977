// A list of labelled horizontal bars as one inline SVG (revenue by source, profiles per identifier kind).

/// One bar: its label, its length as a share of the longest bar of its group, and the exact figure it shows.
struct BarRow {
    /// The label left of the bar (shortened when long; the full text is in the bar's tooltip and the table).
    var label: String
    /// The bar's length in [0, 1].
    var fraction: Double
    /// The figure written after the bar.
    var text: String
    /// Attributes carrying the exact figures (`data-value`, …).
    var data: [(String, String)]
    var colour: String
}

/// Horizontal bars, one row each.
struct BarList {
    /// The `data-panel` attribute.
    var panel: String
    var title: String
    var rows: [BarRow]

    static let width = 720.0, rowHeight = 20.0, labelWidth = 210.0, barSpace = 380.0

    /// Longer labels are cut to this many characters with an ellipsis.
    static let labelLimit = 26

    func svg() -> String {
        let height = Double(rows.count) * Self.rowHeight + 8
        var out = "<svg class=\"bars\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\""
            + HTML.attributes([("data-panel", panel)]) + ">"
        out += HTML.element("title", [], HTML.escape(title))
        for (k, row) in rows.enumerated() {
            let y = 4 + Double(k) * Self.rowHeight
            let length = max(row.fraction, 0) * Self.barSpace
            let label = row.label.count > Self.labelLimit ? row.label.prefix(Self.labelLimit - 1) + "…" : row.label
            out += HTML.element("text", [("x", Format.coordinate(Self.labelWidth - 8)),
                                         ("y", Format.coordinate(y + 14)), ("class", "bl")], HTML.escape(label))
            out += HTML.element("rect", [("x", Format.coordinate(Self.labelWidth)), ("y", Format.coordinate(y + 3)),
                                         ("width", Format.coordinate(length)), ("height", "14"), ("fill", row.colour)]
                                + row.data,
                                HTML.element("title", [], HTML.escape(row.label + ": " + row.text)))
            out += HTML.element("text", [("x", Format.coordinate(Self.labelWidth + length + 6)),
                                         ("y", Format.coordinate(y + 14)), ("class", "bv")], HTML.escape(row.text))
        }
        return out + "</svg>"
    }
}
