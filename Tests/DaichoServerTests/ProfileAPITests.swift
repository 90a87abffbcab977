import Daicho
@testable import DaichoServer
import Foundation
import Testing

/// Segment's Profile API shape on a running server (docs/http-api.md "Segment's Profile API"): each call, paging
/// with `next`, Segment's 404 and the read token (Bearer, or HTTP Basic user as Segment's clients send it).
@Suite(.serialized) struct ProfileAPITests {
    static let base = "/v1/spaces/spa_any/collections/users/profiles"

    /// One customer's Segment messages, a day apart in May 2026, posted to `/v1/batch`.
    static let messages = [
        #"{"type":"identify","messageId":"m1","userId":"U-1","anonymousId":"a-1","timestamp":"2026-05-01T10:00:00Z","context":{"library":{"name":"analytics.js"}},"traits":{"email":"Taro@Example.jp","plan":"silver","city":"Tokyo"}}"#,
        #"{"type":"track","messageId":"m2","userId":"U-1","timestamp":"2026-05-02T10:00:00Z","event":"Coupon Redeemed","context":{"ip":"203.0.113.9"},"properties":{"coupon":"WINTER"}}"#,
        #"{"type":"page","messageId":"m3","userId":"U-1","timestamp":"2026-05-03T10:00:00Z","properties":{"path":"/cart","title":"Cart"}}"#,
        #"{"type":"identify","messageId":"m4","userId":"U-1","timestamp":"2026-05-04T10:00:00Z","context":{"library":{"name":"analytics-python"},"device":{"id":"dev-9"}},"traits":{"plan":"gold","age":30,"phone":"090-1234-5678"}}"#,
        #"{"type":"track","messageId":"m5","userId":"U-1","timestamp":"2026-05-05T10:00:00Z","event":"Order Completed","properties":{"order_id":"o-1","total":1980,"currency":"JPY"}}"#,
    ]

    static func serving() throws -> ServingDirectory {
        let s = try ServingDirectory()
        let ack = try s.post(messages)
        #expect(ack.json["appended"] as? Int == messages.count, "\(ack.body)")
        return s
    }

    @Test func traitsArePagedByKeyWithSegmentsCursorAndVerboseNamesTheSettingMessage() throws {
        let s = try Self.serving()
        let all = try s.get("\(Self.base)/user_id:U-1/traits")
        #expect(all.status == 200, "\(all.body)")
        #expect(all.json["traits"] as? NSDictionary == ["age": 30, "city": "Tokyo", "email": "Taro@Example.jp", "phone": "090-1234-5678", "plan": "gold"])
        let last = try #require(all.json["cursor"] as? [String: Any])
        #expect(last["has_more"] as? Bool == false)
        #expect(last["next"] as? String == "")
        #expect(last["limit"] as? Int == 10)

        var keys: [String] = []
        var target = "\(Self.base)/user_id:U-1/traits?limit=2"
        for _ in 0..<5 {
            let r = try s.get(target)
            keys += ((r.json["traits"] as? [String: Any]) ?? [:]).keys.sorted()
            let cursor = try #require(r.json["cursor"] as? [String: Any])
            guard cursor["has_more"] as? Bool == true else { break }
            let url = try #require(cursor["url"] as? String)
            #expect(url.hasPrefix("\(Self.base)/user_id:U-1/traits?limit=2&next="))
            target = url
        }
        #expect(keys == ["age", "city", "email", "phone", "plan"])

        let included = try s.get("\(Self.base)/user_id:U-1/traits?include=plan,city")
        #expect(included.json["traits"] as? NSDictionary == ["city": "Tokyo", "plan": "gold"])
        let verbose = try s.get("\(Self.base)/user_id:U-1/traits?include=plan,city&verbose=true")
        let traits = try #require(verbose.json["traits"] as? [String: [String: Any]])
        #expect(traits["plan"]?["value"] as? String == "gold")
        #expect(traits["plan"]?["source_id"] as? String == "server")
        #expect(traits["plan"]?["updated_at"] as? String == "2026-05-04T10:00:00Z")
        #expect(traits["city"]?["source_id"] as? String == "web")
        #expect(traits["city"]?["updated_at"] as? String == "2026-05-01T10:00:00Z")
        #expect(try s.get("\(Self.base)/user_id:U-1/traits?limit=201").status == 400)
        #expect(try s.get("\(Self.base)/user_id:U-1/traits?class=computed_trait").status == 400)
        #expect(try s.get("\(Self.base)/user_id:U-1/traits?verbose=yes").status == 400)
    }

    @Test func classAudienceAnswersTheSegmentsTheProfileIsIn() throws {
        let s = try Self.serving()
        for (name, rule) in [("gold", #"traits.plan == \"gold\""#), ("buyers", "commerce.orders >= 1"), ("silver", #"traits.plan == \"silver\""#)] {
            let r = try s.request("PUT", "/v1/segments/\(name)", body: #"{"rule":"\#(rule)"}"#)
            #expect(r.status == 200, "\(r.body)")
        }
        let audiences = try s.get("\(Self.base)/user_id:U-1/traits?class=audience")
        #expect(audiences.json["traits"] as? NSDictionary == ["buyers": true, "gold": true])
        let verbose = try s.get("\(Self.base)/user_id:U-1/traits?class=audience&verbose=true&limit=1")
        let buyers = try #require((verbose.json["traits"] as? [String: [String: Any]])?["buyers"])
        #expect(buyers["value"] as? Bool == true)
        #expect(buyers["updated_at"] is String)
        #expect((verbose.json["cursor"] as? [String: Any])?["next"] as? String == "gold")
    }

    @Test func externalIDsListEveryIdentifierWithTheMessageThatLinkedIt() throws {
        let s = try Self.serving()
        let r = try s.get("\(Self.base)/anonymous_id:a-1/external_ids")
        #expect(r.status == 200, "\(r.body)")
        let ids = r.data.map { "\($0["type"] as? String ?? ""):\($0["id"] as? String ?? "")" }
        #expect(Set(ids) == ["user_id:U-1", "anonymous_id:a-1", "email:taro@example.jp", "phone:+819012345678", "device_id:dev-9"])
        let phone = try #require(r.data.first { $0["type"] as? String == "phone" })
        #expect(phone["first_message_id"] as? String == "m4")
        #expect(phone["created_at"] as? String == "2026-05-04T10:00:00Z")
        #expect(phone["source_id"] as? String == "server")
        #expect(phone["collection"] as? String == "users")
        #expect(phone["encoding"] as? String == "none")

        var paged: [String] = []
        var target = "\(Self.base)/anonymous_id:a-1/external_ids?limit=2"
        for _ in 0..<5 {
            let page = try s.get(target)
            #expect(page.data.count <= 2)
            paged += page.data.map { "\($0["type"] as? String ?? ""):\($0["id"] as? String ?? "")" }
            let cursor = try #require(page.json["cursor"] as? [String: Any])
            guard let next = cursor["next"] as? String, !next.isEmpty else { break }
            target = "\(Self.base)/anonymous_id:a-1/external_ids?limit=2&next=\(next)"
        }
        #expect(paged == ids)
        let only = try s.get("\(Self.base)/anonymous_id:a-1/external_ids?include=email,phone")
        #expect(only.data.map { $0["type"] as? String } == ["email", "phone"])
    }

    @Test func eventsAreNewestFirstInSegmentsShapeAndPagedWithNext() throws {
        let s = try Self.serving()
        let r = try s.get("\(Self.base)/user_id:U-1/events")
        #expect(r.status == 200, "\(r.body)")
        #expect(r.data.map { $0["message_id"] as? String } == ["m5", "m4", "m3", "m2", "m1"])
        #expect(r.data.map { $0["event"] as? String } == ["Order Completed", "identify", "Page Viewed", "Coupon Redeemed", "identify"])
        #expect(r.data.map { $0["type"] as? String } == ["track", "identify", "page", "track", "identify"])
        let coupon = r.data[3]
        #expect(coupon["timestamp"] as? String == "2026-05-02T10:00:00Z")
        #expect(coupon["properties"] as? NSDictionary == ["coupon": "WINTER"])
        #expect((coupon["context"] as? [String: Any])?["ip"] as? String == "203.0.113.9")
        #expect((coupon["external_ids"] as? [[String: Any]])?.first?["id"] as? String == "U-1")
        #expect((coupon["related"] as? [String: Any])?["users"] as? String != nil)

        var ids: [String] = []
        var target = "\(Self.base)/user_id:U-1/events?limit=2"
        var pages = 0
        for _ in 0..<5 {
            let page = try s.get(target)
            pages += 1
            ids += page.data.compactMap { $0["message_id"] as? String }
            let cursor = try #require(page.json["cursor"] as? [String: Any])
            guard cursor["has_more"] as? Bool == true, let url = cursor["url"] as? String else { break }
            target = url
        }
        #expect(ids == ["m5", "m4", "m3", "m2", "m1"])
        #expect(pages == 3)
        let ascending = try s.get("\(Self.base)/user_id:U-1/events?sort=asc&limit=3")
        #expect(ascending.data.map { $0["message_id"] as? String } == ["m1", "m2", "m3"])
        let next = try #require((ascending.json["cursor"] as? [String: Any])?["next"] as? String)
        let rest = try s.get("\(Self.base)/user_id:U-1/events?sort=asc&limit=3&next=\(next)")
        #expect(rest.data.map { $0["message_id"] as? String } == ["m4", "m5"])
        let coupons = try s.get("\(Self.base)/user_id:U-1/events?include=Coupon%20Redeemed,Page%20Viewed")
        #expect(coupons.data.map { $0["message_id"] as? String } == ["m3", "m2"])
        let noIdentify = try s.get("\(Self.base)/user_id:U-1/events?exclude=identify")
        #expect(noIdentify.data.map { $0["message_id"] as? String } == ["m5", "m3", "m2"])
        // start and end: a time, or a date alone (the whole day, UTC here).
        let window = try s.get("\(Self.base)/user_id:U-1/events?start=2026-05-02&end=2026-05-04T09:00:00Z")
        #expect(window.data.map { $0["message_id"] as? String } == ["m3", "m2"])
        let lastDay = try s.get("\(Self.base)/user_id:U-1/events?start=2026-05-04T10:00:00%2B00:00&end=2026-05-05")
        #expect(lastDay.data.map { $0["message_id"] as? String } == ["m5", "m4"])
        #expect(try s.get("\(Self.base)/user_id:U-1/events?start=yesterday").status == 400)
    }

    @Test func metadataNamesTheFirstAndLastMessage() throws {
        let s = try Self.serving()
        let r = try s.get("\(Self.base)/email:taro%40example.jp/metadata")
        #expect(r.status == 200, "\(r.body)")
        let m = try #require(r.json["metadata"] as? [String: Any])
        #expect(m["created_at"] as? String == "2026-05-01T10:00:00Z")
        #expect(m["first_message_at"] as? String == "2026-05-01T10:00:00Z")
        #expect(m["first_message_id"] as? String == "m1")
        #expect(m["first_source_id"] as? String == "web")
        #expect(m["updated_at"] as? String == "2026-05-05T10:00:00Z")
        #expect(m["last_message_at"] as? String == "2026-05-05T10:00:00Z")
        #expect(m["last_message_id"] as? String == "m5")
        #expect(m["expires_at"] is NSNull)
    }

    @Test func segmentsIDTypesSelectTheSameProfile() throws {
        let s = try Self.serving()
        for selector in ["phone_number:%2B819012345678", "phone:090-1234-5678", "ios.id:dev-9", "android.id:dev-9", "device_id:dev-9"] {
            let r = try s.get("\(Self.base)/\(selector)/metadata")
            #expect((r.json["metadata"] as? [String: Any])?["last_message_id"] as? String == "m5", "\(selector): \(r.body)")
        }
        #expect(try s.get("\(Self.base)/shoe_size:27/traits").status == 400)
    }

    @Test func anUnknownProfileIsSegments404AndOnlyTheReadTokenReads() throws {
        let s = try Self.serving()
        for call in ["traits", "events", "external_ids", "metadata"] {
            let r = try s.get("\(Self.base)/email:hanako%40example.jp/\(call)")
            #expect(r.status == 404)
            #expect(r.json as NSDictionary == ["error": ["code": "not_found", "message": "Profile was not found."]])
        }
        let target = "\(Self.base)/user_id:U-1/traits"
        let basic = { (user: String) in "Basic " + Data((user + ":").utf8).base64EncodedString() }
        for auth in [nil, "Bearer drt_wrong", basic(s.writeKey), "Bearer \(s.writeKey)", basic("drt_wrong")] {
            let r = try s.request("GET", target, auth: auth)
            #expect(r.status == 401, "\(auth ?? "none")")
            #expect(r.error["code"] as? String == "authentication_error")
        }
        #expect(try s.request("GET", target, auth: basic(s.readToken)).status == 200)
        #expect(try s.request("GET", "/v1/profiles/user_id:U-1", auth: basic(s.readToken)).status == 401)
        #expect(try s.request("POST", target).status == 405)
        #expect(try s.get("\(Self.base)/user_id:U-1/links").status == 404)
    }
}
