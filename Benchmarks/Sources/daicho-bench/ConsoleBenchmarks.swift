import Daicho
import Foundation

// The console and the report (issue 11, docs/benchmarks.md "Console and reports"): the server time of a customer
// page (the profile and its first timeline page, as the console asks for them), of a dashboard over a year, and
// the end-to-end time of `daicho report` over the whole log. The server is the release `daicho` binary on a copy
// of the benchmark log, as the server read rows use.

/// Registers the console rows (nothing without the release `daicho` binary).
func registerConsoleBenchmarks(_ h: inout Harness, workload: Workload) {
    guard let cli = daichoExecutable() else {
        h.note("console rows skipped: build the release daicho binary first (make bench does)")
        return
    }
    let bench = ConsoleBench(cli: cli, workload: workload)
    h.addFact("console: customer page (GET profile + timeline page of 50) server time p50", unit: "ms") {
        try bench.customerPages().p50 * 1000
    }
    h.addFact("console: customer page (GET profile + timeline page of 50) server time p99 (target <= 300)", unit: "ms") {
        try bench.customerPages().p99 * 1000
    }
    if ConsoleBench.browserAvailable {
        h.addFact("console: customer page in headless Chromium (search -> page with timeline), p50 of 50", unit: "ms") {
            try bench.browserPages().p50
        }
        h.addFact("console: customer page in headless Chromium (search -> page with timeline), p99 of 50 (target <= 1000)", unit: "ms") {
            try bench.browserPages().p99
        }
    } else {
        h.note("console browser rows skipped: /usr/bin/chromium, /usr/bin/chromedriver or python3 selenium missing (make test installs them)")
    }
    h.addFact("console: GET /v1/dashboard for the last 365 days, median of 20 (target <= 300)", unit: "ms") {
        try bench.dashboard(days: 365)
    }
    h.addFact("console: GET /v1/dashboard for the whole log, median of 20", unit: "ms") {
        try bench.dashboard(days: nil)
    }
    h.addFact("console: daicho report of the whole log (HTML), end to end, median of 3 (target <= 2000)", unit: "ms") {
        try bench.report(format: "html")
    }
    h.addFact("console: daicho report --format json of the whole log, end to end, median of 3", unit: "ms") {
        try bench.report(format: "json")
    }
}

/// The state of the console rows: the served copy of the benchmark log and the measured customer pages.
final class ConsoleBench {
    let cli: String
    let serve: ServeBench
    private var pages: (p50: Double, p99: Double)?
    private var browser: (p50: Double, p99: Double)?
    private var firstDay = ""

    init(cli: String, workload: Workload) {
        self.cli = cli
        serve = ServeBench(cli: cli, workload: workload)
    }

    /// A customer page as the console loads it: the profile by e-mail, then the newest 50 events of its
    /// timeline, one after the other on one keep-alive connection, for 2,000 customers; the time of the pair.
    func customerPages() throws -> (p50: Double, p99: Double) {
        if let pages { return pages }
        try serve.prepareReads()
        let server = try ServeProcess(cli: cli, data: serve.readDirectory)
        defer { server.stop() }
        let token = try server.readToken()
        let connection = try KeepAliveConnection(host: "127.0.0.1", port: server.port)
        var times: [Double] = []
        for email in serve.emails {
            let selector = "email:" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)
            let start = DispatchTime.now().uptimeNanoseconds
            let profile = try connection.get("/v1/profiles/" + selector, bearer: token)
            guard profile.status == 200 else { throw StoreError("GET profile: \(profile.status)") }
            let timeline = try connection.get("/v1/profiles/\(selector)/timeline?limit=50", bearer: token)
            guard timeline.status == 200 else { throw StoreError("GET timeline: \(timeline.status)") }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        pages = percentiles(times)
        return pages!
    }

    /// Whether the browser rows can run: Debian's Chromium and its driver, and Python's selenium.
    static var browserAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && ((try? runProcess("/usr/bin/env", ["python3", "-c", "import selenium"]).status) == 0)
    }

    /// The customer page in headless Chromium for 50 customers (Benchmarks/browser/customer_page.py): from the
    /// navigation to `#/search?q=<e-mail>` until the page shows the customer and the first timeline entry, ms.
    func browserPages() throws -> (p50: Double, p99: Double) {
        if let browser { return browser }
        try serve.prepareReads()
        let server = try ServeProcess(cli: cli, data: serve.readDirectory)
        defer { server.stop() }
        let emailsFile = serve.readDirectory + "/browser-emails.txt"
        try Data(serve.emails.prefix(50).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: emailsFile))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../browser/customer_page.py").standardized.path
        let result = try runProcess("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", try server.readToken(), emailsFile])
        guard result.status == 0, let line = result.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let p50 = object["p50_ms"] as? Double, let p99 = object["p99_ms"] as? Double else {
            throw StoreError("customer_page.py: exit \(result.status): \(result.output.suffix(500))")
        }
        browser = (p50, p99)
        return browser!
    }

    /// The median time of 20 `GET /v1/dashboard` over the last `days` days of the log (nil: the whole log), ms.
    func dashboard(days: Int?) throws -> Double {
        try serve.prepareReads()
        let server = try ServeProcess(cli: cli, data: serve.readDirectory)
        defer { server.stop() }
        let token = try server.readToken()
        let connection = try KeepAliveConnection(host: "127.0.0.1", port: server.port)
        let path = try days == nil ? "/v1/dashboard?from=\(logFirstDay())" : "/v1/dashboard"
        return try median(20) {
            let start = DispatchTime.now().uptimeNanoseconds
            let reply = try connection.get(path, bearer: token)
            guard reply.status == 200 else { throw StoreError("GET \(path): \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))") }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
    }

    /// The median wall time of 3 runs of `daicho report` over the whole log (snapshot + tail, as a user runs it), ms.
    func report(format: String) throws -> Double {
        try serve.prepareReads()
        let out = serve.readDirectory + "/report." + format
        let arguments = ["report", "--data", serve.readDirectory, "--from", try logFirstDay(), "--format", format, "--out", out]
        _ = try runProcess(cli, arguments) // writes the snapshot the timed runs read, as a user's second run does
        return try median(3) {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try runProcess(cli, arguments)
            guard result.status == 0 else { throw StoreError("daicho report: exit \(result.status): \(result.output.prefix(300))") }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
    }

    /// The UTC day of the log's oldest event (`daicho stats`), the day of it or before it in any business time zone.
    private func logFirstDay() throws -> String {
        if !firstDay.isEmpty { return firstDay }
        let stats = try runProcess(cli, ["stats", "--data", serve.readDirectory])
        guard let object = try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any],
              let oldest = object["first_event_time"] as? String else {
            throw StoreError("daicho stats names no oldest event time: \(stats.output.prefix(300))")
        }
        firstDay = String(oldest.prefix(10))
        return firstDay
    }
}
