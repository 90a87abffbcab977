// daicho-bench: generates the workload file once (cached by configuration), then runs every
// benchmark with one warm-up and --runs timed runs and prints the table. See docs/benchmarks.md.
import DaichoWorkload
import Foundation

let options: Options
do {
    options = try Options(parsing: Array(CommandLine.arguments.dropFirst()))
} catch is Options.HelpRequested {
    print(Options.usage)
    exit(0)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n\(Options.usage)\n".utf8))
    exit(64)
}

if options.scale {
    runScaleBenchmarks(options)
    exit(0)
}

let workload: Workload
do {
    workload = try Workload.prepare(
        WorkloadConfig(events: options.events, customers: options.customers, seed: options.seed),
        in: options.dir)
} catch {
    FileHandle.standardError.write(Data("error: cannot prepare the workload in \(options.dir): \(error)\n".utf8))
    exit(1)
}
let stats = workload.stats
print("workload: \(stats.lines) lines, \(stats.bytes) bytes, \(stats.duplicates) duplicates, \(stats.late) late, \(stats.bad) bad")

var harness = Harness(runs: options.runs, only: options.only)
let info = ProcessInfo.processInfo
harness.note(
    "machine: \(info.activeProcessorCount) cores, \(info.physicalMemory >> 30) GiB RAM, \(info.operatingSystemVersionString)")
registerGeneratorBenchmarks(&harness, workload: workload)
registerDaichoBenchmarks(&harness, workload: workload)
registerProjectionBenchmarks(&harness, workload: workload)
registerSegmentBenchmarks(&harness, workload: workload, backfillCustomers: options.backfillCustomers)
registerExternalBenchmarks(&harness, workload: workload)
registerServeBenchmarks(&harness, workload: workload)
registerConsoleBenchmarks(&harness, workload: workload)
harness.run()
