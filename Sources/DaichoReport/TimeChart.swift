// A chart over the range's days or weeks as one compact inline SVG: stacked bars (several stacks side by side
// per slot if asked), lines on the same axis, and lines on a fixed −1…1 axis at the right (sentiment).
// Each series is ONE <path> however many slots there are, so a year of days stays small.

/// A time chart: slots along x (days or weeks), series drawn as stacked bars and lines.
struct TimeChart {
    /// The `data-panel` attribute: the panel the chart belongs to (`events`, `revenue`, …).
    var panel: String
    /// The chart's accessible title.
    var title: String
    /// How many slots (days or weeks).
    var slots: Int
    /// Labelled slots along the x axis.
    var ticks: [(index: Int, label: String)]
    /// Bar stacks drawn side by side in each slot; the series of one stack are stacked in order.
    var stacks: [[ChartSeries]] = []
    /// Lines on the left axis.
    var lines: [ChartSeries] = []
    /// Lines on a fixed −1…1 axis at the right.
    var signedLines: [ChartSeries] = []
    /// Whether the left axis counts whole things (its gridlines are at least 1 apart).
    var integral = true

    static let width = 720.0, height = 236.0
    static let top = 12.0, bottom = 196.0, left = 64.0

    var right: Double { Self.width - (signedLines.isEmpty ? 12 : 44) }
    var step: Double { (right - Self.left) / Double(max(slots, 1)) }

    /// The SVG markup.
    func svg() -> String {
        let axis = Axis(values: stacksTotals() + lines.flatMap { $0.values.compactMap { $0 } }, integral: integral)
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\""
            + HTML.attributes([("data-panel", panel), ("data-slots", "\(slots)")]) + ">"
        out += HTML.element("title", [], HTML.escape(title))
        out += grid(axis)
        for (g, stack) in stacks.enumerated() {
            var base = [Double](repeating: 0, count: slots)
            for series in stack { out += bars(series, group: g, base: &base, axis: axis) }
        }
        for series in lines { out += line(series, signed: false) { axis.y($0) } }
        let signed = Axis(low: -1, high: 1, step: 0.5)
        for series in signedLines { out += line(series, signed: true) { signed.y($0) } }
        return out + "</svg>"
    }

    /// The largest stack of each slot.
    func stacksTotals() -> [Double] {
        var totals: [Double] = []
        for stack in stacks {
            for k in 0..<slots {
                totals.append(stack.reduce(0) { $0 + max($1.values[k] ?? 0, 0) })
            }
        }
        return totals
    }

    /// Gridlines with their labels, the x ticks with theirs, and the right axis when signed lines are drawn.
    func grid(_ axis: Axis) -> String {
        var lines = "", labels = ""
        for value in axis.gridValues {
            let y = Format.coordinate(axis.y(value))
            lines += "M\(Format.coordinate(Self.left)) \(y)H\(Format.coordinate(right))"
            labels += HTML.element("text", [("x", Format.coordinate(Self.left - 6)), ("y", y), ("class", "yl")],
                                   HTML.escape(Format.axis(value)))
        }
        if !signedLines.isEmpty {
            let signed = Axis(low: -1, high: 1, step: 0.5)
            for value in signed.gridValues {
                labels += HTML.element("text", [("x", Format.coordinate(right + 6)), ("y", Format.coordinate(signed.y(value))),
                                                ("class", "yr")], HTML.escape(Format.axis(value)))
            }
        }
        var tickMarks = ""
        for tick in ticks {
            let x = Format.coordinate(Self.left + step * Double(tick.index))
            tickMarks += "M\(x) \(Format.coordinate(Self.bottom))v5"
            labels += HTML.element("text", [("x", x), ("y", Format.coordinate(Self.bottom + 17)), ("class", "xl")],
                                   HTML.escape(tick.label))
        }
        return HTML.empty("path", [("class", "grid"), ("d", lines)])
            + HTML.empty("path", [("class", "axis"), ("d", "M\(Format.coordinate(Self.left)) \(Format.coordinate(Self.bottom))H\(Format.coordinate(right))" + tickMarks)])
            + labels
    }

    /// One series of stack `group` as one path of rectangles, stacked on `base` (updated).
    func bars(_ series: ChartSeries, group: Int, base: inout [Double], axis: Axis) -> String {
        let groups = Double(stacks.count)
        let barWidth = max(step * 0.8 / groups, 0.5)
        let width = Format.coordinate(barWidth)
        var d = ""
        for k in 0..<slots {
            guard let v = series.values[k], v > 0 else { continue }
            let x = Self.left + step * Double(k) + step * 0.1 + barWidth * Double(group)
            let y0 = axis.y(base[k]), y1 = axis.y(base[k] + v)
            base[k] += v
            d += "M\(Format.coordinate(x)) \(Format.coordinate(y1))h\(width)V\(Format.coordinate(y0))h-\(width)z"
        }
        let attributes = [("class", series.light ? "bar light" : "bar"), ("fill", series.colour), ("d", d)]
            + series.dataAttributes
        return HTML.element("path", attributes, HTML.element("title", [], HTML.escape(series.name + ": " + series.summary)))
    }

    /// One series as one polyline through the slots' centres, broken at nil; dots mark each point when slots are
    /// few and every point that has no neighbour (so a single day is still seen). Lines on the signed axis are
    /// dashed, so they read apart from bars of the same colour.
    func line(_ series: ChartSeries, signed: Bool, y: (Double) -> Double) -> String {
        var d = "", dots = ""
        for k in 0..<slots {
            guard let v = series.values[k] else { continue }
            let x = Format.coordinate(Self.left + step * (Double(k) + 0.5)), yv = Format.coordinate(y(v))
            let joined = k > 0 && series.values[k - 1] != nil
            d += (joined ? "L" : "M") + "\(x) \(yv)"
            let alone = !joined && (k + 1 == slots || series.values[k + 1] == nil)
            if slots <= 62 || alone { dots += "M\(x) \(yv)m-2 0a2 2 0 1 0 4 0a2 2 0 1 0-4 0" }
        }
        let attributes = [("class", signed ? "line signed" : "line"), ("stroke", series.colour), ("d", d)] + series.dataAttributes
        var out = HTML.element("path", attributes, HTML.element("title", [], HTML.escape(series.name + ": " + series.summary)))
        if !dots.isEmpty { out += HTML.empty("path", [("class", "dots"), ("fill", series.colour), ("d", dots)]) }
        return out
    }
}

/// A value axis with round gridlines: 0 (or below, for negative values) to a round number above the largest.
struct Axis {
    var low: Double
    var high: Double
    var step: Double

    init(low: Double, high: Double, step: Double) {
        self.low = low
        self.high = high
        self.step = step
    }

    /// An axis for `values` with four or five round steps (1, 2 or 5 × 10ⁿ).
    init(values: [Double], integral: Bool) {
        let largest = max(values.max() ?? 0, 0), smallest = min(values.min() ?? 0, 0)
        var step = Self.roundStep((largest - smallest) / 4)
        if integral { step = max(step, 1) }
        if step <= 0 || !step.isFinite { step = 1 }
        low = (smallest / step).rounded(.down) * step
        high = max((largest / step).rounded(.up) * step, low + step)
        self.step = step
    }

    /// The y coordinate of `v`.
    func y(_ v: Double) -> Double {
        TimeChart.bottom - (v - low) / (high - low) * (TimeChart.bottom - TimeChart.top)
    }

    /// The values that get a gridline.
    var gridValues: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    /// The smallest of 1, 2, 5 × 10ⁿ at least `x` (0 for 0).
    static func roundStep(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        var magnitude = 1.0
        while magnitude * 10 <= x { magnitude *= 10 }
        while magnitude > x { magnitude /= 10 }
        for factor in [1.0, 2, 5, 10] where magnitude * factor >= x { return magnitude * factor }
        return magnitude * 10
    }
}
