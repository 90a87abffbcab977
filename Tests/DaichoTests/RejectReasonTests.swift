import Foundation
import Testing
@testable import Daicho

/// Issue 8 "Say what happened" and "Time cannot be poisoned": reasons that suggest the fix, and the future-skew
/// check (docs/ingest.md "Reasons", "Time").
@Suite struct RejectReasonTests {
    static func reason(_ line: String, arrival: Int64? = nil, skew: Int64? = nil) -> String? {
        var encoder = EventLineEncoder()
        if let arrival { encoder.setArrival(arrival, maxFutureSkew: skew) }
        var builder = BatchBuilder()
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBytes { encoder.encode(line: UnsafeRawBufferPointer($0), into: &builder) }
    }

    static func event(type: String = "track", at: String = "2026-01-01T00:00:00Z", ids: String = #"{"user_id":"u"}"#,
                      props: String = #"{"event":"E"}"#) -> String {
        #"{"id":"e","type":"\#(type)","at":"\#(at)","ids":\#(ids),"props":\#(props)}"#
    }

    /// 2026-12-02T00:00:00Z.
    static let arrival: Int64 = 1_796_169_600_000_000
    static let day: Int64 = 86_400_000_000

    @Test func anEventDatedDecadesAheadOfArrivalIsRejectedWithTheDistanceAndTheSetting() {
        #expect(Self.reason(Self.event(at: "2099-01-01T00:00:00Z"), arrival: Self.arrival, skew: Self.day)
            == #""at": "2099-01-01T00:00:00Z" is 72 years ahead of arrival (maximum 24h; daicho.json max_future_skew)"#)
    }

    @Test func anEventExactlyAtTheSkewIsAcceptedAndOneMicrosecondLaterIsNot() {
        #expect(Self.reason(Self.event(at: "2026-12-03T00:00:00Z"), arrival: Self.arrival, skew: Self.day) == nil)
        #expect(Self.reason(Self.event(at: "2026-12-03T09:00:00.000001+09:00"), arrival: Self.arrival, skew: Self.day)
            == #""at": "2026-12-03T09:00:00.000001+09:00" is 1 day ahead of arrival (maximum 24h; daicho.json max_future_skew)"#)
        #expect(Self.reason(Self.event(at: "2026-12-02T00:45:00Z"), arrival: Self.arrival, skew: 30 * 60_000_000)
            == #""at": "2026-12-02T00:45:00Z" is 45 minutes ahead of arrival (maximum 30m; daicho.json max_future_skew)"#)
    }

    @Test func pastEventsAndAnUnsetSkewAreNeverRejectedForTheirTime() {
        #expect(Self.reason(Self.event(at: "1999-01-01T00:00:00Z"), arrival: Self.arrival, skew: 0) == nil)
        #expect(Self.reason(Self.event(at: "9999-12-31T23:59:59Z"), arrival: Self.arrival, skew: nil) == nil)
        #expect(Self.reason(Self.event(at: "9999-12-31T23:59:59Z")) == nil)
    }

    @Test("a type, field or kind typo suggests the right name", arguments: [
        (event(type: "purchse"), #"unknown type "purchse" (did you mean purchase?)"#),
        (event(type: "Purchase"), #"unknown type "Purchase" (did you mean purchase?)"#),
        (event(type: "pageview"), #"unknown type "pageview" (did you mean page_view?)"#),
        (event(type: "teleport"), #"unknown type "teleport""#),
        (#"{"id":"e","tpye":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"}}"#, #"unknown field "tpye" (did you mean type?)"#),
        (#"{"id":"e","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"context":{}}"#, #"unknown field "context""#),
        (event(ids: #"{"emial":"a@b.example"}"#), #"unknown identifier kind "emial" (did you mean email?)"#),
        (event(type: "purchase", props: #"{"order_id":"o","amout":5,"currency":"JPY"}"#),
         #"missing field "amount" in props; found "amout" (did you mean amount?)"#),
        (event(type: "purchase", props: #"{"order_id":"o","amount":5,"currency":"JPY","items":[{"sku":"s","qyt":1,"price":1}]}"#),
         #"missing field "qty" in props.items[0]; found "qyt" (did you mean qty?)"#),
    ])
    func aTypoSuggestsTheIntendedName(_ line: String, _ expected: String) {
        #expect(Self.reason(line) == expected)
    }

    @Test("a line that is CSV, a JSON array, pretty-printed JSON or gzip says so", arguments: [
        ("id,type,at,user_id", "this looks like CSV"),
        ("e1,purchase,2026-01-01T00:00:00Z,u1", "this looks like CSV"),
        (#"[{"id":"e","type":"track"}]"#, "the line is a JSON array"),
        (#"[{"id":"e","type":"track"},"#, "the line is a JSON array"),
        ("{", "pretty-printed JSON"),
        (#"  "id": "e1","#, "pretty-printed JSON"),
        (#"  "props": {"#, "pretty-printed JSON"),
        ("},", "pretty-printed JSON"),
    ])
    func aLineThatIsNotNDJSONNamesWhatItLooksLike(_ line: String, _ expected: String) throws {
        let reason = try #require(Self.reason(line))
        #expect(reason.contains(expected), "\(reason)")
    }

    @Test func gzipBytesThatAreNotUTF8AreNamedAsGzip() throws {
        var encoder = EventLineEncoder()
        var builder = BatchBuilder()
        let bytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFE, 0x00, 0x03]
        let reason = try #require(bytes.withUnsafeBytes { encoder.encode(line: $0, into: &builder) })
        #expect(reason.contains("the input looks gzip-compressed: decompress it first"), "\(reason)")
    }

    @Test("a time without a zone, a date alone or a leap second says how to fix it", arguments: [
        ("2026-06-01T09:00:00", #""at": "2026-06-01T09:00:00" is not an RFC 3339 time: add a zone: Z for UTC or an offset such as +09:00"#),
        ("2026-06-01 09:00:00.5", #""at": "2026-06-01 09:00:00.5" is not an RFC 3339 time: add a zone: Z for UTC or an offset such as +09:00"#),
        ("2026-06-01T09:00:00+0900", #""at": "2026-06-01T09:00:00+0900" is not an RFC 3339 time: write the offset with a colon, e.g. +09:00"#),
        ("2026-06-01T09:00:00.123-0430", #""at": "2026-06-01T09:00:00.123-0430" is not an RFC 3339 time: write the offset with a colon, e.g. +09:00"#),
        ("2026-06-01", #""at": "2026-06-01" is not an RFC 3339 time: add a time and a zone, e.g. 2026-06-01T00:00:00+09:00"#),
        ("1780000000", #""at": "1780000000" is not an RFC 3339 time: a number of seconds is not a time; write a date-time such as 2026-06-01T09:00:00+09:00"#),
        ("2016-12-31T23:59:60Z", #""at": "2016-12-31T23:59:60Z" is not an RFC 3339 time: second 60 (a leap second) is refused, since Unix time has no leap seconds; write :59.999999 or the next second"#),
        ("yesterday", #""at": "yesterday" is not an RFC 3339 time"#),
    ])
    func aBadTimeSaysHowToFixIt(_ at: String, _ expected: String) {
        #expect(Self.reason(Self.event(at: at)) == expected)
    }
}
