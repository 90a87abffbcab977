import Daicho
import DaichoHTTP
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// `GET /metrics` (docs/http-api.md "Operations"): the Prometheus text format, without a token, with counters that
/// move as requests are served and route labels that are templates, never a customer's value.
@Suite(.serialized) struct MetricsRouteTests {
    /// The samples of a Prometheus text (format 0.0.4), keyed `name{labels}`, after checking every line: a sample
    /// is `name{labels} value` with a number, and its family has `# HELP` and `# TYPE` lines before it.
    static func parse(_ text: String) throws -> [String: Double] {
        let sample = try NSRegularExpression(pattern: #"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (\S+)$"#)
        var helped: Set<String> = [], typed: [String: String] = [:]
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) {
            if line.hasPrefix("# HELP ") {
                helped.insert(String(line.dropFirst(7).split(separator: " ")[0]))
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                #expect(parts.count == 2 && ["counter", "gauge", "histogram"].contains(parts[1]), "\(line)")
                typed[String(parts[0])] = String(parts[1])
                continue
            }
            let ns = line as NSString
            let match = try #require(sample.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)), "not a sample line: \(line)")
            let name = ns.substring(with: match.range(at: 1))
            let value = ns.substring(with: match.range(at: 5))
            let number = try #require(Double(value), "not a number: \(line)")
            var family = name
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && typed[String(name.dropLast(suffix.count))] == "histogram" {
                family = String(name.dropLast(suffix.count))
            }
            #expect(typed[family] != nil && helped.contains(family), "no HELP/TYPE before \(line)")
            samples[String(line[..<line.lastIndex(of: " ")!])] = number
        }
        #expect(text.hasSuffix("\n"))
        return samples
    }

    static func scrape(_ s: ServingDirectory) throws -> [String: Double] {
        let r = try s.request("GET", "/metrics", auth: nil)
        #expect(r.status == 200)
        #expect(r.head.contains("Content-Type: text/plain; version=0.0.4"))
        return try parse(r.body)
    }

    @Test func countersMoveWithRequestsAndTheTextParses() throws {
        let s = try ServingDirectory()
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        let before = try Self.scrape(s)
        for name in ["daicho_events_appended_total", "daicho_events_duplicate_total", "daicho_events_rejected_total",
                     "daicho_projection_lag_events", "daicho_projection_lag_seconds", "daicho_profiles",
                     "daicho_http_open_connections", "daicho_http_request_seconds_count", "daicho_group_commit_events_count",
                     #"daicho_http_request_seconds_bucket{le="+Inf"}"#, #"daicho_segment_members{segment="buyers"}"#] {
            #expect(before[name] != nil, "\(name) missing")
        }
        #expect(before["daicho_events_appended_total"] == 0)

        let order = #"{"type":"track","messageId":"m1","userId":"U1","event":"Order Completed","properties":{"order_id":"o1","total":1000,"currency":"JPY"}}"#
        let ack = try s.post([order, order, #"{"type":"track","messageId":"m2","userId":"U2"}"#])
        #expect(ack.json["appended"] as? Int == 1)
        #expect(try s.get("/v1/profiles/email:hanako%40example.jp").status == 404)
        #expect(try s.request("GET", "/v1/profiles/user_id:U1", auth: nil).status == 401)
        #expect(try s.get("/v1/profiles/user_id:U1").status == 200)

        let text = try s.request("GET", "/metrics", auth: nil).body
        #expect(!text.contains("hanako") && !text.contains("U1"), "a route label holds a customer's value")
        let after = try Self.parse(text)
        #expect(after["daicho_events_appended_total"] == 1)
        #expect(after["daicho_events_duplicate_total"] == 1)
        #expect(after["daicho_events_rejected_total"] == 1)
        #expect(after[#"daicho_http_requests_total{route="/v1/batch",status="200"}"#] == 1)
        #expect(after[#"daicho_http_requests_total{route="/v1/profiles/{selector}",status="404"}"#] == 1)
        #expect(after[#"daicho_http_requests_total{route="/v1/profiles/{selector}",status="401"}"#] == 1)
        #expect(after[#"daicho_http_requests_total{route="/v1/profiles/{selector}",status="200"}"#] == 1)
        #expect(after[#"daicho_http_requests_total{route="/metrics",status="200"}"#] == 1)
        #expect(after[#"daicho_http_requests_total{route="/v1/segments/{name}",status="200"}"#] == 1)
        #expect(after["daicho_http_request_seconds_count"]! >= before["daicho_http_request_seconds_count"]! + 5)
        #expect(after["daicho_group_commit_events_count"]! >= 1)
        #expect(after["daicho_group_commit_events_sum"]! >= 2, "the round held the two unique lines or more")
        #expect(after["daicho_profiles"] == 1)
        #expect(after[#"daicho_segment_members{segment="buyers"}"#] == 1)
        #expect(after["daicho_projection_lag_events"] == 0, "the read above waited for the view")
        #expect(after["daicho_projection_lag_seconds"] == 0)
        #expect(after["daicho_http_open_connections"]! >= 1, "the scrape's own connection")
    }

    @Test func lagInSecondsIsTheAgeOfTheOldestRoundTheViewHasNotApplied() {
        let m = ServerMetrics()
        m.countRound(events: 3, end: 10, at: 100)
        m.countRound(events: 2, end: 12, at: 105)
        #expect(m.lag(applied: 5, acknowledged: 12, now: 110) == (7, 10))
        #expect(m.lag(applied: 10, acknowledged: 12, now: 110) == (2, 5))
        #expect(m.lag(applied: 12, acknowledged: 12, now: 110) == (0, 0))
    }

    @Test func aHistogramCountsEachObservationInEveryBucketAtOrAboveIt() throws {
        var h = Histogram(bounds: [1, 10])
        for v in [0.5, 1, 3, 30] { h.observe(v) }
        var out = ""
        h.render("x", help: "test", into: &out)
        let samples = try Self.parse(out)
        #expect(samples[#"x_bucket{le="1"}"#] == 2)
        #expect(samples[#"x_bucket{le="10"}"#] == 3)
        #expect(samples[#"x_bucket{le="+Inf"}"#] == 4)
        #expect(samples["x_sum"] == 34.5)
        #expect(samples["x_count"] == 4)
    }
}
