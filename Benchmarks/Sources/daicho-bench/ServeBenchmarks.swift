import Daicho
import DaichoHTTP
import DaichoWorkload
import Foundation

// `daicho serve` under load (issue 10, docs/benchmarks.md "Server"): a load generator of keep-alive connections
// posting Segment batches, the same events appended by `daicho append`, profile reads over keep-alive, and the
// server's memory per profile. The server is the release `daicho` binary, started per run on a fresh directory
// (ingest) or on a copy of the benchmark log (reads).

/// Registers the server rows and facts (nothing without the release `daicho` binary).
func registerServeBenchmarks(_ h: inout Harness, workload: Workload) {
    guard let cli = daichoExecutable() else {
        h.note("serve rows skipped: build the release daicho binary first (make bench does)")
        return
    }
    let bench = ServeBench(cli: cli, workload: workload)
    h.addMeasured([Row(name: "serve: POST /v1/batch, 16 keep-alive connections × 100 events", unit: "events/s",
                       target: 250_000, versus: "serve: daicho append of the same events", versusTarget: 0.5)],
                  setup: { try bench.prepareIngest() }) {
        [try bench.ingestOverHTTP()]
    }
    h.add("serve: daicho append of the same events", unit: "events/s", setup: { try bench.prepareIngest() }) {
        try bench.appendTwin()
    }
    h.addFact("serve: POST /v1/batch acknowledgement p99 at half the measured load (target <= 20)", unit: "ms") {
        try bench.prepareIngest()
        return try bench.latencyAtHalfLoad().p99 * 1000
    }
    h.addFact("serve: event accepted -> SSE feed record at a connected client, p99 (target <= 50)", unit: "ms") {
        try bench.feedLatency().p99 * 1000
    }
    h.addMeasured([Row(name: "serve: GET /v1/profiles/email:…, 16 keep-alive connections", unit: "requests/s", target: 20_000)],
                  setup: { try bench.prepareReads() }) {
        [try bench.profileReads().measurement]
    }
    h.addFact("serve: GET /v1/profiles/email:… p99 (target <= 5)", unit: "ms") {
        try bench.prepareReads()
        return try bench.profileReads().p99 * 1000
    }
    h.addFact("serve: resident bytes per profile (default log, after start)", unit: "bytes") {
        try bench.prepareReads()
        return bench.residentBytesPerProfile
    }
}

/// The state of the server rows: the generated batches, their NDJSON twin, the copied log, a started reader.
final class ServeBench: @unchecked Sendable { // the connection threads only read `batches` while a row runs
    let cli: String
    let workload: Workload
    let connections = 16
    let batchSize = 100
    let events = 200_000
    /// Request bodies: Segment batches of `batchSize` `track` messages.
    private var batches: [[UInt8]] = []
    /// The same events as Daicho envelopes, one file, for `daicho append`.
    private var twinPath = ""
    private(set) var readDirectory = ""
    private(set) var emails: [String] = []
    private(set) var residentBytesPerProfile = 0.0
    private var lastThroughput = 0.0

    init(cli: String, workload: Workload) {
        self.cli = cli
        self.workload = workload
    }

    private var root: String { workload.path + ".serve" }

    /// Generates the batches and their twin file once.
    func prepareIngest() throws {
        guard batches.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var twin = ""
        let paths = ["/", "/category/kitchen", "/products/sku-1001", "/cart", "/checkout/complete"]
        for b in 0..<(events / batchSize) {
            var messages: [String] = []
            for k in 0..<batchSize {
                let n = b * batchSize + k
                let user = "U\(String(format: "%08d", n % 50_000))"
                let at = "2026-05-0\(1 + n % 9)T\(String(format: "%02d", n % 24)):\(String(format: "%02d", n % 60)):00Z"
                let path = paths[n % paths.count]
                messages.append(#"{"type":"track","messageId":"m-\#(n)","userId":"\#(user)","event":"Product Viewed","properties":{"path":"\#(path)","price":\#(100 + n % 900),"currency":"JPY"},"context":{"library":{"name":"analytics-python","version":"2.3.3"}},"timestamp":"\#(at)"}"#)
                twin += #"{"id":"m-\#(n)","type":"track","at":"\#(at)","ids":{"user_id":"\#(user)"},"props":{"event":"Product Viewed","path":"\#(path)","price":\#(100 + n % 900),"currency":"JPY","context":{"library":{"name":"analytics-python","version":"2.3.3"}}}}"# + "\n"
            }
            batches.append(Array(#"{"batch":[\#(messages.joined(separator: ","))]}"#.utf8))
        }
        twinPath = root + "/twin.ndjson"
        try Data(twin.utf8).write(to: URL(fileURLWithPath: twinPath))
    }

    /// A fresh, empty data directory.
    private func freshDirectory(_ name: String) throws -> String {
        let path = root + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// All batches posted over `connections` keep-alive connections to a server on a fresh directory; the time
    /// from the first request to the last acknowledgement.
    func ingestOverHTTP() throws -> Measurement {
        let server = try ServeProcess(cli: cli, data: try freshDirectory("ingest"))
        defer { server.stop() }
        let key = try server.writeKey()
        let next = Counter()
        let start = DispatchTime.now()
        try runConnections(server) { connection in
            while let i = next.take(below: self.batches.count) {
                let reply = try connection.post("/v1/batch", body: self.batches[i], basicUser: key)
                guard reply.status == 200 else { throw StoreError("POST /v1/batch: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))") }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        lastThroughput = Double(events) / seconds
        return Measurement(items: Double(events), seconds: seconds)
    }

    /// `daicho append` of the twin file into a fresh directory, end to end.
    func appendTwin() throws -> Int {
        let dir = try freshDirectory("append")
        let result = try runProcess(cli, ["append", "--data", dir, twinPath])
        guard result.status == 0 else { throw StoreError("daicho append: \(result.output)") }
        return events
    }

    /// Latencies of the batches posted at half the last measured throughput, spread over the connections.
    func latencyAtHalfLoad() throws -> (p50: Double, p99: Double) {
        if lastThroughput == 0 { _ = try ingestOverHTTP() }
        let server = try ServeProcess(cli: cli, data: try freshDirectory("latency"))
        defer { server.stop() }
        let key = try server.writeKey()
        let interval = Double(batchSize) / (lastThroughput / 2) // seconds between batches, all connections together
        let next = Counter()
        let latencies = Samples()
        let start = DispatchTime.now().uptimeNanoseconds
        try runConnections(server) { connection in
            while let i = next.take(below: self.batches.count) {
                let due = start + UInt64(Double(i) * interval * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(UInt32((due - now) / 1000)) }
                let sent = DispatchTime.now().uptimeNanoseconds
                let reply = try connection.post("/v1/batch", body: self.batches[i], basicUser: key)
                guard reply.status == 200 else { throw StoreError("POST /v1/batch: \(reply.status)") }
                latencies.add(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e9)
            }
        }
        return percentiles(latencies.values)
    }

    /// Copies the benchmark log (ingested by the projection rows, or here) and picks e-mail addresses from the
    /// workload; the server is started per run.
    func prepareReads() throws {
        guard readDirectory.isEmpty else { return }
        let source = DataDirectory(options.dir + "/daicho-bench-serve-log")
        if (try? EventReader(source))?.endOffset ?? 0 == 0 { try daicho_bench.appendFile(workload.path, to: source) }
        readDirectory = root + "/reads"
        try? FileManager.default.removeItem(atPath: readDirectory)
        try FileManager.default.createDirectory(atPath: readDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source.logPath, toPath: DataDirectory(readDirectory).logPath)
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: workload.path)).readData(ofLength: 8 << 20)
        var seen = Set<String>()
        for line in String(decoding: head, as: UTF8.self).split(separator: "\n") {
            guard let r = line.range(of: #""email":""#), let end = line[r.upperBound...].firstIndex(of: "\"") else { continue }
            let email = line[r.upperBound..<end].trimmingCharacters(in: .whitespaces).lowercased()
            if email.contains("@"), seen.insert(email).inserted { emails.append(email) }
            if emails.count == 2_000 { break }
        }
        guard !emails.isEmpty else { throw StoreError("no e-mail address in the workload") }
    }

    /// GET a profile by e-mail, round robin over the sample, from every connection.
    func profileReads(requests: Int = 100_000) throws -> (measurement: Measurement, p99: Double) {
        let server = try ServeProcess(cli: cli, data: readDirectory)
        defer { server.stop() }
        if let profiles = server.start["profiles"] as? Int, profiles > 0 {
            residentBytesPerProfile = server.residentBytes / Double(profiles)
        }
        let token = try server.readToken()
        let paths = emails.map { "/v1/profiles/email:" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }
        let next = Counter()
        let latencies = Samples()
        let start = DispatchTime.now()
        try runConnections(server) { connection in
            while let i = next.take(below: requests) {
                let sent = DispatchTime.now().uptimeNanoseconds
                let reply = try connection.get(paths[i % paths.count], bearer: token)
                guard reply.status == 200 || reply.status == 404 else { throw StoreError("GET profile: \(reply.status)") }
                latencies.add(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e9)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return (Measurement(items: Double(requests), seconds: seconds), percentiles(latencies.values).p99)
    }

    /// Time from posting an event (one `track` of a new user, each making that user enter the segment
    /// `tracked`) to its `entered` record arriving on a connected `/v1/feed` client, for 500 events posted 5 ms
    /// apart from 4 connections.
    func feedLatency(events: Int = 500) throws -> (p50: Double, p99: Double) {
        let dir = try freshDirectory("feed")
        let define = try runProcess(cli, ["segment", "define", "tracked", "count(track) >= 1", "--data", dir])
        guard define.status == 0 else { throw StoreError("segment define: \(define.output)") }
        let server = try ServeProcess(cli: cli, data: dir)
        defer { server.stop() }
        let key = try server.writeKey(), token = try server.readToken()
        // The feed client: reads the stream and notes when each profile's record arrives.
        let arrivals = Arrivals()
        let feed = try Socket.connect(host: "127.0.0.1", port: server.port)
        try feed.write(Array("GET /v1/feed?segment=tracked HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(token)\r\nAccept: application/x-ndjson\r\n\r\n".utf8),
                       until: Deadline(millisFromNow: 5000))
        let reading = DispatchGroup()
        reading.enter()
        Thread.detachNewThread {
            defer { reading.leave() }
            var pending: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
            let deadline = Deadline(millisFromNow: 60_000)
            while arrivals.count < events && !deadline.hasPassed {
                guard let n = try? chunk.withUnsafeMutableBytes({ try feed.read(into: $0, until: deadline) }), n > 0 else { break }
                pending += chunk[..<n]
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = pending[..<nl]
                    if let r = String(decoding: line, as: UTF8.self).range(of: #""profile":"p-"#) {
                        let text = String(decoding: line, as: UTF8.self)
                        arrivals.note(String(text[r.upperBound...].prefix(16)), at: DispatchTime.now().uptimeNanoseconds)
                    }
                    pending.removeSubrange(...nl)
                }
            }
        }
        usleep(200_000) // the feed subscribed
        let sent = Arrivals()
        let next = Counter()
        let connections = 4, port = server.port
        let done = DispatchGroup()
        let failure = Samples.Failure()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<connections {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    let c = try KeepAliveConnection(host: "127.0.0.1", port: port)
                    while let i = next.take(below: events) {
                        let due = start + UInt64(i) * 5_000_000
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { usleep(UInt32((due - now) / 1000)) }
                        let user = "feed-\(i)"
                        let body = Array(#"{"batch":[{"type":"track","messageId":"f-\#(i)","userId":"\#(user)","event":"Feed Probe","timestamp":"2026-05-02T10:00:00Z"}]}"#.utf8)
                        sent.note(Self.profileID(user: user), at: DispatchTime.now().uptimeNanoseconds)
                        let reply = try c.post("/v1/batch", body: body, basicUser: key)
                        guard reply.status == 200 else { throw StoreError("POST: \(reply.status)") }
                    }
                } catch { failure.set(error) }
            }
        }
        done.wait()
        if let error = failure.error { throw error }
        reading.wait()
        var latencies: [Double] = []
        for (profile, at) in sent.all { if let arrived = arrivals.time(profile), arrived >= at { latencies.append(Double(arrived - at) / 1e9) } }
        guard latencies.count == events else { throw StoreError("\(latencies.count) of \(events) feed records arrived") }
        return percentiles(latencies)
    }

    /// The id of the profile born from user id `user` (docs/identity.md: XXH64 of `user_id:` and the value).
    static func profileID(user: String) -> String {
        let hex = Array("user_id:\(user)".utf8).withUnsafeBytes { String(XXHash64.hash($0), radix: 16) }
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Runs `body` on `connections` threads (threads of their own: a dispatch pool would run only as many as there
    /// are cores), each with its own keep-alive connection; rethrows the first error.
    private func runConnections(_ server: ServeProcess, _ body: @escaping @Sendable (KeepAliveConnection) throws -> Void) throws {
        let failure = Samples.Failure()
        let done = DispatchGroup()
        let port = server.port
        for _ in 0..<connections {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do { try body(try KeepAliveConnection(host: "127.0.0.1", port: port)) } catch { failure.set(error) }
            }
        }
        done.wait()
        if let error = failure.error { throw error }
    }
}

/// Hands out indexes to threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Latencies gathered by several threads.
final class Samples: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Double] = []
    func add(_ v: Double) { lock.lock(); values.append(v); lock.unlock() }

    /// The first error of several threads.
    final class Failure: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var error: (any Error)?
        func set(_ e: any Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }
}

/// When each profile's event was sent or its feed record arrived (ns), from several threads.
final class Arrivals: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [String: UInt64] = [:]
    func note(_ profile: String, at t: UInt64) { lock.lock(); if times[profile] == nil { times[profile] = t }; lock.unlock() }
    func time(_ profile: String) -> UInt64? { lock.lock(); defer { lock.unlock() }; return times[profile] }
    var count: Int { lock.lock(); defer { lock.unlock() }; return times.count }
    var all: [(String, UInt64)] { lock.lock(); defer { lock.unlock() }; return times.map { ($0.key, $0.value) } }
}

/// A running `daicho serve` on a free port.
final class ServeProcess {
    let process = Process()
    let data: String
    let start: [String: Any]
    let port: UInt16

    init(cli: String, data: String) throws {
        self.data = data
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(out.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        start = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
        guard let url = start["listening"] as? String, let endpoint = HTTPClient.Endpoint(url) else {
            process.terminate()
            throw StoreError("daicho serve did not start: \(String(decoding: line, as: UTF8.self))")
        }
        port = endpoint.port
    }

    private func keys() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/serve.json"))) as? [String: Any] ?? [:]
    }

    func writeKey() throws -> String {
        guard let key = (try keys()["write_keys"] as? [String])?.first else { throw StoreError("no write key in serve.json") }
        return key
    }

    func readToken() throws -> String {
        guard let token = (try keys()["read_tokens"] as? [String])?.first else { throw StoreError("no read token in serve.json") }
        return token
    }

    /// VmRSS of the server process.
    var residentBytes: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
    }

    /// SIGTERM (graceful: everything durable, snapshot written) and wait.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A response: status and body.
struct Reply {
    var status: Int
    var body: [UInt8]
}

/// One keep-alive HTTP/1.1 connection: a request at a time, responses framed by Content-Length.
final class KeepAliveConnection {
    private let socket: Socket
    private var pending: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(host: String, port: UInt16) throws {
        socket = try Socket.connect(host: host, port: port)
    }

    func post(_ path: String, body: [UInt8], basicUser: String) throws -> Reply {
        let auth = Data((basicUser + ":").utf8).base64EncodedString()
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic \(auth)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        return try exchange(Array(head.utf8) + body)
    }

    func get(_ path: String, bearer: String) throws -> Reply {
        try exchange(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(bearer)\r\n\r\n".utf8))
    }

    private func exchange(_ request: [UInt8]) throws -> Reply {
        try socket.write(request, until: Deadline(millisFromNow: 30_000))
        let deadline = Deadline(millisFromNow: 30_000)
        var headEnd: Int?
        while true {
            if let end = find([13, 10, 13, 10], in: pending) { headEnd = end; break }
            try fill(deadline)
        }
        let head = String(decoding: pending[..<headEnd!], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw StoreError("bad response head: \(head.prefix(100))")
        }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        let bodyStart = headEnd! + 4
        while pending.count < bodyStart + length { try fill(deadline) }
        let body = Array(pending[bodyStart..<(bodyStart + length)])
        pending.removeFirst(bodyStart + length)
        return Reply(status: status, body: body)
    }

    private func fill(_ deadline: Deadline) throws {
        let n = try chunk.withUnsafeMutableBytes { try socket.read(into: $0, until: deadline) }
        guard n > 0 else { throw StoreError("the server closed the connection") }
        pending.append(contentsOf: chunk[..<n])
    }

    private func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
