import DaichoHTTP
import DaichoSegments

/// How `GET /v1/feed` writes the feed: Server-Sent Events (the default) or NDJSON (`Accept: application/x-ndjson`).
enum FeedFormat {
    case serverSentEvents, ndjson

    var contentType: String { self == .ndjson ? "application/x-ndjson" : "text/event-stream" }

    /// One record: for SSE `id: CURSOR`, `event: entered|exited`, `data:` the record as `daicho watch` prints it
    /// and a blank line; for NDJSON the record's line.
    func append(_ record: FeedRecord, to out: inout [UInt8]) {
        if self == .serverSentEvents {
            out.append(contentsOf: Array("id: \(record.cursor)\nevent: \(record.change.rawValue)\ndata: ".utf8))
        }
        record.appendJSON(to: &out)
        out.append(0x0A)
        if self == .serverSentEvents { out.append(0x0A) }
    }

    /// What a stream writes first (docs/http-api.md "Live events", "The feed"): the cursor it starts after, so a
    /// client whose stream ends before its first record resumes there, not "from now", and misses nothing. For SSE
    /// a block with only `id: CURSOR` (it sets the `EventSource`'s last event id and dispatches no event); for
    /// NDJSON the line `{"from":CURSOR}`.
    func start(at cursor: UInt64) -> [UInt8] {
        Array((self == .serverSentEvents ? "id: \(cursor)\n\n" : "{\"from\":\(cursor)}\n").utf8)
    }

    /// What keeps an idle connection open through proxies: an SSE comment line, or an empty NDJSON line.
    var keepAlive: [UInt8] { Array((self == .ndjson ? "\n" : ": keep-alive\n\n").utf8) }

    /// The last thing a client that fell too far behind gets before the server closes its connection.
    func dropped(after cursor: UInt64, retained: Int) -> [UInt8] {
        let message = "dropped: this client fell more than \(retained) records behind the feed; resume after cursor \(cursor)"
        switch self {
        case .serverSentEvents: return Array(": \(message)\n\n".utf8)
        case .ndjson:
            return Array("{\"error\":{\"code\":\"unavailable\",\"message\":\(jsonString(message)),\"cursor\":\(cursor)}}\n".utf8)
        }
    }
}
