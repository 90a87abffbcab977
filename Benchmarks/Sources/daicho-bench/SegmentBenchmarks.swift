import Daicho
import DaichoLog
import DaichoProjections
import DaichoSegments
import DaichoWorkload
import Foundation
import Synchronization

/// Issue 4 targets over the workload with the fifty `WorkloadSegments` defined first: replay with segments
/// >= 1M events/s (issue 9; issue 4 asked 1.5M); append → in-process subscriber p99 <= 1 ms; append → `daicho watch` in another process
/// p99 <= 100 ms; defining (backfilling) a segment over 1M profiles <= 1 s.
func registerSegmentBenchmarks(_ h: inout Harness, workload: Workload, backfillCustomers: Int) {
    let base = URL(fileURLWithPath: workload.path).deletingLastPathComponent().path
    let dir = DataDirectory(base + "/daicho-bench-segments")
    let state = SegmentBenchState()

    h.add("replay with 50 segments", unit: "events/s", target: 1_000_000, setup: {
        try state.ensureLog(workload, dir)
    }) {
        let (segments, _) = try SegmentLoader.load(dir)
        state.feedRecords = Int(segments.feedCount)
        state.profiles = segments.profiles.profileCount
        state.segmentBytes = segments.memoryBytes
        return Int(segments.nextOffset)
    }
    h.addFact("segments replay: profiles", unit: "count") { Double(state.profiles) }
    h.addFact("segments replay: feed records (entered + exited)", unit: "count") { Double(state.feedRecords) }
    h.addFact("segments replay: memberships, deadlines and term stores per profile", unit: "bytes") {
        Double(state.segmentBytes) / Double(max(1, state.profiles))
    }
    h.addFact("append -> in-process subscriber p50", unit: "ms") {
        try state.ensureLatencies(workload, dir)
        return state.inProcess!.p50
    }
    h.addFact("append -> in-process subscriber p99 (target <= 1)", unit: "ms") {
        try state.ensureLatencies(workload, dir)
        return state.inProcess!.p99
    }
    if let cli = daichoExecutable() {
        h.addFact("append -> daicho watch (other process) p50", unit: "ms") {
            try state.ensureWatchLatencies(workload, dir, cli: cli)
            return state.watch!.p50
        }
        h.addFact("append -> daicho watch (other process) p99 (target <= 100)", unit: "ms") {
            try state.ensureWatchLatencies(workload, dir, cli: cli)
            return state.watch!.p99
        }
    }
    let backfillDir = DataDirectory(base + "/daicho-bench-backfill-\(backfillCustomers)")
    for (name, rule) in [("field rule", "commerce.orders >= 2 and traits.plan == \"premium\""),
                         ("windowed rule", "count(purchase within 30d) >= 1")] {
        h.addFact("define (backfill) a \(name) over the backfill log (target <= 1000)", unit: "ms") {
            try state.backfill(rule, customers: backfillCustomers, dir: backfillDir, base: base)
        }
    }
    h.addFact("profiles in the backfill log (\(backfillCustomers) customers, 2 events each)", unit: "count") {
        Double(state.backfillProfiles)
    }
}

/// Logs and results shared by the segment rows.
final class SegmentBenchState: @unchecked Sendable {
    var feedRecords = 0
    var profiles = 0
    var segmentBytes = 0
    var inProcess: (p50: Double, p99: Double)?
    var watch: (p50: Double, p99: Double)?
    var backfillProjection: SegmentProjection?
    var backfillReader: EventReader?
    var backfillProfiles = 0

    /// The fifty definitions, then the workload (so every event is applied with all segments in place).
    func ensureLog(_ workload: Workload, _ dir: DataDirectory) throws {
        guard !dir.exists else { return }
        let store = try EventStore.open(dir)
        let t0 = workload.config.start
        for (i, s) in WorkloadSegments.rules.enumerated() {
            try SegmentDefinitions.define(name: s.name, rule: s.rule, in: store, at: t0 + Int64(i))
        }
        try store.close()
        try appendFile(workload.path, to: dir)
    }

    /// A copy of the segment log to append latency probes to (the replay row's log stays as generated).
    func scratchCopy(_ dir: DataDirectory, suffix: String) throws -> DataDirectory {
        let copy = DataDirectory(dir.path + "-" + suffix)
        try? FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(atPath: dir.path, toPath: copy.path)
        try? FileManager.default.removeItem(atPath: copy.path + "/log/LOCK")
        return copy
    }

    /// A ¥60,000 purchase by a new customer: it enters `big_spenders` (a field rule) as soon as it is applied.
    static func probe(_ i: Int, run: String) -> Event {
        Event(id: "probe-\(run)-\(i)", type: .purchase, at: wallClockMicros(), source: "web",
              identifiers: [Identifier(kind: .email, normalized: "", raw: "probe-\(run)-\(i)@example.jp")],
              props: .object([JSONMember("order_id", .string("probe-\(run)-\(i)")), JSONMember("amount", .int(60000)),
                              JSONMember("currency", .string("JPY"))]))
    }

    func ensureLatencies(_ workload: Workload, _ dir: DataDirectory) throws {
        guard inProcess == nil else { return }
        try ensureLog(workload, dir)
        let copy = try scratchCopy(dir, suffix: "latency")
        defer { try? FileManager.default.removeItem(atPath: copy.path) }
        let received = DispatchSemaphore(value: 0)
        let arrival = Mutex<UInt64>(0)
        let live = try LiveSegments.open(copy) { changes in
            guard !changes.records.isEmpty else { return }
            arrival.withLock { $0 = DispatchTime.now().uptimeNanoseconds }
            received.signal()
        }
        defer { live.close() }
        let store = try EventStore.open(copy)
        defer { try? store.close() }
        var samples: [Double] = []
        for i in 0..<300 {
            _ = try store.append([Self.probe(i, run: "inproc")])
            let durable = DispatchTime.now().uptimeNanoseconds
            guard received.wait(timeout: .now() + 5) == .success else { throw StoreError("no membership change within 5 s") }
            let at = arrival.withLock { $0 }
            if i >= 20 { samples.append(Double(at > durable ? at - durable : 0) / 1e6) } // the first ones warm up
        }
        inProcess = percentiles(samples)
    }

    func ensureWatchLatencies(_ workload: Workload, _ dir: DataDirectory, cli: String) throws {
        guard watch == nil else { return }
        try ensureLog(workload, dir)
        let copy = try scratchCopy(dir, suffix: "watch")
        defer { try? FileManager.default.removeItem(atPath: copy.path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["watch", "--data", copy.path, "--segment", "big_spenders"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let lines = LineReader(out.fileHandleForReading)
        let store = try EventStore.open(copy)
        defer { try? store.close() }
        // The watcher replays the log first; probe until it answers.
        var i = 0
        repeat {
            _ = try store.append([Self.probe(i, run: "ready")])
            i += 1
        } while lines.next(timeout: 1) == nil && i < 120
        while lines.next(timeout: 0.5) != nil {} // the answers to earlier probes
        var samples: [Double] = []
        for i in 0..<100 {
            _ = try store.append([Self.probe(i, run: "watch")])
            let durable = DispatchTime.now().uptimeNanoseconds
            guard lines.next(timeout: 5) != nil else { throw StoreError("daicho watch printed nothing within 5 s") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - durable) / 1e6)
        }
        watch = percentiles(samples)
    }

    /// Time to apply one `segment_defined` (backfill over every profile) to a projection of a log generated with
    /// `customers` customers (built and replayed once, untimed).
    func backfill(_ rule: String, customers: Int, dir: DataDirectory, base: String) throws -> Double {
        if !dir.exists {
            let file = base + "/backfill-\(customers).ndjson"
            _ = try WorkloadGenerator.write(WorkloadConfig(events: customers * 2, customers: customers, seed: 7), toPath: file)
            try appendFile(file, to: dir)
            try? FileManager.default.removeItem(atPath: file)
        }
        if backfillProjection == nil {
            let (segments, reader) = try SegmentLoader.load(dir)
            backfillProjection = segments
            backfillReader = reader
            backfillProfiles = segments.profiles.profileCount
        }
        let store = try EventStore.open(dir)
        let offset = try SegmentDefinitions.define(name: "backfill_\(UInt32.random(in: 0...UInt32.max))", rule: rule, in: store)
        try store.close()
        let reader = backfillReader!
        try reader.refresh()
        let start = DispatchTime.now().uptimeNanoseconds
        try backfillProjection!.applyLog(reader, to: offset + 1)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}

/// Appends an NDJSON file to a data directory (the ingest pipeline, durability at the end).
func appendFile(_ path: String, to dir: DataDirectory) throws {
    let store = try EventStore.open(dir, options: LogOptions(durability: .end))
    _ = try store.ingest(file: path)
    try store.close()
}

/// p50 and p99 of `samples`.
func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
    let s = samples.sorted()
    guard !s.isEmpty else { return (0, 0) }
    return (s[s.count / 2], s[min(s.count - 1, Int(Double(s.count) * 0.99))])
}

/// Reads lines from a pipe on a background thread, so a wait can time out.
final class LineReader: @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    private let available = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                    available.signal()
                }
            }
        }
        thread.start()
    }

    /// The next line, or nil after `timeout` seconds.
    func next(timeout: Double) -> String? {
        guard available.wait(timeout: .now() + timeout) == .success else { return nil }
        return lines.withLock { $0.removeFirst() }
    }
}
