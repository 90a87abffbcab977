import Daicho
import DaichoHTTP
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// `GET /v1/events/live` (docs/http-api.md "Live events"): every event appended through the server arrives as
/// `daicho export` prints it, `id:` its offset + 1; resuming by `Last-Event-ID` or `from` gives no gap and no
/// duplicate, also for a stream that ended before its first event (it starts with its cursor); internal events
/// are skipped; NDJSON; keep-alive; the offsets it refuses.
@Suite(.serialized) struct LiveEventsRouteTests {
    typealias Client = FeedRouteTests.FeedClient

    /// The log's events from `offset` on as `daicho export` prints them (internal ones skipped), by offset.
    static func exported(_ s: ServingDirectory, from offset: UInt64 = 0) throws -> [(UInt64, String)] {
        let reader = try EventReader(s.data)
        var out: [(UInt64, String)] = []
        try reader.forEach(from: offset) { o, view in
            if !view.type.isInternal { out.append((o, EventJSONWriter().line(try view.materialize(), offset: o))) }
            return true
        }
        return out
    }

    /// The next `count` SSE events as (id, data line), skipping comments; fails when they do not all come within
    /// `timeoutMillis` (keep-alive comments do not extend it).
    static func events(_ client: Client, _ count: Int, timeoutMillis: Int = 20_000) throws -> [(id: UInt64, data: String)] {
        var out: [(UInt64, String)] = []
        let deadline = Deadline(millisFromNow: timeoutMillis)
        while out.count < count {
            try #require(!deadline.hasPassed, "\(out.count) of \(count) events came in time")
            let lines = try client.nextBlock()
            if lines.allSatisfy({ $0.hasPrefix(":") }) { continue }
            #expect(lines.count == 2, "\(lines)")
            let id = try #require(lines.first { $0.hasPrefix("id: ") }.flatMap { UInt64($0.dropFirst(4)) })
            let data = try #require(lines.first { $0.hasPrefix("data: ") }).dropFirst(6)
            out.append((id, String(data)))
        }
        return out
    }

    @Test func eventsAppendedThroughTheServerArriveAsExportPrintsThemAndResumeWithoutGap() throws {
        let s = try ServingDirectory(lines: [ReadRoutesTests.track("e1", email: "taro@example.jp", day: 1)])
        let live = try Client(s, "/v1/events/live")
        #expect(live.status == 200)
        #expect(live.head.contains("Content-Type: text/event-stream") && !live.head.contains("Content-Length"))
        #expect(live.start == 1, "the stream starts with its cursor: the log's end")
        // From now on only: the event before the request is not sent.
        #expect(try s.post(["U1", "U2"].map(FeedRouteTests.order)).status == 200)
        // An internal event (a segment definition) between them is skipped, as export skips it.
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.post(["U3"].map(FeedRouteTests.order)).status == 200)
        let got = try Self.events(live, 3)
        let reference = try Self.exported(s, from: 1)
        #expect(reference.count == 3)
        #expect(got.map(\.id) == reference.map { $0.0 + 1 })
        #expect(got.map { $0.data + "\n" } == reference.map(\.1))
        #expect(got.last!.id == 5, "offset 3 is the definition: U3 is at offset 4")

        // Resumed after the first event received: the rest, once each.
        let resumed = try Client(s, "/v1/events/live", headers: ["Last-Event-ID: \(got[0].id)"])
        #expect(resumed.start == got[0].id)
        #expect(try Self.events(resumed, 2).map(\.id) == Array(got.dropFirst().map(\.id)))
        // From offset 0: the whole log, then what comes next, in both streams.
        let whole = try Client(s, "/v1/events/live?from=0")
        #expect(whole.start == 0)
        let all = try Self.events(whole, 4)
        #expect(all.map { $0.data + "\n" } == (try Self.exported(s)).map(\.1))
        #expect(try s.post(["U4"].map(FeedRouteTests.order)).status == 200)
        let next = try Self.exported(s, from: 5)
        #expect(try Self.events(whole, 1).map(\.data) == next.map { String($0.1.dropLast()) })
        #expect(try Self.events(resumed, 1).map(\.id) == [6])
        #expect(try Self.events(live, 1).map(\.id) == [6])
    }

    @Test func aStreamThatEndsBeforeItsFirstEventResumesAtItsStartingCursor() throws {
        let s = try ServingDirectory(lines: [ReadRoutesTests.track("e1", email: "taro@example.jp", day: 1)],
                                     feedKeepAlive: .milliseconds(300))
        // Opened "from now", and gone before any event came: all it got is where it started.
        do {
            let dropped = try Client(s, "/v1/events/live")
            #expect(dropped.start == 1)
            let droppedNDJSON = try Client(s, "/v1/events/live", headers: ["Accept: application/x-ndjson"])
            #expect(droppedNDJSON.start == 1)
        } // both connections close here

        // Events while no stream is open, an internal one among them.
        #expect(try s.post(["U1", "U2"].map(FeedRouteTests.order)).status == 200)
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.post(["U3"].map(FeedRouteTests.order)).status == 200)
        let missed = try Self.exported(s, from: 1)
        #expect(missed.count == 3)

        // Reconnected with the starting cursor (as an EventSource does with its last event id): exactly those,
        // once each, then silence.
        let resumed = try Client(s, "/v1/events/live", headers: ["Last-Event-ID: 1"])
        #expect(resumed.start == 1)
        let got = try Self.events(resumed, 3)
        #expect(got.map(\.id) == missed.map { $0.0 + 1 })
        #expect(got.map { $0.data + "\n" } == missed.map(\.1))
        #expect(try resumed.nextBlock(timeoutMillis: 5000) == [": keep-alive"], "no event twice")

        // NDJSON resumes by `from` with the cursor of its first line.
        let ndjson = try Client(s, "/v1/events/live?from=1", headers: ["Accept: application/x-ndjson"])
        #expect(ndjson.start == 1)
        var lines: [String] = []
        for _ in missed { lines.append(try #require(try ndjson.read(until: "\n", timeoutMillis: 10_000)) + "\n") }
        #expect(lines == missed.map(\.1))
        #expect(try ndjson.read(until: "\n", timeoutMillis: 5000) == "", "a keep-alive, no event twice")
    }

    @Test func ndjsonKeepAliveAndRefusedOffsets() throws {
        let s = try ServingDirectory(lines: [ReadRoutesTests.track("e1", email: "taro@example.jp", day: 1)],
                                     feedKeepAlive: .milliseconds(300))
        let ndjson = try Client(s, "/v1/events/live?from=0", headers: ["Accept: application/x-ndjson"])
        #expect(ndjson.head.contains("Content-Type: application/x-ndjson"))
        #expect(ndjson.start == 0)
        let line = try #require(try ndjson.read(until: "\n", timeoutMillis: 10_000))
        #expect(line + "\n" == (try Self.exported(s)).first?.1)
        // Silence: an empty NDJSON line, an SSE comment.
        #expect(try ndjson.read(until: "\n", timeoutMillis: 5000) == "")
        let sse = try Client(s, "/v1/events/live")
        #expect(sse.start == 1)
        #expect(try sse.nextBlock(timeoutMillis: 5000) == [": keep-alive"])

        #expect(try s.get("/v1/events/live?from=abc").status == 400)
        let beyond = try s.get("/v1/events/live?from=2")
        #expect(beyond.status == 400)
        #expect((beyond.error["message"] as? String)?.contains("beyond the end of the log, which holds 1 event") == true)
        #expect(try s.request("GET", "/v1/events/live", auth: nil).status == 401)
        #expect(try s.request("POST", "/v1/events/live", body: "").status == 405)
        // The stream ends when the server stops.
        try s.finish()
        #expect(throws: Socket.Failure.closed) { _ = try sse.read(until: "\n\n", timeoutMillis: 5000) }
    }
}
