import Daicho
import DaichoHTTP
import DaichoJSON
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// `POST /v1/segments/check` (docs/http-api.md "Read routes"): the member count a rule would have now equals the
/// count `PUT` (and `segment list`) shows right after defining it at the same log position — plain, windowed,
/// aggregate terms already kept or new, `in_segment` — and nothing is appended or changed; a rule that does not
/// check gets exactly `PUT`'s `validation_error`.
@Suite(.serialized) struct SegmentCheckTests {
    /// A seeded log of `customers` customers over the last 60 days (so 7, 14 and 30-day windows cut through it):
    /// purchases, page views and inquiries, some customers with a plan trait.
    static func lines(customers: Int, seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        let now = wallClockMicros()
        var out: [String] = []
        for c in 0..<customers {
            let email = "c\(c)@example.jp"
            if c % 3 == 0 {
                let plan = ["gold", "silver"][c % 2]
                out.append(#"{"id":"t\#(c)","type":"identify","at":"\#(RFC3339.string(micros: now - 59 * 86_400_000_000, offsetMinutes: 0))","ids":{"email":"\#(email)"},"props":{"traits":{"plan":"\#(plan)"}}}"#)
            }
            for k in 0..<Int.random(in: 0...6, using: &random) {
                let at = RFC3339.string(micros: now - Int64.random(in: 3_600_000_000...(60 * 86_400_000_000), using: &random), offsetMinutes: 0)
                let id = "e\(c)-\(k)"
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    let amount = Int.random(in: 1...20, using: &random) * 500
                    out.append(#"{"id":"\#(id)","type":"purchase","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"order_id":"o-\#(id)","amount":\#(amount),"currency":"JPY"}}"#)
                case 1:
                    out.append(#"{"id":"\#(id)","type":"page_view","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"url":"https://shop.example.jp/p/\#(k)"}}"#)
                default:
                    let category = ["complaint", "question"][k % 2]
                    out.append(#"{"id":"\#(id)","type":"inquiry","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"ticket_id":"tk-\#(id)","category":"\#(category)","channel":"email"}}"#)
                }
            }
        }
        return out
    }

    /// What may not change under a check: the log's end and the feed's count.
    static func position(_ s: ServingDirectory) -> (UInt64, UInt64) {
        (s.server.committer.acknowledgedOffset, s.server.live.read { $0.feedCount })
    }

    static func check(_ s: ServingDirectory, _ rule: String, name: String? = nil) throws -> ServingDirectory.Reply {
        var body: [JSONMember] = [JSONMember("rule", .string(rule))]
        if let name { body.append(JSONMember("name", .string(name))) }
        var bytes: [UInt8] = []
        EventJSONWriter.appendValue(.object(body), to: &bytes)
        return try s.request("POST", "/v1/segments/check", body: String(decoding: bytes, as: UTF8.self))
    }

    @Test func theCountIsWhatDefiningTheRuleThenShows() throws {
        let s = try ServingDirectory(lines: Self.lines(customers: 400, seed: 11))
        // In order: each later rule may read (in_segment) or share a term store with (the 30-day count) an earlier one.
        let rules: [(String, String)] = [
            ("buyers", "commerce.orders >= 1"),
            ("recent", "count(purchase within 30d) >= 1"),
            ("recent2", "count(purchase within 30d) >= 2"),
            ("big14", "sum(purchase.amount within 14d) > 5000"),
            ("gold", #"traits.plan == "gold""#),
            ("browsers", #"count(page_view within 7d) >= 1 and not in_segment("buyers")"#),
            ("unhappy", #"count(inquiry where category == "complaint" within 30d) >= 1 and in_segment("recent")"#),
            ("lapsed", "commerce.orders >= 1 and count(purchase within 14d) == 0"),
            ("none", #"traits.plan == "platinum""#),
        ]
        var counts: [Int] = []
        for (name, rule) in rules {
            let before = Self.position(s)
            let checked = try Self.check(s, rule)
            #expect(checked.status == 200, "\(rule): \(checked.body)")
            #expect(checked.json["valid"] as? Bool == true)
            let members = try #require(checked.json["members"] as? Int)
            #expect(Self.position(s) == before, "\(rule): the check appended or changed something")
            let defined = try s.request("PUT", "/v1/segments/\(name)", body: #"{"rule":\#(jsonString(rule))}"#)
            #expect(defined.status == 200)
            #expect(defined.json["members"] as? Int == members, "\(rule)")
            #expect(try s.get("/v1/segments/\(name)").json["members"] as? Int == members)
            counts.append(members)
        }
        // The log cuts every rule somewhere in the middle: neither all nor none (but the last) match.
        #expect(counts.dropLast().allSatisfy { $0 > 0 && $0 < 400 }, "\(counts)")
        #expect(counts.last == 0)
        // A redefinition is counted as it would be: the check of a new rule for a defined name.
        let redefined = try Self.check(s, "commerce.orders >= 2", name: "buyers")
        let put = try s.request("PUT", "/v1/segments/buyers", body: #"{"rule":"commerce.orders >= 2"}"#)
        #expect(redefined.json["members"] as? Int == put.json["members"] as? Int)
    }

    @Test func aRuleThatDoesNotCheckGetsPutsValidationErrorExactly() throws {
        let s = try ServingDirectory(lines: Self.lines(customers: 20, seed: 3))
        #expect(try s.request("PUT", "/v1/segments/a", body: #"{"rule":"commerce.orders >= 1"}"#).status == 200)
        #expect(try s.request("PUT", "/v1/segments/b", body: #"{"rule":"in_segment(\"a\")"}"#).status == 200)
        let before = Self.position(s)
        let cases: [(name: String, rule: String)] = [
            ("x", "commerce.order >= 1"), ("x", "count(purchase within 30) >= 1"), ("x", "commerce.orders >="),
            ("x", #"in_segment("nosuch")"#), ("a", #"in_segment("b")"#), ("a", #"in_segment("a")"#), ("Bad", "events >= 1"),
        ]
        for c in cases {
            let checked = try Self.check(s, c.rule, name: c.name)
            #expect(checked.status == 400, "\(c.rule)")
            #expect(checked.error["code"] as? String == "validation_error")
            let put = try s.request("PUT", "/v1/segments/\(c.name)", body: #"{"rule":\#(jsonString(c.rule))}"#)
            #expect(put.status == 400)
            #expect(checked.body == put.body, "\(c.rule)")
        }
        #expect(Self.position(s) == before)
        // Without a name nothing can close a cycle: the rule reads b, which is defined.
        #expect(try Self.check(s, #"in_segment("b")"#).status == 200)
        #expect(try s.request("POST", "/v1/segments/check", body: #"{"rules":"events >= 1"}"#).status == 400)
        #expect(try s.request("POST", "/v1/segments/check", body: "not json").status == 400)
        #expect(try s.request("POST", "/v1/segments/check", auth: nil, body: #"{"rule":"events >= 1"}"#).status == 401)
        // GET of /v1/segments/check is still the segment named check.
        #expect(try s.get("/v1/segments/check").status == 404)
        let counted = try Self.check(s, "events >= 1").json["members"] as? Int
        #expect(try s.request("PUT", "/v1/segments/check", body: #"{"rule":"events >= 1"}"#).status == 200)
        #expect(try s.get("/v1/segments/check").json["members"] as? Int == counted)
        #expect(counted == s.server.live.read { $0.profiles.profileCount })
    }
}
