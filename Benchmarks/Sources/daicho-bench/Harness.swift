import Foundation

// A dependency-free benchmark harness in the manner of swift-nio's NIOPerformanceTester:
// each benchmark gets its setup, one warm-up run and `runs` timed runs; the table reports the
// median and minimum time and the throughput at the median, against a target and a competitor.

/// The work one run did and how long it took.
struct Measurement: Sendable {
    /// Items processed (events, lines, bytes...), in the row's unit before `scale`.
    var items: Double
    /// Wall-clock seconds.
    var seconds: Double
}

/// One line of the results table.
struct Row: Sendable {
    /// Unique name, e.g. `generate` or `duckdb load`.
    var name: String
    /// Throughput unit, e.g. `lines/s`, `events/s`, `MB/s`.
    var unit: String
    /// Multiplier from items per second to `unit` (1e-6 turns bytes/s into MB/s).
    var scale: Double = 1
    /// Throughput the row should reach, in `unit`; nil when there is none.
    var target: Double? = nil
    /// Name of the row this one is compared with (a competitor's figure).
    var versus: String? = nil
    /// The ratio to `versus` the row should reach (issue 9: replay 5× DuckDB's); nil when there is none.
    var versusTarget: Double? = nil
}

/// A benchmark: setup once, then a body run once to warm up and `runs` times timed.
/// The body returns one measurement per row (several rows when one external run yields several figures).
struct Benchmark {
    var rows: [Row]
    var setup: () throws -> Void
    var body: () throws -> [Measurement]
}

/// A figure that is not a speed: sizes and ratios, computed once.
struct Fact {
    var name: String
    var unit: String
    var compute: () throws -> Double
}

/// Collects benchmarks, runs them and prints the table.
struct Harness {
    /// Timed runs per benchmark (after one warm-up).
    var runs: Int
    /// Runs only benchmarks and facts whose name contains this string.
    var only: String?
    private(set) var benchmarks: [Benchmark] = []
    private(set) var facts: [Fact] = []
    /// Printed under the table: why a benchmark was skipped, machine notes.
    private(set) var notes: [String] = []

    init(runs: Int, only: String?) {
        self.runs = runs
        self.only = only
    }

    /// Registers a benchmark timed by the harness.
    /// - Parameters:
    ///   - name: Row name.
    ///   - unit: Throughput unit (items per second after `scale`).
    ///   - scale: Multiplier from items/s to `unit`.
    ///   - target: Throughput to reach, in `unit`.
    ///   - versus: Name of a competitor row to compare with.
    ///   - versusTarget: The ratio to `versus` to reach.
    ///   - setup: Runs once before the warm-up, untimed.
    ///   - body: The timed work; returns the number of items it processed.
    mutating func add(
        _ name: String, unit: String, scale: Double = 1, target: Double? = nil, versus: String? = nil,
        versusTarget: Double? = nil, setup: @escaping () throws -> Void = {}, body: @escaping () throws -> Int
    ) {
        let row = Row(name: name, unit: unit, scale: scale, target: target, versus: versus, versusTarget: versusTarget)
        benchmarks.append(Benchmark(rows: [row], setup: setup) {
            let clock = ContinuousClock()
            var items = 0
            let elapsed = try clock.measure { items = try body() }
            blackHole(items)
            return [Measurement(items: Double(items), seconds: elapsed.seconds)]
        })
    }

    /// Registers a benchmark that measures itself (an external tool reporting its own time),
    /// possibly yielding several rows per run.
    /// - Parameters:
    ///   - rows: The rows the body measures, in the order of its result.
    ///   - setup: Runs once before the warm-up.
    ///   - body: One run; returns one measurement per row.
    mutating func addMeasured(
        _ rows: [Row], setup: @escaping () throws -> Void = {}, body: @escaping () throws -> [Measurement]
    ) {
        benchmarks.append(Benchmark(rows: rows, setup: setup, body: body))
    }

    /// Registers a size or ratio, computed once when the harness runs.
    mutating func addFact(_ name: String, unit: String, compute: @escaping () throws -> Double) {
        facts.append(Fact(name: name, unit: unit, compute: compute))
    }

    /// Adds a line printed under the table (a skipped tool, a machine note).
    mutating func note(_ text: String) {
        notes.append(text)
    }

    private func selected(_ name: String) -> Bool {
        only.map { name.contains($0) } ?? true
    }

    /// Runs every selected benchmark and fact and prints the results.
    func run() {
        var results: [(row: Row, samples: [Measurement])] = []
        var failures: [String] = []
        for benchmark in benchmarks where benchmark.rows.contains(where: { selected($0.name) }) {
            let names = benchmark.rows.map(\.name).joined(separator: ", ")
            print("running \(names) (1 warm-up + \(runs) runs)...")
            do {
                try benchmark.setup()
                _ = try benchmark.body()
                var samples = Array(repeating: [Measurement](), count: benchmark.rows.count)
                for _ in 0..<runs {
                    let measured = try benchmark.body()
                    for (i, m) in measured.prefix(samples.count).enumerated() { samples[i].append(m) }
                }
                for (row, rowSamples) in zip(benchmark.rows, samples) { results.append((row, rowSamples)) }
            } catch {
                failures.append("\(names): failed: \(error)")
            }
        }
        var factLines: [(String, String)] = []
        for fact in facts where selected(fact.name) {
            do {
                factLines.append((fact.name, "\(format(try fact.compute())) \(fact.unit)"))
            } catch {
                failures.append("\(fact.name): failed: \(error)")
            }
        }
        printTable(results)
        if !factLines.isEmpty {
            print("")
            let width = factLines.map(\.0.count).max() ?? 0
            for (name, value) in factLines { print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
        }
        for line in notes + failures { print("note: \(line)") }
    }

    private func printTable(_ results: [(row: Row, samples: [Measurement])]) {
        var throughput: [String: Double] = [:]
        var lines: [[String]] = [["benchmark", "median", "min", "throughput", "unit", "target", "vs target", "vs"]]
        for (row, samples) in results where !samples.isEmpty {
            let sorted = samples.sorted { $0.seconds < $1.seconds }
            let median = sorted[sorted.count / 2]
            throughput[row.name] = median.items / median.seconds * row.scale
        }
        for (row, samples) in results where !samples.isEmpty {
            let sorted = samples.sorted { $0.seconds < $1.seconds }
            let median = sorted[sorted.count / 2].seconds
            let speed = throughput[row.name]!
            let target = row.target.map { format($0) } ?? "-"
            let ratio = row.target.map { String(format: "%.2fx", speed / $0) } ?? "-"
            let versus = row.versus.flatMap { name in
                throughput[name].map { String(format: "%.2fx %@", speed / $0, name) + (row.versusTarget.map { String(format: " (target %gx)", $0) } ?? "") }
            } ?? "-"
            lines.append([row.name, duration(median), duration(sorted[0].seconds), format(speed), row.unit, target, ratio, versus])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max()! }
        print("")
        for (i, line) in lines.enumerated() {
            let cells = line.enumerated().map { column, cell in
                column == 0 || column == 4 || column == 7
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            print(String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()))
            if i == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
    }
}

/// A number with thousands separators, or three significant decimals below 100.
func format(_ value: Double) -> String {
    if value.magnitude >= 100 {
        let digits = String(Int(value.rounded()).magnitude)
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return value < 0 ? "-" + grouped : grouped
    }
    return String(format: "%.3g", value)
}

/// Seconds as "812 ms", "1.35 s" or "95.2 µs".
func duration(_ seconds: Double) -> String {
    if seconds >= 1 { return String(format: "%.2f s", seconds) }
    if seconds >= 1e-3 { return String(format: "%.1f ms", seconds * 1e3) }
    return String(format: "%.1f µs", seconds * 1e6)
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

/// Keeps a result alive so the optimiser cannot delete the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
