// How figures are written for readers: grouped digits, exact money, shares, and SVG coordinates.

enum Format {
    /// `1234567` → `"1,234,567"`.
    static func count(_ v: Int64) -> String {
        group(String(v.magnitude), negative: v < 0)
    }

    /// An exact amount with grouped digits and at least `fractionDigits` decimals (zeros added, never rounded):
    /// `"1234567.5"` → `"1,234,567.5"`, or `"1,234,567.50"` with 2.
    static func money(_ m: Money, fractionDigits: Int = 0) -> String {
        var text = Substring(m.text)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = group(String(parts[0]), negative: negative)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        let padded = fraction + String(repeating: "0", count: max(fractionDigits - fraction.count, 0))
        return padded.isEmpty ? whole : whole + "." + padded
    }

    /// The most decimals among `amounts`: how many a column of them shows so the digits line up.
    static func fractionDigits<S: Sequence>(_ amounts: S) -> Int where S.Element == Money {
        amounts.reduce(0) { digits, m in
            max(digits, m.text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0)
        }
    }

    /// A share in [0, 1] as a percentage with one decimal: `0.1234` → `"12.3 %"` (ja: `"12.3%"`).
    static func share(_ v: Double, _ language: ReportLanguage) -> String {
        decimal(v * 100, digits: 1) + (language == .ja ? "%" : " %")
    }

    /// A mean sentiment with three decimals, or an em dash for none.
    static func sentiment(_ v: Double?) -> String {
        v.map { decimal($0, digits: 3) } ?? "—"
    }

    /// `v` rounded to `digits` decimals, trailing zeros kept (`decimal(0.5, digits: 2)` → `"0.50"`).
    static func decimal(_ v: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        guard (abs(v) * scale) < 9e18 else { return "\(v)" }  // beyond Int64: Swift's own form
        let scaled = Int64((abs(v) * scale).rounded())
        let negative = v < 0 && scaled != 0
        var fraction = String(scaled % Int64(scale))
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        let whole = group(String(scaled / Int64(scale)), negative: negative)
        return digits == 0 ? whole : whole + "." + fraction
    }

    /// An axis label: a round number with grouped digits and at most two decimals, trailing zeros dropped.
    static func axis(_ v: Double) -> String {
        var text = decimal(v, digits: 2)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// An SVG coordinate with one decimal and no trailing `.0` (`12.25` → `"12.3"`, `7.0` → `"7"`).
    static func coordinate(_ v: Double) -> String {
        let tenths = Int((min(max(v, -1e6), 1e6) * 10).rounded())  // far outside any chart: clamped
        let whole = tenths / 10, rest = abs(tenths % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return rest == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(rest)"
    }

    /// A double as its shortest exact text (`0.1`, `-0.25`, `1.0`), or `null`: the drawn values' form.
    static func exact(_ v: Double?) -> String {
        v.map { "\($0)" } ?? "null"
    }

    private static func group(_ digits: String, negative: Bool) -> String {
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (negative ? "-" : "") + out
    }
}
