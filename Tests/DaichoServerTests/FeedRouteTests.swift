import Daicho
import DaichoHTTP
import DaichoJSON
@testable import DaichoServer
import DaichoSegments
import DaichoTestSupport
import Foundation
import Testing

/// `GET /v1/feed` on a running server (docs/http-api.md "The feed"), read by a raw socket client: records in feed
/// order after an ingest, resume by `Last-Event-ID` without gap or duplicate, keep-alive comments, NDJSON,
/// credentials and the cursors it refuses.
@Suite(.serialized) struct FeedRouteTests {
    /// A Segment "Order Completed" message by user `user` (a purchase: the customer enters `buyers`).
    static func order(_ user: String) -> String {
        #"{"type":"track","messageId":"m-\#(user)","userId":"\#(user)","event":"Order Completed","properties":{"order_id":"o-\#(user)","total":1000,"currency":"JPY"}}"#
    }

    /// A streaming client of the feed on its own connection.
    final class FeedClient {
        let socket: Socket
        /// The response head (status line and headers).
        var head = ""
        /// The cursor the stream said it starts at (its first block or line, `GET /v1/feed` and `GET /v1/events/live`
        /// alike), when it is a 200: read by `init`, which checks the block or line is exactly that.
        var start: UInt64?
        private var buffer: [UInt8] = []

        init(_ s: ServingDirectory, _ target: String = "/v1/feed", headers: [String] = []) throws {
            socket = try Socket.connect(host: "127.0.0.1", port: s.port)
            var text = "GET \(target) HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(s.readToken)\r\n"
            for h in headers { text += h + "\r\n" }
            try socket.write(Array((text + "\r\n").utf8), until: Deadline(millisFromNow: 5000))
            head = try #require(try read(until: "\r\n\r\n", timeoutMillis: 10_000))
            guard status == 200 else { return }
            if headers.contains("Accept: application/x-ndjson") {
                let line = try #require(try read(until: "\n", timeoutMillis: 10_000))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                start = (object["from"] as? Int).map(UInt64.init)
                #expect(object.count == 1 && start != nil, "first line \(line)")
            } else {
                let first = try nextBlock()
                #expect(first.count == 1 && first[0].hasPrefix("id: "), "first block \(first)")
                start = UInt64(first[0].dropFirst(4))
            }
        }

        var status: Int { Int(head.split(separator: " ")[1]) ?? 0 }

        /// The bytes up to `separator` (without it), or nil when they do not come in time.
        func read(until separator: String, timeoutMillis: Int) throws -> String? {
            let sep = Array(separator.utf8)
            let deadline = Deadline(millisFromNow: timeoutMillis)
            var scratch = [UInt8](repeating: 0, count: 65536)
            while true {
                if let r = buffer.firstRange(of: sep) {
                    let text = String(decoding: buffer[..<r.lowerBound], as: UTF8.self)
                    buffer.removeSubrange(..<r.upperBound)
                    return text
                }
                do {
                    let n = try scratch.withUnsafeMutableBytes { try socket.read(into: $0, until: deadline) }
                    buffer += scratch[0..<n]
                } catch Socket.Failure.timedOut {
                    return nil
                }
            }
        }

        /// The next SSE block's lines (a record or a comment).
        func nextBlock(timeoutMillis: Int = 10_000) throws -> [String] {
            try #require(try read(until: "\n\n", timeoutMillis: timeoutMillis)).components(separatedBy: "\n")
        }

        /// The next `count` SSE records as (id, event, data), skipping comments.
        func records(_ count: Int) throws -> [(id: UInt64, event: String, data: [String: Any])] {
            var out: [(UInt64, String, [String: Any])] = []
            while out.count < count {
                let lines = try nextBlock()
                if lines.allSatisfy({ $0.hasPrefix(":") }) { continue }
                var fields: [String: String] = [:]
                for line in lines {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    fields[String(parts[0])] = parts.count > 1 ? String(parts[1].dropFirst()) : ""
                }
                let text = try #require(fields["data"])
                let data = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                let id = try #require(UInt64(fields["id"] ?? ""))
                let event = try #require(fields["event"])
                out.append((id, event, data))
            }
            return out
        }
    }

    @Test func recordsArriveInFeedOrderAfterAnIngestAndResumeWithoutGapOrDuplicate() throws {
        let s = try ServingDirectory()
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        let live = try FeedClient(s)
        #expect(live.status == 200)
        #expect(live.start == 0)
        #expect(live.head.contains("Content-Type: text/event-stream"))
        #expect(!live.head.contains("Content-Length"))

        #expect(try s.post(["U1", "U2", "U3"].map(Self.order)).status == 200)
        let first = try live.records(3)
        #expect(first.map(\.id) == [1, 2, 3])
        #expect(first.allSatisfy { $0.event == "entered" && $0.data["segment"] as? String == "buyers" && $0.data["change"] as? String == "entered" })
        #expect(first.map { $0.data["cursor"] as? Int } == [1, 2, 3])
        #expect(Set(first.compactMap { $0.data["profile"] as? String }).count == 3)
        #expect(first.allSatisfy { $0.data["at"] is String && $0.data["offset"] is Int })
        // Resumed after cursor 1: record 2 comes first, its data line the record as `daicho watch` prints it.
        let resumed = try FeedClient(s, headers: ["Last-Event-ID: 1"])
        #expect(resumed.start == 1)
        let two = first[1].data
        let at = try #require(Array((two["at"] as! String).utf8).withUnsafeBytes { RFC3339.parse($0) })
        var watchLine: [UInt8] = []
        FeedRecord(cursor: 2, segment: "buyers", profile: two["profile"] as! String, change: .entered, at: at.micros,
                   offset: UInt64(two["offset"] as! Int)).appendJSON(to: &watchLine)
        #expect(try resumed.nextBlock() == ["id: 2", "event: entered", "data: " + String(decoding: watchLine, as: UTF8.self)])

        // Then 3, then what comes next; exits too.
        #expect(try resumed.records(1).map(\.id) == [3])
        #expect(try s.post(["U4"].map(Self.order)).status == 200)
        #expect(try s.request("DELETE", "/v1/segments/buyers").status == 200)
        let later = try resumed.records(5)
        #expect(later.map(\.id) == [4, 5, 6, 7, 8])
        #expect(later.first?.event == "entered")
        #expect(later.dropFirst().allSatisfy { $0.event == "exited" && $0.data["change"] as? String == "exited" })
        #expect(try live.records(5).map(\.id) == [4, 5, 6, 7, 8])
    }

    @Test func manyClientsGetEveryRecordInOrderAndAStopEndsTheirFeeds() throws {
        let s = try ServingDirectory()
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        let clients = try (0..<12).map { _ in try FeedClient(s) }
        for batch in 0..<4 {
            #expect(try s.post((0..<50).map { Self.order("U\(batch)-\($0)") }).status == 200)
            #expect(try s.get("/v1/profiles/user_id:U\(batch)-49").status == 200)
        }
        for client in clients { #expect(try client.records(200).map(\.id) == Array(1...200)) }
        // A stop ends every feed at once (well within the stop's grace time).
        let started = Date()
        try s.finish()
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aClientThatFallsBehindTheRecordsHeldIsDroppedWithALastComment() throws {
        // Ten buyers before the start: defining the segment enters all ten in one frame, more than the four held.
        let lines = (1...10).map { #"{"id":"p\#($0)","type":"purchase","at":"2026-05-01T10:00:00Z","ids":{"user_id":"B\#($0)"},"props":{"order_id":"o\#($0)","amount":1000,"currency":"JPY"}}"# }
        let s = try ServingDirectory(lines: lines, feedRetained: 4)
        let client = try FeedClient(s)
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try client.nextBlock() == [": dropped: this client fell more than 4 records behind the feed; resume after cursor 0"])
        #expect(throws: Socket.Failure.closed) { _ = try client.read(until: "\n\n", timeoutMillis: 5000) }
        // Its cursor is no longer held: resuming there is refused, naming the oldest cursor held.
        #expect(try s.get("/v1/feed?from=0").error["oldest_cursor"] as? Int == 6)
    }

    @Test func aClientResumesAcrossAServerRestartWithoutGapOrDuplicate() throws {
        let first = try ServingDirectory()
        #expect(try first.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        let client = try FeedClient(first)
        #expect(try first.post(["U1", "U2"].map(Self.order)).status == 200)
        let seen = try client.records(2).map(\.id)
        #expect(seen == [1, 2])
        try first.finish()
        // The next run's feed goes on from the snapshot's cursor: the last id seen resumes there.
        let second = try ServingDirectory(directory: first.data)
        let resumed = try FeedClient(second, headers: ["Last-Event-ID: \(seen.last!)"])
        #expect(resumed.status == 200)
        #expect(try second.post(["U3"].map(Self.order)).status == 200)
        let next = try resumed.records(1)
        #expect(next.map(\.id) == [3])
        #expect(next.first?.data["cursor"] as? Int == 3)
    }

    /// A stream that ends before its first record resumes after its starting cursor: the records made meanwhile
    /// come, once each (a client that reconnected "from now" would miss them).
    @Test func aStreamClosedBeforeItsFirstRecordResumesFromItsStart() throws {
        let s = try ServingDirectory()
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.post(["U1"].map(Self.order)).status == 200)
        _ = s.server.live.wait(until: s.server.committer.acknowledgedOffset)
        for ndjson in [false, true] {
            let headers = ndjson ? ["Accept: application/x-ndjson"] : []
            let first = try FeedClient(s, headers: headers)
            let start = try #require(first.start)
            first.socket.shutdownWrite() // abandoned before its first record; the records below are made after
            let users = (0..<3).map { "N\(ndjson)\(start)-\($0)" }
            #expect(try s.post(users.map(Self.order)).status == 200)
            let resumed = try FeedClient(s, headers: (ndjson ? headers + ["Last-Event-ID: \(start)"] : ["Last-Event-ID: \(start)"]))
            #expect(resumed.start == start)
            if ndjson {
                var cursors: [Int] = []
                while cursors.count < 3 {
                    let line = try #require(try resumed.read(until: "\n", timeoutMillis: 10_000))
                    if line.isEmpty { continue }
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    cursors.append(try #require(object["cursor"] as? Int))
                }
                #expect(cursors == (1...3).map { Int(start) + $0 })
            } else {
                #expect(try resumed.records(3).map(\.id) == (1...3).map { start + UInt64($0) })
            }
        }
    }

    @Test func anIdleFeedGetsKeepAliveComments() throws {
        let s = try ServingDirectory(feedKeepAlive: .milliseconds(300))
        let client = try FeedClient(s)
        #expect(try client.nextBlock(timeoutMillis: 5000) == [": keep-alive"])
        #expect(try client.nextBlock(timeoutMillis: 5000) == [": keep-alive"])
    }

    @Test func ndjsonStreamsOneRecordPerLineFromACursor() throws {
        let s = try ServingDirectory(feedKeepAlive: .milliseconds(300))
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.request("PUT", "/v1/segments/everyone", body: #"{"rule":"commerce.orders >= 0"}"#).status == 200)
        #expect(try s.post(["U1", "U2"].map(Self.order)).status == 200)
        let client = try FeedClient(s, "/v1/feed?from=0&segment=buyers", headers: ["Accept: application/x-ndjson"])
        #expect(client.status == 200)
        #expect(client.head.contains("Content-Type: application/x-ndjson"))
        #expect(client.start == 0)
        var lines: [[String: Any]] = []
        while lines.count < 2 {
            let line = try #require(try client.read(until: "\n", timeoutMillis: 10_000))
            if line.isEmpty { continue }
            lines.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
        }
        // Each order enters buyers, then everyone: buyers' records are 1 and 3; the cursors count everyone's too.
        #expect(lines.map { $0["cursor"] as? Int } == [1, 3])
        #expect(lines.allSatisfy { $0["segment"] as? String == "buyers" && $0["change"] as? String == "entered" })
        // Then, while nothing happens, empty lines keep the connection open.
        #expect(try client.read(until: "\n", timeoutMillis: 5000) == "")
    }

    @Test func theFeedTakesTheReadTokenAndRefusesUnknownSegmentsAndCursors() throws {
        let s = try ServingDirectory(feedRetained: 2)
        for auth in [nil, "Bearer \(s.writeKey)"] {
            let r = try s.request("GET", "/v1/feed", auth: auth)
            #expect(r.status == 401)
            #expect(r.head.contains("WWW-Authenticate: Bearer"))
        }
        let unknown = try s.get("/v1/feed?segment=nosuch")
        #expect(unknown.status == 404)
        #expect(unknown.error["code"] as? String == "not_found")
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.post(["U1", "U2", "U3"].map(Self.order)).status == 200)
        _ = s.server.live.wait(until: s.server.committer.acknowledgedOffset)
        #expect(try s.get("/v1/feed?from=4").status == 400)
        #expect(try s.get("/v1/feed?from=abc").status == 400)
        // Two records held (2 and 3): resuming after 1 works, after 0 is 410 naming the oldest cursor.
        let gone = try s.get("/v1/feed?from=0")
        #expect(gone.status == 410)
        #expect(gone.error["oldest_cursor"] as? Int == 1)
        #expect((gone.error["message"] as? String)?.contains("daicho watch --from 0") == true)
        let resumed = try FeedClient(s, "/v1/feed?from=1")
        #expect(try resumed.records(2).map(\.id) == [2, 3])
    }
}

/// The feed hub on its own: resume points, and a client that falls behind the records held is dropped instead of
/// holding the projection back.
@Suite struct FeedHubTests {
    static func record(_ cursor: UInt64) -> FeedRecord {
        FeedRecord(cursor: cursor, segment: "s", profile: "p-\(cursor)", change: .entered, at: 0, offset: cursor)
    }

    @Test func aClientBehindTheRecordsHeldFallsBehindAndOthersReadOn() {
        let hub = FeedHub(retained: 4)
        hub.publish((1...6).map(Self.record))
        #expect(hub.take(after: 0, limit: 10, waitingAtMost: .zero) == .fellBehind)
        #expect(hub.take(after: 1, limit: 10, waitingAtMost: .zero) == .fellBehind)
        #expect(hub.take(after: 2, limit: 10, waitingAtMost: .zero) == .records((3...6).map(Self.record)))
        #expect(hub.take(after: 3, limit: 2, waitingAtMost: .zero) == .records([Self.record(4), Self.record(5)]))
        #expect(hub.take(after: 6, limit: 10, waitingAtMost: .milliseconds(10)) == .records([]))
        #expect(hub.start(after: 1) == .tooOld(oldest: 2))
        #expect(hub.start(after: 2) == .after(2))
        #expect(hub.start(after: 7) == .beyond(newest: 6))
        #expect(hub.start(after: nil) == .after(6))
        // A record published twice (or out of order) is not held twice.
        hub.publish([Self.record(6), Self.record(8)])
        #expect(hub.start(after: nil) == .after(6))
    }

    @Test func aWaitingClientWakesWhenARecordIsPublished() {
        let hub = FeedHub(retained: 8)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { hub.publish([Self.record(1)]) }
        #expect(hub.take(after: 0, limit: 10, waitingAtMost: .seconds(10)) == .records([Self.record(1)]))
    }
}
