import Daicho
import DaichoLog
import DaichoProjections
import DaichoWorkload
import Foundation

// Issue 9 "Scale" (docs/benchmarks.md "Scale mode"): the same measurements at the default workload and at
// `--scale-factor` times its events and customers, side by side, with the ratio of the two. Every figure is taken
// from a workload and a data directory that are generated and ingested once and cached in --dir. Throughput is
// given per wall second and per CPU second (user + system, all threads): on the shared 2-core machine the wall
// clock mostly measures the other processes, the CPU time much less so.

/// One size's figures; nil where a figure could not be taken (no CLI, no /usr/bin/time).
struct ScaleFigures {
    var lines = 0
    var events = 0
    var profiles = 0
    var loadAverage = ""
    var ingestLinesPerSecond = 0.0
    var ingestLinesPerCPUSecond = 0.0
    var replayEventsPerSecond = 0.0
    var replayEventsPerCPUSecond = 0.0
    var cliReplayEventsPerSecond: Double?
    var cliReplayEventsPerCPUSecond: Double?
    var cliReplayPeakBytes: Double?
    var componentBytesPerProfile = 0.0
    var timelineIndexBytesPerEvent = 0.0
    var profileMilliseconds: Double?
    var profilePeakBytes: Double?
    var timelineMilliseconds: Double?
    var timelinePeakBytes: Double?
    var asOfMilliseconds: [Double] = []
    var logBytes = 0.0
    var snapshotBytes: Double?
    var checkpointBytes: Double?
}

/// Runs the scale report: the workload of `options` and the one `options.scaleFactor` times larger, then one table.
func runScaleBenchmarks(_ options: Options) {
    let sizes = [(options.events, options.customers),
                 (options.events * options.scaleFactor, options.customers * options.scaleFactor)]
    var figures: [ScaleFigures] = []
    for (events, customers) in sizes {
        do {
            figures.append(try measureScale(events: events, customers: customers, options: options))
        } catch {
            FileHandle.standardError.write(Data("error: scale run at \(events) events: \(error)\n".utf8))
            exit(1)
        }
    }
    printScaleTable(figures, sizes: sizes.map(\.0))
}

/// Generates (once), ingests (once) and measures one size.
private func measureScale(events: Int, customers: Int, options: Options) throws -> ScaleFigures {
    let clock = ContinuousClock()
    print("== \(events) events, \(customers) customers")
    var workload: Workload!
    let prepared = try clock.measure {
        workload = try Workload.prepare(WorkloadConfig(events: events, customers: customers, seed: options.seed), in: options.dir)
    }
    print("    workload ready in \(duration(prepared.seconds)) (\(workload.stats.bytes >> 20) MiB)")
    let dir = DataDirectory("\(options.dir)/daicho-bench-scale-e\(events)-c\(customers)-s\(options.seed)")
    var f = ScaleFigures()
    f.loadAverage = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    print("    load average \(f.loadAverage)")
    f.lines = workload.stats.lines
    let ingest = try ingestOnce(workload, into: dir)
    f.ingestLinesPerSecond = Double(f.lines) / ingest.wall
    f.ingestLinesPerCPUSecond = Double(f.lines) / ingest.cpu

    // In-process replay, `runs` times (no warm-up: at 10M one run is seconds long and the log is in the page
    // cache after the ingest); the last projection stays for the memory report and the CLI rows' sample customer.
    let state = ProjectionBenchState()
    var seconds: [(wall: Double, cpu: Double)] = []
    for _ in 0..<options.runs {
        state.projection = nil
        var p: ProfileProjection!
        let cpu = cpuSeconds()
        let elapsed = try clock.measure {
            p = try ProjectionLoader.replay(EventReader(dir), settings: ProjectionSettings.load(dir), asOf: nil)
        }
        seconds.append((elapsed.seconds, cpuSeconds() - cpu))
        state.projection = p
        print("    replay in-process: \(duration(elapsed.seconds)), \(duration(seconds.last!.cpu)) CPU")
    }
    let p = state.projection!
    f.events = Int(p.nextOffset)
    f.profiles = p.profileCount
    let replay = seconds.sorted { $0.wall < $1.wall }[seconds.count / 2]
    f.replayEventsPerSecond = Double(f.events) / replay.wall
    f.replayEventsPerCPUSecond = Double(f.events) / replay.cpu
    let report = p.memoryReport()
    let indexBytes = report.filter { $0.component == "timeline index" }.reduce(0) { $0 + $1.bytes }
    let otherBytes = report.reduce(0) { $0 + $1.bytes } - indexBytes
    f.componentBytesPerProfile = Double(otherBytes) / Double(max(1, f.profiles))
    f.timelineIndexBytesPerEvent = Double(indexBytes) / Double(max(1, p.appliedEvents))
    for (component, bytes) in report {
        print("    \(component): \(bytes / max(1, f.profiles)) B/profile, \(bytes / max(1, p.appliedEvents)) B/event, \(bytes >> 10) KiB")
    }
    f.logBytes = Double(try LogStatistics.compute(EventReader(dir)).bytesOnDisk)

    guard let cli = daichoExecutable() else {
        print("note: CLI rows skipped: build the CLI first (swift build -c release --product daicho)")
        return f
    }
    // `daicho replay` writes the snapshot and the as-of checkpoints the rows below read.
    var cliRuns: [ChildRun] = []
    for _ in 0..<options.runs {
        let run = try runWithPeak(cli, ["replay", "--data", dir.path])
        cliRuns.append(run)
        print("    daicho replay: \(duration(run.seconds)), \(run.cpuSeconds.map(duration) ?? "-") CPU, peak \(run.peakBytes.map { format($0 / 1e6) } ?? "-") MB")
    }
    let cliMedian = cliRuns.sorted { $0.seconds < $1.seconds }[cliRuns.count / 2]
    f.cliReplayEventsPerSecond = Double(f.events) / cliMedian.seconds
    f.cliReplayEventsPerCPUSecond = cliMedian.cpuSeconds.map { Double(f.events) / $0 }
    f.cliReplayPeakBytes = cliRuns.compactMap(\.peakBytes).max()
    let snapshot = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
    f.snapshotBytes = (try FileManager.default.attributesOfItem(atPath: snapshot)[.size] as? Int).map(Double.init)
    // The newest checkpoint may be the snapshot's own file (a hard link): no extra bytes.
    let snapshotInode = try FileManager.default.attributesOfItem(atPath: snapshot)[.systemFileNumber] as? Int
    f.checkpointBytes = Double(Checkpoints.list(in: dir.snapshotsPath).reduce(0) { sum, c in
        let a = try? FileManager.default.attributesOfItem(atPath: c.path)
        return a?[.systemFileNumber] as? Int == snapshotInode ? sum : sum + ((a?[.size] as? Int) ?? 0)
    })

    try state.ensureProjection(workload, dir) // picks the sample customer (median events among those with an e-mail)
    for command in ["profile", "timeline"] {
        var runs: [ChildRun] = []
        for _ in 0..<5 { runs.append(try runWithPeak(cli, [command, "--data", dir.path, "--email", state.sampleEmail])) }
        let ms = runs.map(\.seconds).sorted()[2] * 1000
        let peak = runs.compactMap(\.peakBytes).max()
        if command == "profile" { (f.profileMilliseconds, f.profilePeakBytes) = (ms, peak) }
        else { (f.timelineMilliseconds, f.timelinePeakBytes) = (ms, peak) }
    }
    let asOf = AsOfBenchState()
    try asOf.prepare(cli, state: state, workload: workload, dir: dir)
    for i in 0..<3 {
        f.asOfMilliseconds.append(try median(3) { try timeCommand(cli, asOf.arguments(dir, at: i)) } * 1000)
    }
    return f
}

/// Ingests the workload into `dir` unless it already holds it; returns the wall and CPU seconds the ingest took,
/// kept in a sidecar file beside the directory so a cached run reports the ingest it did.
private func ingestOnce(_ workload: Workload, into dir: DataDirectory) throws -> (wall: Double, cpu: Double) {
    let sidecar = dir.path + ".ingest-seconds"
    if (try? EventReader(dir))?.endOffset ?? 0 > 0,
       let text = try? String(contentsOfFile: sidecar, encoding: .utf8) {
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        if numbers.count == 2 {
            print("    using cached data directory \(dir.path) (ingested in \(duration(numbers[0])), \(duration(numbers[1])) CPU)")
            return (numbers[0], numbers[1])
        }
    }
    try? FileManager.default.removeItem(atPath: dir.path)
    let cpu = cpuSeconds()
    let elapsed = try ContinuousClock().measure { try appendFile(workload.path, to: dir) }
    let used = (elapsed.seconds, cpuSeconds() - cpu)
    try "\(used.0) \(used.1)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
    print("    ingested into \(dir.path) in \(duration(used.0)), \(duration(used.1)) CPU")
    return used
}

/// User and system CPU seconds of this process so far, all threads.
private func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// One child command's wall time and, when /usr/bin/time reported them, its CPU seconds and peak resident bytes.
struct ChildRun {
    var seconds: Double
    var cpuSeconds: Double?
    var peakBytes: Double?
}

/// Wall time, CPU seconds and peak resident bytes of one command run. CPU and peak come from
/// `/usr/bin/time -f "%M %U %S"` (its wait4 rusage of a child it forked): a child spawned straight from this large
/// process would inherit this process's high-water mark at exec.
/// - Returns: nil CPU and peak when /usr/bin/time is missing.
func runWithPeak(_ executable: String, _ arguments: [String]) throws -> ChildRun {
    let time = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: time) else {
        return ChildRun(seconds: try timeCommand(executable, arguments))
    }
    let report = NSTemporaryDirectory() + "daicho-bench-peak-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: report) }
    let seconds = try timeCommand(time, ["-f", "%M %U %S", "-o", report, executable] + arguments)
    let fields = try String(contentsOfFile: report, encoding: .utf8)
        .split(separator: "\n").last.map { $0.split(separator: " ").compactMap { Double($0) } } ?? []
    guard fields.count == 3 else { return ChildRun(seconds: seconds) }
    return ChildRun(seconds: seconds, cpuSeconds: fields[1] + fields[2], peakBytes: fields[0] * 1024)
}

/// Prints the two sizes side by side with the large/small ratio and the issue 9 verdicts.
private func printScaleTable(_ f: [ScaleFigures], sizes: [Int]) {
    let (s, l) = (f[0], f[1])
    var rows: [[String]] = [["figure", "\(sizes[0]) lines", "\(sizes[1]) lines", "ratio", "target (issue 9)", "verdict"]]
    /// A throughput row: the ratio passes within 20 %.
    func speed(_ name: String, _ a: Double?, _ b: Double?, target: Double? = nil) {
        let ratio = a.flatMap { a in a > 0 ? b.map { $0 / a } : nil }
        let verdict = [ratio.map { $0 >= 0.8 ? "flat" : "drops \(Int(((1 - $0) * 100).rounded())) %" },
                       target.flatMap { t in b.map { $0 >= t ? "met" : "missed" } }].compactMap { $0 }
        rows.append([name, a.map(format) ?? "-", b.map(format) ?? "-", ratio.map { String(format: "%.2fx", $0) } ?? "-",
                     target.map(format) ?? "-", verdict.joined(separator: ", ")])
    }
    /// A cost row (memory, latency): within a bound at the large size, and flat per unit.
    func cost(_ name: String, _ a: Double?, _ b: Double?, bound: Double? = nil, perUnit: Bool = false) {
        let ratio = a.flatMap { a in a > 0 ? b.map { $0 / a } : nil }
        let verdict = [perUnit ? ratio.map { $0 <= 1.2 ? "flat" : "grows \(Int((($0 - 1) * 100).rounded())) %" } : nil,
                       bound.flatMap { t in b.map { $0 <= t ? "met" : "missed" } }].compactMap { $0 }
        rows.append([name, a.map(format) ?? "-", b.map(format) ?? "-", ratio.map { String(format: "%.2fx", $0) } ?? "-",
                     bound.map { "<= " + format($0) } ?? "-", verdict.joined(separator: ", ")])
    }
    rows.append(["events (after dedup and bad lines)", format(Double(s.events)), format(Double(l.events)),
                 String(format: "%.2fx", Double(l.events) / Double(s.events)), "-", ""])
    rows.append(["profiles", format(Double(s.profiles)), format(Double(l.profiles)),
                 String(format: "%.2fx", Double(l.profiles) / Double(s.profiles)), "-", ""])
    rows.append(["load average (1, 5, 15 min) at the start", s.loadAverage, l.loadAverage, "-", "-", ""])
    speed("ingest (lines/s, once)", s.ingestLinesPerSecond, l.ingestLinesPerSecond)
    speed("ingest (lines per CPU-s)", s.ingestLinesPerCPUSecond, l.ingestLinesPerCPUSecond)
    speed("replay in-process (events/s)", s.replayEventsPerSecond, l.replayEventsPerSecond, target: 2_000_000)
    speed("replay in-process (events per CPU-s)", s.replayEventsPerCPUSecond, l.replayEventsPerCPUSecond)
    speed("daicho replay CLI (events/s)", s.cliReplayEventsPerSecond, l.cliReplayEventsPerSecond)
    speed("daicho replay CLI (events per CPU-s)", s.cliReplayEventsPerCPUSecond, l.cliReplayEventsPerCPUSecond)
    cost("by component (B/profile, no index)", s.componentBytesPerProfile, l.componentBytesPerProfile, bound: 1024, perUnit: true)
    cost("timeline index (B/event)", s.timelineIndexBytesPerEvent, l.timelineIndexBytesPerEvent, bound: 16, perUnit: true)
    let perProfile = { (x: ScaleFigures) in x.cliReplayPeakBytes.map { $0 / Double(max(1, x.profiles)) } }
    let perEvent = { (x: ScaleFigures) in x.cliReplayPeakBytes.map { $0 / Double(max(1, x.events)) } }
    cost("daicho replay peak RSS (B/profile)", perProfile(s), perProfile(l), perUnit: true)
    cost("daicho replay peak RSS (B/event)", perEvent(s), perEvent(l), perUnit: true)
    cost("daicho profile (ms)", s.profileMilliseconds, l.profileMilliseconds, bound: 100)
    cost("daicho profile peak RSS (MB)", s.profilePeakBytes.map { $0 / 1e6 }, l.profilePeakBytes.map { $0 / 1e6 }, bound: 100)
    cost("daicho timeline (ms)", s.timelineMilliseconds, l.timelineMilliseconds, bound: 100)
    cost("daicho timeline peak RSS (MB)", s.timelinePeakBytes.map { $0 / 1e6 }, l.timelinePeakBytes.map { $0 / 1e6 }, bound: 100)
    for (i, share) in ["10 %", "50 %", "90 %"].enumerated() where i < s.asOfMilliseconds.count && i < l.asOfMilliseconds.count {
        cost("profile --as-of (\(share)), checkpoint (ms)", s.asOfMilliseconds[i], l.asOfMilliseconds[i], bound: 500)
    }
    cost("log on disk (MB)", s.logBytes / 1e6, l.logBytes / 1e6)
    cost("snapshot (MB)", s.snapshotBytes.map { $0 / 1e6 }, l.snapshotBytes.map { $0 / 1e6 })
    let share = { (x: ScaleFigures) in x.snapshotBytes.map { $0 / x.logBytes } }
    cost("snapshot / log", share(s), share(l), bound: 0.5)
    cost("checkpoints beside the snapshot (MB)", s.checkpointBytes.map { $0 / 1e6 }, l.checkpointBytes.map { $0 / 1e6 })

    let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
    print("")
    for (i, row) in rows.enumerated() {
        let cells = row.enumerated().map { c, cell in
            c == 0 || c == 5 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - cell.count) + cell
        }
        print(String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()))
        if i == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
}
