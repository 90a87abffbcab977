import Daicho
import DaichoHTTP
@testable import DaichoServer
import DaichoProjections
import DaichoTestSupport
import Foundation
import Testing

/// The read and segment routes of a running server (docs/http-api.md "Read routes"): credentials, the profile as
/// `daicho profile` prints it, pagination, read-after-write, segment management.
@Suite(.serialized) struct ReadRoutesTests {
    /// A track envelope by the customer with e-mail `email`, at `day` of May 2026.
    static func track(_ id: String, email: String, day: Int, type: String = "track") -> String {
        let props = type == "purchase" ? #"{"order_id":"o-\#(id)","amount":1000,"currency":"JPY"}"# : #"{"event":"E"}"#
        return #"{"id":"\#(id)","type":"\#(type)","at":"2026-05-\#(day < 10 ? "0" : "")\#(day)T10:00:00Z","ids":{"email":"\#(email)"},"props":\#(props)}"#
    }

    @Test func readRoutesTakeOnlyTheReadTokenAndIngestOnlyTheWriteKey() throws {
        let s = try ServingDirectory(lines: [Self.track("e1", email: "taro@example.jp", day: 1)])
        let basicWrite = "Basic " + Data((s.writeKey + ":").utf8).base64EncodedString()
        for auth in [nil, "Bearer drt_wrong", "Bearer \(s.writeKey)", basicWrite] {
            let r = try s.request("GET", "/v1/profiles/email:taro%40example.jp", auth: auth)
            #expect(r.status == 401, "\(auth ?? "none")")
            #expect(r.error["code"] as? String == "authentication_error")
            #expect(r.head.contains("WWW-Authenticate: Bearer realm=\"daicho\""))
        }
        #expect(try s.get("/v1/profiles/email:taro%40example.jp").status == 200)
        // The read token does not write.
        let write = try s.request("POST", "/v1/track", auth: "Basic " + Data((s.readToken + ":").utf8).base64EncodedString(),
                                  body: #"{"userId":"U","event":"E"}"#)
        #expect(write.status == 401)
        let wrongMethod = try s.request("POST", "/v1/profiles/email:taro%40example.jp")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.head.contains("Allow: GET"))
    }

    @Test func aProfileIsFoundByNormalizedIdentifierOrIdWithItsSegments() throws {
        let s = try ServingDirectory(lines: [Self.track("e1", email: "taro@example.jp", day: 1, type: "purchase")])
        let defined = try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#)
        #expect(defined.status == 200, "\(defined.body)")
        // The value as a producer writes it, normalized as ingest does.
        let byEmail = try s.get("/v1/profiles/email:%20Taro%40Example.JP")
        #expect(byEmail.status == 200)
        let id = try #require(byEmail.json["id"] as? String)
        #expect((byEmail.json["commerce"] as? [String: Any])?["orders"] as? Int == 1)
        let segments = try #require(byEmail.json["segments"] as? [[String: Any]])
        #expect(segments.map { $0["segment"] as? String } == ["buyers"])
        let byID = try s.get("/v1/profiles/\(id)")
        #expect(byID.json["id"] as? String == id)
        #expect(byID.json["identifiers"] as? [String: [String]] == ["email": ["taro@example.jp"]])

        let none = try s.get("/v1/profiles/email:hanako%40example.jp")
        #expect(none.status == 404)
        #expect(none.error["code"] as? String == "not_found")
        #expect(!none.body.contains("hanako@example.jp"), "the message masks the e-mail: \(none.body)")
        #expect(try s.get("/v1/profiles/shoe_size:27").status == 400)
        #expect(try s.get("/v1/profiles/phone:abc").status == 400)
        // As of a time: one customer only (every profile as of a time is `daicho profiles --as-of`).
        #expect(try s.get("/v1/profiles/\(id)?as_of=2026-05-01").json["id"] as? String == id)
        #expect(try s.get("/v1/profiles/\(id)?as_of=2026-04-30").status == 404)
        let list = try s.get("/v1/profiles?as_of=2026-05-01")
        #expect(list.status == 400)
        #expect((list.error["message"] as? String)?.contains("daicho profiles --as-of") == true)
    }

    @Test func aReadAfterAnAcknowledgedWriteSeesTheWrite() throws {
        let s = try ServingDirectory()
        for i in 0..<20 {
            let ack = try s.post([#"{"type":"identify","messageId":"m\#(i)","userId":"U\#(i)","traits":{"plan":"p\#(i)"}}"#])
            #expect(ack.json["appended"] as? Int == 1)
            let r = try s.get("/v1/profiles/user_id:U\(i)")
            #expect(r.status == 200, "write \(i) acknowledged but not read back: \(r.body)")
            #expect((r.json["traits"] as? [String: Any])?["plan"] as? String == "p\(i)")
        }
    }

    @Test func aTimelineIsPagedNewestFirstWithItsCursor() throws {
        let lines = (1...5).map { Self.track("t\($0)", email: "taro@example.jp", day: $0, type: $0 == 3 ? "purchase" : "track") }
        let s = try ServingDirectory(lines: lines + [Self.track("x", email: "other@example.jp", day: 9)])
        var ids: [String] = []
        var target = "/v1/profiles/email:taro%40example.jp/timeline?limit=2"
        var pages = 0
        while true {
            let r = try s.get(target)
            #expect(r.status == 200, "\(r.body)")
            #expect(r.data.count <= 2)
            ids += r.data.compactMap { $0["id"] as? String }
            pages += 1
            guard let next = r.next, pages < 10 else { break }
            target = "/v1/profiles/email:taro%40example.jp/timeline?limit=2&cursor=\(next)"
        }
        #expect(ids == ["t5", "t4", "t3", "t2", "t1"])
        #expect(pages == 3)
        let purchases = try s.get("/v1/profiles/email:taro%40example.jp/timeline?type=purchase")
        #expect(purchases.data.map { $0["id"] as? String } == ["t3"])
        #expect(purchases.data.first?["profile"] as? String != nil)
        #expect(try s.get("/v1/profiles/email:taro%40example.jp/timeline?type=purchse").status == 400)
        #expect(try s.get("/v1/profiles/email:taro%40example.jp/timeline?cursor=nonsense").status == 400)
        #expect(try s.get("/v1/profiles/email:taro%40example.jp/timeline?limit=1001").status == 400)
    }

    @Test func everyProfileIsListedOncePageByPageOrStreamedAsNDJSON() throws {
        let s = try ServingDirectory(lines: (1...7).map { Self.track("p\($0)", email: "c\($0)@example.jp", day: $0) })
        var seen: [String] = []
        var target = "/v1/profiles?limit=3"
        for _ in 0..<10 {
            let r = try s.get(target)
            #expect(r.status == 200)
            seen += r.data.compactMap { ($0["identifiers"] as? [String: [String]])?["email"]?.first }
            guard let next = r.next else { break }
            target = "/v1/profiles?limit=3&cursor=\(next)"
        }
        #expect(seen == (1...7).map { "c\($0)@example.jp" })
        let streamed = try s.get("/v1/profiles", headers: ["Accept: application/x-ndjson"])
        #expect(streamed.head.contains("Content-Type: application/x-ndjson"))
        let lines = streamed.body.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 7)
    }

    @Test func segmentsAreDefinedListedPagedAndDroppedOverHTTP() throws {
        let s = try ServingDirectory(lines: (1...5).map { Self.track("b\($0)", email: "b\($0)@example.jp", day: $0, type: "purchase") }
                                     + [Self.track("n1", email: "n@example.jp", day: 1)])
        let defined = try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1","description":"bought once"}"#)
        #expect(defined.status == 200)
        #expect(defined.json["members"] as? Int == 5)
        #expect(defined.json["description"] as? String == "bought once")
        let bad = try s.request("PUT", "/v1/segments/bad", body: #"{"rule":"commerce.order >= 1"}"#)
        #expect(bad.status == 400)
        #expect(bad.error["code"] as? String == "validation_error")
        #expect(bad.error["line"] as? Int == 1)
        #expect(bad.error["column"] as? Int == 10)
        #expect(bad.error["caret"] as? String == "commerce.order >= 1\n         ^")
        #expect((bad.error["message"] as? String)?.hasPrefix("1:10: unknown field commerce.order") == true)
        #expect(try s.request("PUT", "/v1/segments/Bad", body: #"{"rule":"commerce.orders >= 1"}"#).status == 400)
        #expect(try s.request("PUT", "/v1/segments/x", body: #"{"description":"no rule"}"#).status == 400)
        #expect(try s.request("PUT", "/v1/segments/loyal", body: #"{"rule":"in_segment(\"buyers\") and commerce.orders >= 1"}"#).status == 200)

        let list = try s.get("/v1/segments")
        #expect(list.data.map { $0["name"] as? String } == ["buyers", "loyal"])
        #expect(try s.get("/v1/segments/buyers").json["members"] as? Int == 5)
        #expect(try s.get("/v1/segments/nosuch").status == 404)

        var members: [String] = []
        var target = "/v1/segments/buyers/members?limit=2"
        for _ in 0..<10 {
            let r = try s.get(target)
            members += r.data.compactMap { $0["id"] as? String }
            #expect(r.data.allSatisfy { $0["since"] is String })
            guard let next = r.next else { break }
            target = "/v1/segments/buyers/members?limit=2&cursor=\(next)"
        }
        #expect(members.count == 5)
        #expect(Set(members).count == 5)
        #expect(try s.get("/v1/segments/nosuch/members").status == 404)

        let refused = try s.request("DELETE", "/v1/segments/buyers")
        #expect(refused.status == 409)
        #expect((refused.error["message"] as? String)?.contains("read by in_segment in loyal") == true)
        #expect(try s.request("DELETE", "/v1/segments/loyal").status == 200)
        let dropped = try s.request("DELETE", "/v1/segments/buyers")
        #expect(dropped.status == 200)
        #expect(dropped.json["members_exited"] as? Int == 5)
        #expect(try s.request("DELETE", "/v1/segments/buyers").status == 404)
        #expect(try s.get("/v1/segments").data.isEmpty)
    }

    @Test func concurrentRedefinitionsCannotBothCloseACycle() throws {
        let s = try ServingDirectory(lines: [Self.track("b1", email: "b@example.jp", day: 1, type: "purchase")])
        #expect(try s.request("PUT", "/v1/segments/a", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.request("PUT", "/v1/segments/b", body: #"{"rule":"commerce.orders >= 2"}"#).status == 200)
        // Each alone is fine; together they would make a → b → a.
        let bodies = [("a", #"{"rule":"in_segment(\"b\")"}"#), ("b", #"{"rule":"in_segment(\"a\")"}"#)]
        let statuses = NSLock()
        nonisolated(unsafe) var got: [Int] = []
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let status = (try? s.request("PUT", "/v1/segments/\(bodies[i].0)", body: bodies[i].1).status) ?? 0
            statuses.withLock { got.append(status) }
        }
        #expect(got.sorted() == [200, 400])
        let rules = try s.get("/v1/segments").data.compactMap { $0["rule"] as? String }
        #expect(rules.filter { $0.hasPrefix("in_segment") }.count == 1, "\(rules)")
    }

    /// The snapshot of `s`'s directory (profiles with the segment state), if one is there.
    static func snapshot(_ s: ServingDirectory) throws -> ProfileProjection? {
        let settings = try ProjectionSettings.load(s.data)
        guard case .loaded(let profiles) = ProjectionSnapshot.read(directory: s.data.snapshotsPath, settingsHash: settings.hash,
                                                                   rules: settings.rules, config: settings.profile,
                                                                   proving: try EventReader(s.data)) else { return nil }
        return profiles
    }

    @Test func aRunningServerWritesSnapshotsAsEventsArrive() throws {
        let s = try ServingDirectory(snapshotEvery: 10)
        for batch in 0..<3 {
            let messages = (0..<6).map { #"{"type":"track","messageId":"m\#(batch)-\#($0)","userId":"U\#($0)","event":"E"}"# }
            #expect(try s.post(messages).json["appended"] as? Int == 6)
        }
        // 18 events in three frames: a snapshot after the second frame (12 events), taken on the worker's thread.
        var written: UInt64 = 0
        for _ in 0..<200 where written < 12 {
            written = try Self.snapshot(s)?.nextOffset ?? 0
            if written < 12 { usleep(10_000) }
        }
        #expect(written >= 12)
        #expect(try Self.snapshot(s)?.dependentState != nil)
    }

    @Test func finishingWritesTheSnapshotTheNextStartLoads() throws {
        let s = try ServingDirectory(lines: [Self.track("e1", email: "taro@example.jp", day: 1, type: "purchase")])
        #expect(try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.post([#"{"type":"track","messageId":"m1","userId":"U1","event":"E"}"#]).status == 200)
        let end = s.server.committer.acknowledgedOffset
        try s.finish()
        #expect(!FileManager.default.fileExists(atPath: s.data.path + "/serve.pid"))
        // The snapshot holds every acknowledged event and the segment state: the next start replays nothing.
        let profiles = try #require(try Self.snapshot(s), "no snapshot was written")
        #expect(profiles.nextOffset == end)
        #expect(profiles.dependentState != nil)
    }
}
