import Foundation

/// Writing the Prometheus text format (0.0.4).
enum MetricsText {
    /// A sample value: integers without a fraction, others as Swift prints a double.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// `# HELP` and `# TYPE` lines and one sample per labelled value (a label-less sample: one pair with an
    /// empty labels string).
    static func family(_ name: String, type: String, help: String, samples: [(labels: String, value: Double)],
                       into out: inout String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples { out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(number(value))\n" }
    }
}
