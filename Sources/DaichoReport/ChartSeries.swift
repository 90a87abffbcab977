// One series of a chart: what is drawn, the exact figures it stands for, and how it is named.

/// A series drawn by ``TimeChart`` or listed in a legend.
struct ChartSeries {
    /// The label shown in the legend and the tooltip (translated; escaped when written).
    var name: String
    /// The `data-series` attribute: the series' key in the dashboard object (type, currency, platform, …).
    var key: String
    /// The `data-measure` attribute when a key has several measures (opened/closed, mentions/sentiment).
    var measure: String?
    /// The values drawn, one per slot; nil is a gap (no bar, a break in a line).
    var values: [Double?]
    /// The exact figures as the dashboard object has them, one per slot: the `data-values` attribute.
    var exact: [String]
    /// The tooltip after the name, e.g. the series' total.
    var summary: String
    /// Fill or stroke colour.
    var colour: String
    /// Drawn lighter (the second bar of a pair, e.g. closed inquiries).
    var light = false

    /// The attributes that let a reader (and the tests) read back the exact figures drawn.
    var dataAttributes: [(String, String)] {
        var attributes = [("data-series", key)]
        if let measure { attributes.append(("data-measure", measure)) }
        attributes.append(("data-values", exact.joined(separator: " ")))
        return attributes
    }
}

/// The chart colours: Tableau 10, distinct in print and for most colour-vision deficiencies.
enum Palette {
    static let colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    /// The colour of the `k`-th series (cycling after ten).
    static func colour(_ k: Int) -> String { colours[k % colours.count] }

    /// The legend of `series`: a swatch and a name each.
    static func legend(_ series: [ChartSeries]) -> String {
        var out = "<ul class=\"legend\">"
        for s in series {
            let swatch = HTML.element("span", [("class", s.light ? "swatch light" : "swatch"),
                                               ("style", "background:\(s.colour)")], "")
            out += HTML.element("li", [], swatch + HTML.escape(s.name))
        }
        return out + "</ul>"
    }
}
