import Foundation

/// What `GET /metrics` reports that the server counts as it runs (docs/http-api.md "Operations"): events by
/// outcome, requests by route template and status, request latency, group-commit rounds, and when acknowledged
/// rounds were committed (for the projection's lag in seconds). Counters start at 0 when the server starts.
public final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var appended: UInt64 = 0
    private var duplicates: UInt64 = 0
    private var rejected: UInt64 = 0
    private var requests: [RequestKey: UInt64] = [:]
    private var latency = Histogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    private var rounds = Histogram(bounds: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000])
    /// Acknowledged rounds the view may not have applied yet: the offset after each and when it was committed, oldest
    /// first (at most `maxCommits`; beyond, the newest entry takes the later end, keeping the oldest time).
    private var commits: [(end: UInt64, at: Double)] = []
    static let maxCommits = 1024
    private var connections: @Sendable () -> Int = { 0 }

    struct RequestKey: Hashable {
        let route: String
        let status: Int
    }

    public init() {}

    /// Reports the open connections `count` gives (the HTTP server's, once it exists).
    func countConnections(with count: @escaping @Sendable () -> Int) {
        lock.withLock { connections = count }
    }

    /// HTTP connections open now.
    var openConnections: Int { lock.withLock { connections }() }

    /// Counts the outcomes of one ingest request's events.
    func countEvents(appended a: Int, duplicates d: Int, rejected r: Int) {
        lock.withLock {
            appended += UInt64(a)
            duplicates += UInt64(d)
            rejected += UInt64(r)
        }
    }

    /// Counts one answered request by its route template.
    func countRequest(route: String, status: Int, seconds: Double) {
        lock.withLock {
            requests[RequestKey(route: route, status: status), default: 0] += 1
            latency.observe(seconds)
        }
    }

    /// Counts one group-commit round of `events` lines, acknowledged up to `end` (the offset after it) at `at`
    /// (seconds since the epoch).
    func countRound(events: Int, end: UInt64, at: Double) {
        lock.withLock {
            rounds.observe(Double(events))
            if commits.count < Self.maxCommits { commits.append((end, at)) } else { commits[commits.count - 1].end = end }
        }
    }

    /// The view's lag behind the acknowledged writes: events (`acknowledged - applied`) and seconds (how long the
    /// oldest acknowledged round the view has not applied has waited; 0 when the view holds every one).
    func lag(applied: UInt64, acknowledged: UInt64, now: Double) -> (events: UInt64, seconds: Double) {
        lock.withLock {
            commits.removeAll { $0.end <= applied }
            let seconds = applied >= acknowledged ? 0 : commits.first.map { max(0, now - $0.at) } ?? 0
            return (acknowledged > applied ? acknowledged - applied : 0, seconds)
        }
    }

    /// The counters' families in the Prometheus text format.
    func render(into out: inout String) {
        lock.withLock {
            MetricsText.family("daicho_events_appended_total", type: "counter", help: "Events appended to the log by this server.",
                               samples: [("", Double(appended))], into: &out)
            MetricsText.family("daicho_events_duplicate_total", type: "counter", help: "Events received that the log already held (same id).",
                               samples: [("", Double(duplicates))], into: &out)
            MetricsText.family("daicho_events_rejected_total", type: "counter", help: "Messages and lines rejected (kept in the rejects file).",
                               samples: [("", Double(rejected))], into: &out)
            let sorted = requests.sorted { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }
            MetricsText.family("daicho_http_requests_total", type: "counter", help: "Requests answered, by route template and status.",
                               samples: sorted.map { ("route=\"\(MetricsText.label($0.key.route))\",status=\"\($0.key.status)\"", Double($0.value)) },
                               into: &out)
            latency.render("daicho_http_request_seconds", help: "Seconds from a request's head to its response sent.", into: &out)
            rounds.render("daicho_group_commit_events", help: "Lines appended per group-commit round (one fsync).", into: &out)
        }
    }
}
