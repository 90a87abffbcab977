import DaichoHTTP
import DaichoSegments
import Foundation

/// `GET /v1/feed?segment=&from=` (docs/http-api.md "The feed"): the segment enter/exit feed, live, as Server-Sent
/// Events or NDJSON, resumable after a cursor (`Last-Event-ID`, else `from`).
struct FeedRoutes {
    let hub: FeedHub
    let views: ServerViews
    /// How long a connection may stay silent before it gets a keep-alive line.
    let keepAlive: Duration

    /// Records written per write at most.
    static let batch = 512
    /// The longest a stream waits before it looks whether the server stops or the client left.
    static let slice: Duration = .milliseconds(200)

    func feed(_ head: RequestHead, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        let format: FeedFormat = head.header("accept")?.lowercased().contains("application/x-ndjson") == true ? .ndjson : .serverSentEvents
        let segment = query["segment"]
        if let segment {
            try views.read { segments throws(ResponseFailure) in
                guard segments.definitions.contains(where: { $0.name == segment }) else {
                    let known = segments.definitions.map(\.name)
                    throw ResponseFailure(.error(404, "no segment named \(jsonString(String(segment.prefix(128))))"
                        + (known.isEmpty ? "; none is defined" : "; defined: \(known.joined(separator: ", "))")))
                }
            }
        }
        let asked = try Self.cursor(head, query)
        let start: UInt64
        switch hub.start(after: asked) {
        case .after(let cursor): start = cursor
        case .beyond(let newest):
            throw ResponseFailure(.error(400, "cursor \(asked ?? 0) is beyond the end of the feed, which holds \(newest) record\(newest == 1 ? "" : "s"); pass a cursor this feed gave, or none for changes from now on"))
        case .tooOld(let oldest):
            let message = "cursor \(asked ?? 0) is older than the records this server holds (it holds the records after cursor \(oldest), made while it runs); resume after \(oldest) or later, or regenerate the records before it with `daicho watch --from \(asked ?? 0)` on the data directory"
            let body = "{\"error\":{\"code\":\"invalid_request_error\",\"message\":\(jsonString(message)),\"oldest_cursor\":\(oldest)}}"
            throw ResponseFailure(.json(410, Array(body.utf8)))
        }
        let hub = hub, keepAlive = keepAlive
        return HTTPResponse(status: 200, headers: [("Content-Type", format.contentType), ("Cache-Control", "no-cache"),
                                                   ("X-Accel-Buffering", "no")]) { out in
            try Self.stream(hub, after: start, segment: segment, format: format, keepAlive: keepAlive, to: out)
        }
    }

    /// The cursor to resume after: `Last-Event-ID` (what an EventSource sends when it reconnects), else `from`;
    /// nil when neither is given (changes from now on).
    static func cursor(_ head: RequestHead, _ query: QueryParameters) throws(ResponseFailure) -> UInt64? {
        let (name, text) = head.header("last-event-id").map { ("Last-Event-ID", $0) } ?? ("from", query["from"] ?? "")
        if text.isEmpty { return nil }
        guard let cursor = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ResponseFailure(.error(400, "\(name): \"\(text.prefix(64))\" is not a feed cursor (a record's id)"))
        }
        return cursor
    }

    /// Writes the starting cursor at once, then the records after `cursor` as they come, and a keep-alive line after
    /// `keepAlive` of silence, until the server stops, the client leaves or falls behind (then a last line says so),
    /// or a write fails.
    static func stream(_ hub: FeedHub, after cursor: UInt64, segment: String?, format: FeedFormat,
                       keepAlive: Duration, to out: ResponseStream) throws {
        let clock = ContinuousClock()
        var cursor = cursor
        try out.write(format.start(at: cursor))
        var lastWrite = clock.now
        while !out.serverIsStopping && !out.clientHasGone {
            switch hub.take(after: cursor, limit: batch, waitingAtMost: min(slice, keepAlive)) {
            case .fellBehind:
                try out.write(format.dropped(after: cursor, retained: hub.retained))
                return
            case .records(let records):
                var bytes: [UInt8] = []
                for r in records where segment == nil || r.segment == segment { format.append(r, to: &bytes) }
                cursor = records.last?.cursor ?? cursor
                if bytes.isEmpty && clock.now - lastWrite >= keepAlive { bytes = format.keepAlive }
                if !bytes.isEmpty {
                    try out.write(bytes)
                    lastWrite = clock.now
                }
            }
        }
    }
}
