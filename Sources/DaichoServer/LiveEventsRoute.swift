import Daicho
import DaichoHTTP
import Foundation

/// `GET /v1/events/live?from=OFFSET` (docs/http-api.md "Live events"): each event appended to the log, as `daicho
/// export` prints it, as Server-Sent Events (`id:` the event's offset + 1, the cursor to resume at) or NDJSON.
///
/// Unlike the segment feed, the events are stored: each client reads the log itself, with its own reader, from
/// its cursor — so any offset resumes (no 410), the writer and the projection never wait for a client, and a slow
/// client costs no memory (it falls behind in the log, not in a buffer; one that takes no bytes for the write
/// timeout is disconnected).
struct LiveEventsRoute {
    let directory: DataDirectory
    /// How long a connection may stay silent before it gets a keep-alive line.
    let keepAlive: Duration

    /// Bytes gathered before a write while catching up.
    static let writeBytes = 64 * 1024
    /// The longest a stream waits for new events before it looks whether the server stops or the client left.
    static let slice: Duration = .milliseconds(200)

    func live(_ head: RequestHead, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        let format: FeedFormat = head.header("accept")?.lowercased().contains("application/x-ndjson") == true ? .ndjson : .serverSentEvents
        let reader: EventReader
        do { reader = try EventReader(directory) } catch {
            throw ResponseFailure(.error(503, "the log cannot be read: \(error)", headers: [("Retry-After", "5")]))
        }
        let end = reader.endOffset
        let start = try Self.start(head, query) ?? end
        guard start <= end else {
            throw ResponseFailure(.error(400, "offset \(start) is beyond the end of the log, which holds \(end) event\(end == 1 ? "" : "s"); pass a cursor this route gave, or none for the events from now on"))
        }
        let keepAlive = keepAlive
        return HTTPResponse(status: 200, headers: [("Content-Type", format.contentType), ("Cache-Control", "no-cache"),
                                                   ("X-Accel-Buffering", "no")]) { out in
            try Self.stream(reader, from: start, format: format, keepAlive: keepAlive, to: out)
        }
    }

    /// The offset to start at: `Last-Event-ID` (what an EventSource sends when it reconnects: the last event's
    /// offset + 1), else `from`; nil when neither is given (the events from now on).
    static func start(_ head: RequestHead, _ query: QueryParameters) throws(ResponseFailure) -> UInt64? {
        let (name, text) = head.header("last-event-id").map { ("Last-Event-ID", $0) } ?? ("from", query["from"] ?? "")
        if text.isEmpty { return nil }
        guard let offset = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ResponseFailure(.error(400, "\(name): \"\(text.prefix(64))\" is not an offset (an event's offset, or the id: of the last event received)"))
        }
        return offset
    }

    /// Writes the stream's starting cursor at once, then the events from `offset` on as they become durable
    /// (internal events, such as segment definitions, are skipped as `daicho export` skips them), and a keep-alive
    /// line after `keepAlive` of silence, until the server stops, the client leaves, or a write fails.
    static func stream(_ reader: EventReader, from offset: UInt64, format: FeedFormat, keepAlive: Duration,
                       to out: ResponseStream) throws {
        let clock = ContinuousClock()
        let writer = EventJSONWriter()
        var next = offset
        var lastWrite = clock.now
        var bytes = format.start(at: offset)
        func flush() throws {
            guard !bytes.isEmpty else { return }
            try out.write(bytes)
            bytes.removeAll(keepingCapacity: true)
            lastWrite = clock.now
        }
        try flush()
        while !out.serverIsStopping && !out.clientHasGone {
            if reader.endOffset > next {
                try reader.forEach(from: next) { o, view in
                    next = o + 1
                    guard !view.type.isInternal else { return true }
                    format.append(try view.materialize(), offset: o, writer: writer, to: &bytes)
                    if bytes.count >= writeBytes {
                        try flush()
                        return !out.serverIsStopping && !out.clientHasGone
                    }
                    return true
                }
                try flush()
            }
            if clock.now - lastWrite >= keepAlive {
                bytes = format.keepAlive
                try flush()
            }
            _ = try reader.waitForEvents(beyond: next, timeout: min(slice, keepAlive))
        }
    }
}

extension FeedFormat {
    /// One event: for SSE `id: OFFSET+1`, `data:` the event as `daicho export` prints it (with its `"offset"`) and
    /// a blank line; for NDJSON the export's line.
    func append(_ event: Event, offset: UInt64, writer: EventJSONWriter, to out: inout [UInt8]) {
        if self == .serverSentEvents { out.append(contentsOf: Array("id: \(offset + 1)\ndata: ".utf8)) }
        writer.append(event, offset: offset, to: &out) // the line ends with "\n"
        if self == .serverSentEvents { out.append(0x0A) }
    }
}
