// Exact money amounts as the dashboard object writes them: decimal strings, at most 6 fraction digits.

/// An exact amount of one currency, kept as the decimal text it was read from and as µ-units.
struct Money: Equatable, Sendable {
    /// The text as the dashboard object wrote it (e.g. `"19.99"`); drawn values carry it unchanged.
    var text: String
    /// The amount in millionths of the currency unit.
    var units: Int128

    /// The amount's value for drawing (charts only; tables print `text` or an exact sum).
    var approximate: Double { Double(units) / 1_000_000 }

    /// Reads a decimal string: an optional `-`, digits, optionally `.` and 1 to 6 digits; nil otherwise.
    init?(_ text: String) {
        var units: Int128 = 0
        var negative = false
        var fraction = -1  // digits seen after the point; -1 before it
        var digits = 0
        for (k, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "-") where k == 0:
                negative = true
            case UInt8(ascii: "."):
                guard fraction < 0, digits > 0 else { return nil }
                fraction = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if fraction >= 0 {
                    fraction += 1
                    guard fraction <= 6 else { return nil }
                }
                digits += 1
                guard digits <= 30 else { return nil }
                units = units * 10 + Int128(c - UInt8(ascii: "0"))
            default:
                return nil
            }
        }
        guard digits > 0, fraction != 0 else { return nil }
        for _ in 0..<(6 - max(fraction, 0)) { units *= 10 }
        self.text = text
        self.units = negative ? -units : units
    }

    /// An amount of `units` µ-units, written in the shortest exact form (`"4980"`, `"19.99"`, `"-0.5"`).
    init(units: Int128) {
        self.units = units
        let magnitude = units.magnitude
        let whole = magnitude / 1_000_000
        var fraction = String(magnitude % 1_000_000)
        if fraction != "0" {
            fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        text = (units < 0 ? "-" : "") + String(whole) + (fraction == "0" ? "" : "." + fraction)
    }

    /// The sum of `amounts`, exact.
    static func sum<S: Sequence>(_ amounts: S) -> Money where S.Element == Money {
        Money(units: amounts.reduce(Int128(0)) { $0 + $1.units })
    }
}
