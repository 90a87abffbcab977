import Daicho
import DaichoLog
import DaichoProjections
import DaichoWorkload
import Foundation

/// Issue 3 targets, with issue 9's for replay: replay >= 2M events/s and >= 5x DuckDB's dedup + aggregates, lookup p99 <= 10 µs,
/// `daicho profile` <= 300 ms and `daicho timeline` <= 50 ms end to end, <= 1 KiB per profile + 16 B per event.
func registerProjectionBenchmarks(_ h: inout Harness, workload: Workload) {
    let base = URL(fileURLWithPath: workload.path).deletingLastPathComponent().path
    let dir = DataDirectory(base + "/daicho-bench-data") // filled by the read benchmarks' setup
    let state = ProjectionBenchState()

    h.add("replay (decode + identity + profiles)", unit: "events/s", target: 2_000_000, versus: "duckdb dedup + aggregates",
          versusTarget: 5, setup: {
        try state.ensureLog(workload, dir)
    }) {
        let projection = try ProjectionLoader.replay(EventReader(dir), settings: ProjectionSettings.load(dir), asOf: nil)
        state.projection = projection
        return Int(projection.nextOffset)
    }
    h.addFact("profile lookup by e-mail p50 (normalize + graph)", unit: "µs") {
        try state.ensureProjection(workload, dir)
        return try state.lookupLatencies(renderJSON: false).p50
    }
    h.addFact("profile lookup by e-mail p99 (target <= 10)", unit: "µs") {
        try state.ensureProjection(workload, dir)
        return try state.lookupLatencies(renderJSON: false).p99
    }
    h.addFact("profile lookup + JSON p99", unit: "µs") {
        try state.ensureProjection(workload, dir)
        return try state.lookupLatencies(renderJSON: true).p99
    }
    h.addFact("profiles", unit: "count") { try state.ensureProjection(workload, dir); return Double(state.projection!.profileCount) }
    if let cli = daichoExecutable() {
        h.addFact("resident bytes per profile after `daicho replay` (upper bound: whole process)", unit: "bytes") {
            try state.ensureLog(workload, dir)
            let result = try runProcess(cli, ["replay", "--data", dir.path])
            guard result.status == 0, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                  let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let rss = json["resident_bytes"] as? Int, let profiles = json["profiles"] as? Int else {
                throw StoreError("daicho replay: \(result.output)")
            }
            return Double(rss) / Double(max(1, profiles))
        }
    }
    h.addFact("bytes per profile by component (default log)", unit: "bytes") {
        try state.ensureProjection(workload, dir)
        let p = state.projection!
        let report = p.memoryReport()
        for (component, bytes) in report {
            print("    \(component): \(bytes / max(1, p.profileCount)) B/profile, \(bytes / max(1, p.appliedEvents)) B/event, \(bytes >> 10) KiB")
        }
        return Double(report.reduce(0) { $0 + $1.bytes }) / Double(max(1, p.profileCount))
    }
    if let n = options.memoryProfiles {
        h.addFact("bytes per profile by component (\(n) customers, \(3 * n) events)", unit: "bytes") {
            let big = try Workload.prepare(WorkloadConfig(events: 3 * n, customers: n, seed: options.seed), in: options.dir)
            let bigDir = DataDirectory(options.dir + "/daicho-bench-memory-\(n)")
            let bigState = ProjectionBenchState()
            try bigState.ensureLog(big, bigDir)
            let p = try ProjectionLoader.replay(EventReader(bigDir), settings: ProjectionSettings.load(bigDir), asOf: nil)
            let report = p.memoryReport()
            print("    \(p.profileCount) profiles, \(p.appliedEvents) events")
            for (component, bytes) in report {
                print("    \(component): \(bytes / max(1, p.profileCount)) B/profile, \(bytes / max(1, p.appliedEvents)) B/event, \(bytes >> 10) KiB")
            }
            return Double(report.reduce(0) { $0 + $1.bytes }) / Double(max(1, p.profileCount))
        }
    }
    h.addFact("events per profile", unit: "count") {
        try state.ensureProjection(workload, dir)
        return Double(state.projection!.appliedEvents) / Double(max(1, state.projection!.profileCount))
    }
    if let cli = daichoExecutable() {
        h.addFact("daicho profile, end to end, median of 5 (target <= 300)", unit: "ms") {
            try state.ensureSnapshot(workload, dir)
            return try median(5) { try timeCommand(cli, ["profile", "--data", dir.path, "--email", state.sampleEmail]) } * 1000
        }
        h.addFact("daicho timeline, end to end, median of 5 (target <= 50)", unit: "ms") {
            try state.ensureSnapshot(workload, dir)
            return try median(5) { try timeCommand(cli, ["timeline", "--data", dir.path, "--email", state.sampleEmail]) } * 1000
        }
        registerAsOfBenchmarks(&h, cli: cli, state: state, workload: workload, dir: dir)
        h.addFact("process start and exit alone (/bin/true), median of 5", unit: "ms") {
            try median(5) { try timeCommand("/bin/true", []) } * 1000
        }
        h.addFact("timeline in-process (projection loaded), median of 5", unit: "ms") {
            try state.ensureProjection(workload, dir)
            let p = state.projection!
            guard let id = p.profile(kind: .email, raw: state.sampleEmail) else { throw StoreError("sample customer not found") }
            let reader = try EventReader(dir)
            return try median(5) {
                let start = DispatchTime.now()
                blackHole(try Timeline.events(of: id, in: p, reader: reader).count)
                return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            } * 1000
        }
    } else {
        h.note("daicho profile/timeline rows skipped: build the CLI first (swift build -c release --product daicho)")
    }
}

/// The median of `n` measurements.
func median(_ n: Int, _ measure: () throws -> Double) rethrows -> Double {
    var xs: [Double] = []
    for _ in 0..<n { xs.append(try measure()) }
    xs.sort()
    return xs[n / 2]
}

/// Shared, lazily built state of the projection benchmarks.
final class ProjectionBenchState: @unchecked Sendable {
    var projection: ProfileProjection?
    var sampleEmail = ""
    private var logReady = false
    private var snapshotReady = false

    func ensureLog(_ workload: Workload, _ dir: DataDirectory) throws {
        guard !logReady else { return }
        if (try? EventReader(dir))?.endOffset ?? 0 == 0 {
            try? FileManager.default.removeItem(atPath: dir.path)
            try appendFile(workload.path, to: dir)
        }
        logReady = true
    }

    func ensureProjection(_ workload: Workload, _ dir: DataDirectory) throws {
        try ensureLog(workload, dir)
        if projection == nil {
            projection = try ProjectionLoader.replay(EventReader(dir), settings: ProjectionSettings.load(dir), asOf: nil)
        }
        if sampleEmail.isEmpty, let p = projection {
            // A typical customer: the median event count among profiles with an e-mail.
            var withEmail: [(events: Int, email: String)] = []
            for id in p.livingProfiles.prefix(20_000) {
                if let e = p.graph.identifiers(of: id).first(where: { $0.kind == IdentifierKind.email.code }) {
                    withEmail.append((p.eventOffsets(of: id).count, e.value))
                }
            }
            withEmail.sort { $0.events < $1.events }
            sampleEmail = withEmail.isEmpty ? "" : withEmail[withEmail.count / 2].email
            if !withEmail.isEmpty { print("    sample customer (median among profiles with an e-mail): \(withEmail[withEmail.count / 2].events) events") }
        }
    }

    func ensureSnapshot(_ workload: Workload, _ dir: DataDirectory) throws {
        try ensureProjection(workload, dir)
        guard !snapshotReady, let projection else { return }
        try ProjectionSnapshot.write(projection, settingsHash: ProjectionSettings.load(dir).hash, directory: dir.snapshotsPath, log: dir)
        snapshotReady = true
    }

    /// In-process lookups by e-mail (normalize + graph lookup + the profile's JSON) over many customers.
    func lookupLatencies(renderJSON: Bool) throws -> (p50: Double, p99: Double) {
        guard let p = projection else { throw StoreError("no projection") }
        var emails: [String] = []
        for id in p.livingProfiles.prefix(50_000) {
            if let e = p.graph.identifiers(of: id).first(where: { $0.kind == IdentifierKind.email.code }) { emails.append(e.value) }
            if emails.count == 10_000 { break }
        }
        var samples: [Double] = []
        samples.reserveCapacity(emails.count)
        let clock = ContinuousClock()
        var found = 0
        for e in emails {
            let d = clock.measure {
                if let id = p.profile(kind: .email, raw: e) {
                    found += 1
                    if renderJSON { blackHole(p.json(of: id, now: 0)) } else { blackHole(id) }
                }
            }
            samples.append(d.seconds * 1e6)
        }
        guard found == emails.count else { throw StoreError("lookup missed \(emails.count - found) profiles") }
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)])
    }

}

/// The release `daicho` binary of the main package, when built.
func daichoExecutable() -> String? {
    let candidates = ["../.build/release/daicho", ".build/release/daicho"]
    return candidates.map { URL(fileURLWithPath: $0).standardized.path }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Wall time of one command run: posix_spawn and waitpid, output to /dev/null. (Foundation's
/// `Process.waitUntilExit` polls its run loop and adds up to ~50 ms, more than the latencies measured here.)
/// A failing run (an exit status not in `accepted`, or a signal) is repeated through `runProcess` to report its output.
func timeCommand(_ executable: String, _ arguments: [String], accepted: Set<Int32> = [0]) throws -> Double {
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = DispatchTime.now()
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
        throw StoreError("cannot start \(executable)")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let exited = status & 0x7f == 0, exitStatus = (status >> 8) & 0xff
    guard exited, accepted.contains(exitStatus) else {
        let result = try runProcess(executable, arguments)
        throw StoreError("\(executable) \(arguments.joined(separator: " ")) failed: \(result.output)")
    }
    return seconds
}
