import Foundation
import Daicho
import DaichoWorkload

/// `daicho generate`: the deterministic sample workload used by `make demo` and the benchmarks.
enum GenerateCommand {
    static let spec = CommandSpec(
        name: "generate",
        summary: "Write a deterministic, realistic NDJSON workload of customer touchpoints.",
        usage: "daicho generate [--events N] [--customers N] [--seed S] [--end TIME] [--duplicate-rate R] [--late-rate R] [--bad-line-rate R] [--out FILE]",
        options: [
            OptionSpec(name: "--events", valueName: "N", help: "Lines to write (default 100000)."),
            OptionSpec(name: "--customers", valueName: "N", help: "Customers, at most \(WorkloadConfig.maximumCustomers) (default events / 10)."),
            OptionSpec(name: "--seed", valueName: "S", help: "Random seed (default 1); the same seed and end give the same bytes."),
            OptionSpec(name: "--end", valueName: "TIME", help: "The events spread over the year before TIME (RFC 3339, or a date: its end in UTC). Default: now."),
            OptionSpec(name: "--duplicate-rate", valueName: "R", help: "Share of re-sent duplicate lines (default 0.01)."),
            OptionSpec(name: "--late-rate", valueName: "R", help: "Share of late events (default 0.02)."),
            OptionSpec(name: "--bad-line-rate", valueName: "R", help: "Share of malformed lines (default 0.0005)."),
            OptionSpec(name: "--out", valueName: "FILE", help: "Output file (default: standard output)."),
        ],
        details: """
        Customers have heavy-tailed activity: anonymous browsing, then login, purchases, inquiries,
        social mentions; identifiers carry real-world noise (e-mail case and spaces, phone formats
        with full-width digits), families share devices, and a few lines are duplicates, late or broken.
        No event time lies after --end, so the sample's windows (`within 7d`) reach up to the present.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let events = try a.int("--events", spec, default: 100_000, min: 1)!
        let customers = try a.int("--customers", spec, default: min(WorkloadConfig.maximumCustomers, max(1, events / 10)), min: 1)!
        guard customers <= WorkloadConfig.maximumCustomers else {
            throw UsageError(message: "--customers: \(customers) is more than the generator holds (at most \(WorkloadConfig.maximumCustomers))", usage: spec.usage)
        }
        // A date alone is taken in UTC, not a data directory's business time zone: generate reads no data directory.
        let end = try a.time("--end", spec, zone: TimeZone(identifier: "UTC")!) ?? wallClockMicros()
        var config = WorkloadConfig(events: events, customers: customers, seed: UInt64(try a.int("--seed", spec, default: 1)!),
                                    start: WorkloadConfig.start(endingAt: end))
        func rate(_ name: String) throws(UsageError) -> Double? {
            guard let raw = a.value(name) else { return nil }
            guard let r = Double(raw), r >= 0, r < 1 else { throw UsageError(message: "\(name): \"\(raw)\" is not a rate in [0, 1)", usage: spec.usage) }
            return r
        }
        if let r = try rate("--duplicate-rate") { config.duplicateRate = r }
        if let r = try rate("--late-rate") { config.lateRate = r }
        if let r = try rate("--bad-line-rate") { config.badLineRate = r }
        if let path = a.value("--out") {
            let stats = try WorkloadGenerator.write(config, toPath: path)
            printError("generated \(stats.lines) lines, \(stats.bytes) bytes (\(stats.duplicates) duplicates, \(stats.late) late, \(stats.bad) bad) into \(path)")
        } else {
            var generator = WorkloadGenerator(config)
            let out = StandardOutput()
            while out.appendReturning({ generator.nextLine(into: &$0) }) {}
            out.flush()
        }
        return ExitStatus.ok
    }
}

extension StandardOutput {
    /// Appends through `body` and returns its result (for generators that say when they are done).
    func appendReturning(_ body: (inout [UInt8]) -> Bool) -> Bool {
        var more = true
        append { more = body(&$0) }
        return more
    }
}
