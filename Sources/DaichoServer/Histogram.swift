/// A Prometheus histogram (text format 0.0.4): cumulative `_bucket{le=…}` counts, `_sum` and `_count`. Not
/// thread-safe: its owner locks it.
struct Histogram {
    /// The buckets' upper bounds, ascending (`+Inf` is implied).
    let bounds: [Double]
    private var counts: [UInt64]
    private var sum = 0.0
    private var count: UInt64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    /// Counts one observation.
    mutating func observe(_ value: Double) {
        if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] += 1 }
        sum += value
        count += 1
    }

    /// The lines of the histogram `name` (`# HELP`, `# TYPE`, buckets, sum, count).
    func render(_ name: String, help: String, into out: inout String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (bound, n) in zip(bounds, counts) {
            cumulative += n
            out += "\(name)_bucket{le=\"\(MetricsText.number(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(MetricsText.number(sum))\n\(name)_count \(count)\n"
    }
}
