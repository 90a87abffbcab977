import Foundation
import Testing
@testable import Daicho

/// Issue 8 "Numbers are exact or refused": every props number is a finite `Double` or an `Int64`, and money and
/// counts that profiles sum have documented bounds (docs/ingest.md "Numbers").
@Suite struct NumberRangeTests {
    static func track(_ props: String) -> String {
        #"{"id":"n","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":\#(props)}"#
    }

    static func purchase(amount: String, items: String = "") -> String {
        #"{"id":"p","type":"purchase","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"order_id":"o","amount":\#(amount),"currency":"JPY"\#(items)}}"#
    }

    @Test("a number beyond the Double range in free props is refused, not stored as null", arguments: [
        "1e400", "-1e400", "0.1e99999999999999999999", "1" + String(repeating: "0", count: 400),
    ])
    func hugeLiteralInFreePropsIsRefused(_ literal: String) {
        let reason = encodeLines([Self.track(#"{"event":"E","x":{"deep":[1,\#(literal)]}}"#)]).rejects[0]
        #expect(reason == #""props.x.deep[1]": number beyond the range of a 64-bit float (magnitude above 1.7976931348623157e308)"#)
    }

    @Test("a nonzero number that would round to 0 is refused, not stored as 0", arguments: [
        "1e-400", "-1e-400", "2e-324", "0.000001e-99999999999999999999",
    ])
    func underflowingLiteralIsRefused(_ literal: String) throws {
        let reason = try #require(encodeLines([Self.track(#"{"event":"E","tiny":\#(literal)}"#)]).rejects[0])
        #expect(reason.hasPrefix(#""props.tiny": nonzero number closer to 0 than the smallest 64-bit float"#))
    }

    @Test("zero, written any way, and the extreme finite values are kept", arguments: [
        "0", "-0", "0.0", "-0.0", "0e400", "0.000e-99999", "5e-324", "1e308", "-1.7976931348623157e308",
        "123456789012345678901234567890", "2.2250738585072011e-308",
    ])
    func extremeButValidLiteralIsKept(_ literal: String) throws {
        let (payload, rejects) = encodeLines([Self.track(#"{"event":"E","v":\#(literal)}"#)])
        #expect(rejects == [nil])
        let v = try #require(decodeAll(payload).first?.props?["v"]?.doubleValue)
        #expect(v.bitPattern == Double(literal)!.bitPattern || (v == 0 && Double(literal)! == 0))
    }

    @Test("a required purchase amount of 1e400 is refused with the documented range")
    func infiniteAmountIsRefusedWithTheRange() {
        #expect(encodeLines([Self.purchase(amount: "1e400")]).rejects == [#""props.amount": expected a number in [0, 1000000000000]"#])
    }

    @Test("amounts and prices above 10^12 are refused; 10^12 itself is accepted", arguments: [
        ("1e13", false), ("1e20", false), ("1e308", false), ("1000000000000.5", false), ("1e12", true),
        ("999999999999.999999", true),
    ])
    func amountAboveTheDocumentedRangeIsRefused(_ amount: String, _ accepted: Bool) {
        let line = Self.purchase(amount: amount)
        #expect(encodeLines([line]).rejects == [accepted ? nil : #""props.amount": expected a number in [0, 1000000000000]"#])
        let item = Self.purchase(amount: "1", items: #","items":[{"sku":"s","qty":1,"price":\#(amount)}]"#)
        #expect(encodeLines([item]).rejects == [accepted ? nil : #""props.items[0].price": expected a number in [0, 1000000000000]"#])
    }

    @Test("dwell_ms and reach above 2^31 - 1 are refused, so their sums cannot wrap")
    func dwellAndReachAboveTheBoundAreRefused() {
        let page = { (dwell: String) in
            #"{"id":"v","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"dwell_ms":\#(dwell)}}"#
        }
        let mention = { (reach: String) in
            #"{"id":"m","type":"social_mention","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"platform":"x","reach":\#(reach)}}"#
        }
        #expect(encodeLines([page("2147483647"), page("2147483648"), page("9223372036854775807")]).rejects
            == [nil, #""props.dwell_ms": expected an integer in [0, 2147483647]"#, #""props.dwell_ms": expected an integer in [0, 2147483647]"#])
        #expect(encodeLines([mention("2147483647"), mention("4611686018427387904")]).rejects
            == [nil, #""props.reach": expected an integer in [0, 2147483647]"#])
    }

    @Test("a library append of an infinite or NaN double is refused, not written as null", arguments: [
        (Double.infinity, #""props.list[1]": number beyond the range of a 64-bit float (magnitude above 1.7976931348623157e308)"#),
        (-Double.infinity, #""props.list[1]": number beyond the range of a 64-bit float (magnitude above 1.7976931348623157e308)"#),
        (Double.nan, #""props.list[1]": not a number (NaN), which JSON cannot hold"#),
    ])
    func nonFiniteDoubleInALibraryAppendIsRefused(_ value: Double, _ reason: String) {
        let event = Event(id: "x", type: .track, at: 0, identifiers: [Identifier(kind: .userID, normalized: "u", raw: "u")],
                          props: .object([JSONMember("event", .string("E")), JSONMember("list", .array([.int(1), .double(value)]))]))
        var encoder = EventValueEncoder(normalizer: IdentifierNormalizer())
        var builder = BatchBuilder()
        #expect(encoder.encode(event, into: &builder) == reason)
        #expect(builder.count == 0)
    }
}
