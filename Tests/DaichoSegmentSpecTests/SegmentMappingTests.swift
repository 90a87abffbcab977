import Daicho
import DaichoJSON
@testable import DaichoSegmentSpec
import Testing

/// docs/segment-compatibility.md, row by row: each message and the exact envelope it gives (or its exact reason),
/// and every envelope accepted by ingest.
@Suite struct SegmentMappingTests {
    /// 2026-12-02T04:30:10Z.
    static let received: Int64 = 1_796_185_810_000_000
    static let receivedText = "2026-12-02T04:30:10Z"

    static func map(_ body: String, route: String? = "track", mapping: SegmentMapping = SegmentMapping(), index: Int = 0,
                    keySource: String? = nil) throws -> MappedMessage {
        try SegmentBatch(body: Array(body.utf8), routeType: route).map(index, mapping: mapping, receivedAt: received, keySource: keySource)
    }

    /// The line of an appended message, checked to pass ingest's validation.
    static func line(_ body: String, route: String? = "track", mapping: SegmentMapping = SegmentMapping(),
                     index: Int = 0, keySource: String? = nil) throws -> String {
        guard case .event(let bytes, _) = try map(body, route: route, mapping: mapping, index: index, keySource: keySource) else {
            Issue.record("rejected: \(try map(body, route: route, mapping: mapping, index: index))")
            return ""
        }
        var encoder = EventLineEncoder()
        var builder = BatchBuilder()
        let reason = bytes.withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
        #expect(reason == nil, "ingest rejected \(String(decoding: bytes, as: UTF8.self)): \(reason ?? "")")
        return String(decoding: bytes, as: UTF8.self)
    }

    static func reason(_ body: String, route: String? = "track", mapping: SegmentMapping = SegmentMapping()) throws -> String? {
        if case .rejected(let r) = try map(body, route: route, mapping: mapping) { return r }
        return nil
    }

    static let seg = #","segment":{"receivedAt":"2026-12-02T04:30:10Z"}"#

    @Test func aTrackKeepsItsPropertiesAndTimestamp() throws {
        let l = try Self.line(#"{"type":"track","messageId":"m1","userId":"U-1","event":"Coupon Redeemed","timestamp":"2026-12-01T10:00:00.123+09:00","properties":{"coupon":"W","value":1e2}}"#)
        #expect(l == #"{"id":"m1","type":"track","at":"2026-12-01T10:00:00.123+09:00","ids":{"user_id":"U-1"},"props":{"event":"Coupon Redeemed","coupon":"W","value":1e2"# + Self.seg + "}}")
    }

    @Test func originalTimestampIsCorrectedBySentAt() throws {
        // The device clock is 1 h behind: sent at 03:30:10 by its clock, received at 04:30:10.
        let body = #"{"batch":[{"type":"track","messageId":"m","anonymousId":"a1","event":"E","originalTimestamp":"2026-12-02T03:30:00Z"}],"sentAt":"2026-12-02T03:30:10Z"}"#
        let l = try Self.line(body, route: nil)
        #expect(l.contains(#""at":"2026-12-02T04:30:00Z""#))
        #expect(l.contains(#""sentAt":"2026-12-02T03:30:10Z""#))
        let noSentAt = try Self.line(#"{"type":"track","messageId":"m","anonymousId":"a1","event":"E","originalTimestamp":"2026-12-02T03:30:00+09:00"}"#)
        #expect(noSentAt.contains(#""at":"2026-12-02T03:30:00+09:00""#))
        let none = try Self.line(#"{"type":"track","messageId":"m","anonymousId":"a1","event":"E"}"#)
        #expect(none.contains(#""at":"\#(Self.receivedText)""#))
    }

    @Test func aMissingMessageIdIsAHashOfTheMessage() throws {
        let a = try Self.line(#"{"userId":"U-1","event":"E"}"#)
        let b = try Self.line(#"{"userId":"U-1","event":"E"}"#)
        let c = try Self.line(#"{"userId":"U-2","event":"E"}"#)
        #expect(a == b)
        #expect(a != c)
        #expect(a.hasPrefix(#"{"id":"seg:"#))
    }

    @Test func identifiersComeFromIdsDeviceAndTraits() throws {
        let l = try Self.line(#"{"type":"identify","messageId":"m","userId":42,"anonymousId":"a1","context":{"device":{"id":"dev-9"},"traits":{"phone":"090-1234-5678"}},"traits":{"email":"Taro@Example.jp","plan":"premium"}}"#, route: "identify")
        #expect(l.contains(#""ids":{"user_id":"42","anonymous_id":"a1","device_id":"dev-9","email":"Taro@Example.jp","phone":"090-1234-5678"}"#))
        #expect(l.contains(#""props":{"traits":{"email":"Taro@Example.jp","plan":"premium","phone":"090-1234-5678"}"#))
    }

    @Test func aTraitThatIsNotAnIdentifierIsKeptAndWarnedMasked() throws {
        let m = try Self.map(#"{"type":"identify","messageId":"m","userId":"U","traits":{"email":"taro.example.jp"}}"#, route: "identify")
        guard case .event(let line, let warnings) = m else { Issue.record("rejected"); return }
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""ids":{"user_id":"U"},"props":{"traits":{"email":"taro.example.jp"}"#)) // a trait, not an identifier
        #expect(warnings.count == 1)
        #expect(warnings[0].hasPrefix("traits.email \"t***"))
        #expect(!warnings[0].contains("taro.example"))
    }

    @Test func pageAndScreenArePageViews() throws {
        let page = try Self.line(#"{"type":"page","messageId":"p","anonymousId":"a","name":"Home","properties":{"title":"ホーム","name":"dup"},"context":{"page":{"url":"https://example.jp/","path":"/"}}}"#, route: "page")
        #expect(page.contains(#""type":"page_view""#))
        #expect(page.contains(#""props":{"url":"https://example.jp/","path":"/","title":"ホーム","name":"Home","properties_name":"dup","segment":{"context":{"page":{"url":"https://example.jp/","path":"/"}}"#))
        let screen = try Self.line(#"{"type":"screen","messageId":"s","anonymousId":"a","name":"Cart","properties":{"items":2}}"#, route: "screen")
        #expect(screen.contains(#""props":{"screen":true,"name":"Cart","items":2,"segment""#))
    }

    @Test func groupAndAliasMapToIdentifyAndLink() throws {
        let group = try Self.line(#"{"type":"group","messageId":"g","userId":"U","groupId":"ACME","traits":{"plan":"enterprise"}}"#, route: "group")
        #expect(group.contains(#""type":"identify""#))
        #expect(group.contains(#""props":{"traits":{"group_id":"ACME","group":{"plan":"enterprise"}}"#))
        #expect(try Self.reason(#"{"type":"group","userId":"U"}"#, route: "group") == "group without \"groupId\"")
        let alias = try Self.line(#"{"type":"alias","messageId":"l","userId":"U","previousId":"anon-1"}"#, route: "alias")
        #expect(alias.contains(#""type":"link""#))
        #expect(alias.contains(#""ids":{"user_id":"U","anonymous_id":"anon-1"}"#))
        #expect(try Self.reason(#"{"type":"alias","userId":"U"}"#, route: "alias") == "alias needs \"previousId\" and \"userId\"")
    }

    @Test func orderCompletedIsAPurchase() throws {
        let l = try Self.line(#"{"messageId":"o","userId":"U","event":"Order Completed","properties":{"order_id":"A-1","total":5400,"revenue":5000,"currency":"JPY","coupon":"W","products":[{"product_id":"p1","sku":"SKU-1","price":2700,"quantity":2,"name":"茶"}]}}"#)
        #expect(l.contains(#""type":"purchase""#))
        #expect(l.contains(#""props":{"order_id":"A-1","amount":5400,"currency":"JPY","items":[{"sku":"SKU-1","qty":2,"price":2700,"product_id":"p1","name":"茶"}],"total":5400,"revenue":5000,"coupon":"W","segment""#))
        let summed = try Self.line(#"{"messageId":"o","userId":"U","event":"Order Completed","properties":{"order_id":7,"products":[{"product_id":"p1","price":10.5,"quantity":2},{"product_id":"p2","price":3}]}}"#)
        #expect(summed.contains(#""order_id":"7","amount":24.0,"currency":"USD","items":[{"sku":"p1","qty":2,"price":10.5},{"sku":"p2","qty":1,"price":3}]"#))
        #expect(try Self.reason(#"{"userId":"U","event":"Order Completed","properties":{"total":5}}"#) == "Order Completed without properties.order_id: orders are counted by id")
        #expect(try Self.reason(#"{"userId":"U","event":"Order Completed","properties":{"order_id":"x"}}"#) == "Order Completed without an amount: properties.total, revenue or products[].price")
        var jpy = SegmentMapping()
        jpy.defaultCurrency = "JPY"
        #expect(try Self.line(#"{"messageId":"o","userId":"U","event":"Order Completed","properties":{"order_id":"B","revenue":100}}"#, mapping: jpy).contains(#""currency":"JPY""#))
    }

    @Test func sourceFollowsChannelLibraryAndKey() throws {
        #expect(try Self.line(#"{"userId":"U","event":"E","channel":"mobile"}"#).contains(#""source":"mobile""#))
        #expect(try Self.line(#"{"userId":"U","event":"E","context":{"library":{"name":"analytics.js"}}}"#).contains(#""source":"web""#))
        #expect(try Self.line(#"{"userId":"U","event":"E","context":{"library":{"name":"analytics-python"}}}"#).contains(#""source":"server""#))
        #expect(try Self.line(#"{"userId":"U","event":"E"}"#, keySource: "pos").contains(#""source":"pos""#))
        #expect(!(try Self.line(#"{"userId":"U","event":"E"}"#)).contains(#""source""#))
    }

    @Test func batchContextMergesUnderTheMessagesOwn() throws {
        let body = #"{"batch":[{"type":"track","messageId":"m","userId":"U","event":"E","context":{"ip":"1.2.3.4"}}],"context":{"ip":"9.9.9.9","library":{"name":"analytics-python","version":"2.4.0"}},"writeKey":"dwk_secret"}"#
        let l = try Self.line(body, route: nil)
        #expect(l.contains(#""context":{"ip":"1.2.3.4","library":{"name":"analytics-python","version":"2.4.0"}}"#))
        #expect(!l.contains("dwk_secret")) // the write key is never stored
        #expect(try SegmentBatch(body: Array(body.utf8), routeType: nil).writeKey == "dwk_secret")
    }

    @Test func mappingJSONMapsMoreEventNames() throws {
        let mapping = try SegmentMapping(json: Array(#"{"events":{"Ticket Created":{"type":"inquiry","rename":{"via":"channel","topic":"category"}},"Signed Up":{"type":"identify","traits_from":"properties"}}}"#.utf8))
        let ticket = try Self.line(#"{"messageId":"t","userId":"U","event":"Ticket Created","properties":{"via":"email","topic":"complaint","text":"届かない"}}"#, mapping: mapping)
        #expect(ticket.contains(#""type":"inquiry""#))
        #expect(ticket.contains(#""props":{"channel":"email","category":"complaint","text":"届かない","segment""#))
        let signup = try Self.line(#"{"messageId":"s","userId":"U","event":"Signed Up","properties":{"plan":"free"}}"#, mapping: mapping)
        #expect(signup.contains(#""type":"identify""#) && signup.contains(#""props":{"traits":{"plan":"free"}"#))
    }

    @Test func badMappingFilesNameThePath() {
        #expect(throws: MappingFileError(path: "evnets", reason: "unknown key (known: default_currency, alias_previous_kind, events)")) {
            try SegmentMapping(json: Array(#"{"evnets":{}}"#.utf8))
        }
        #expect(throws: MappingFileError(path: "events.X.type", reason: "expected one of identify, inquiry, page_view, purchase, social_mention, track")) {
            try SegmentMapping(json: Array(#"{"events":{"X":{"type":"ticket"}}}"#.utf8))
        }
        #expect(throws: MappingFileError(path: "default_currency", reason: "expected three letters A–Z (ISO 4217)")) {
            try SegmentMapping(json: Array(#"{"default_currency":"yen"}"#.utf8))
        }
    }

    @Test func rejectionsNameTheField() throws {
        #expect(try Self.reason(#"{"type":"hello","userId":"U"}"#, route: "track") == "not a Segment message: \"type\" must be one of identify, track, page, screen, group, alias")
        #expect(try Self.reason(#"{"event":"E"}"#) == "no identifier: userId, anonymousId, context.device.id, traits.email or traits.phone is required")
        #expect(try Self.reason(#"{"userId":"U"}"#) == "track without \"event\"")
        #expect(try Self.reason(#"{"userId":"U","event":"E","timestamp":"yesterday"}"#) == "\"timestamp\": not an RFC 3339 date-time")
        let big = #"{"userId":"U","event":"E","properties":{"x":""# + String(repeating: "a", count: 33_000) + #""}}"#
        #expect(try Self.reason(big)?.hasPrefix("message of 330") == true)
        #expect(throws: SegmentBodyError.self) { try SegmentBatch(body: Array("nope".utf8), routeType: nil) }
        #expect(throws: SegmentBodyError(message: "body has no \"batch\" array")) { try SegmentBatch(body: Array("{}".utf8), routeType: nil) }
    }
}
