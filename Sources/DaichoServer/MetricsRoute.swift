import DaichoHTTP
import DaichoSegments
import Foundation

/// `GET /metrics` (docs/http-api.md "Operations"): the server's counters (`ServerMetrics`) and gauges read from
/// the live view, the committer and the HTTP server, in the Prometheus text format 0.0.4. Reads the view as it is
/// (never waits for it: the lag is what it reports).
struct MetricsRoute {
    let metrics: ServerMetrics
    let live: LiveSegments
    let committer: GroupCommitter

    func respond() -> HTTPResponse {
        var out = ""
        metrics.render(into: &out)
        let applied = live.appliedOffset
        let lag = metrics.lag(applied: applied, acknowledged: committer.acknowledgedOffset, now: Date().timeIntervalSince1970)
        MetricsText.family("daicho_projection_lag_events", type: "gauge", help: "Acknowledged events the live view has not applied yet.",
                           samples: [("", Double(lag.events))], into: &out)
        MetricsText.family("daicho_projection_lag_seconds", type: "gauge",
                           help: "How long the oldest acknowledged write the live view has not applied has waited (0: none).",
                           samples: [("", lag.seconds)], into: &out)
        let (profiles, segments) = live.read { ($0.profiles.profileCount, $0.definitions.map { ($0.name, $0.members) }) }
        MetricsText.family("daicho_profiles", type: "gauge", help: "Living profiles in the live view.",
                           samples: [("", Double(profiles))], into: &out)
        MetricsText.family("daicho_segment_members", type: "gauge", help: "Members of each defined segment.",
                           samples: segments.map { ("segment=\"\(MetricsText.label($0.0))\"", Double($0.1)) }, into: &out)
        MetricsText.family("daicho_http_open_connections", type: "gauge", help: "HTTP connections open now.",
                           samples: [("", Double(metrics.openConnections))], into: &out)
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: Array(out.utf8))
    }
}
