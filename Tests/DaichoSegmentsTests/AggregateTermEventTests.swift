import Testing
import Daicho
@testable import DaichoSegments

/// Terms read the props of encoded events: filters, summed values, static and dynamic keys.
@Suite struct AggregateTermEventTests {
    /// Encodes NDJSON event lines into one batch and returns `contribution` of `term` for each event.
    func contributions(_ term: AggregateTerm, _ lines: [String]) throws -> [Double?] {
        var out: [Double?] = []
        try forEachEncodedEvent(lines) { out.append(term.contribution(of: $0)) }
        return out
    }

    func line(_ n: Int, _ type: String, _ props: String) -> String {
        "{\"id\":\"e\(n)\",\"type\":\"\(type)\",\"at\":\"2026-01-01T00:00:00Z\",\"ids\":{\"user_id\":\"u1\"},\"props\":\(props)}"
    }

    @Test func filterOnAStaticKeyAndValue() throws {
        let term = try CompiledRule(compiling: "count(page_view where action == \"add_to_cart\" within 1d) >= 1").terms[0]
        let got = try contributions(term, [
            line(1, "page_view", #"{"action":"add_to_cart"}"#),
            line(2, "page_view", #"{"action":"view"}"#),
            line(3, "page_view", #"{"path":"/"}"#),
            line(4, "purchase", #"{"order_id":"o","amount":1,"currency":"JPY","action":"add_to_cart"}"#),
        ])
        #expect(got == [0, nil, nil, nil])
    }

    @Test func filterOnDynamicStringsAndCustomProps() throws {
        let term = try CompiledRule(compiling: """
            count(track where event == "Coupon Redeemed" and props.coupon in ["SPRING", "夏"] and not props.test == true) > 0
            """).terms[0]
        let got = try contributions(term, [
            line(1, "track", #"{"event":"Coupon Redeemed","coupon":"夏"}"#),
            line(2, "track", #"{"event":"Coupon Redeemed","coupon":"WINTER"}"#),
            line(3, "track", #"{"event":"Coupon Redeemed","coupon":"SPRING","test":true}"#),
            line(4, "track", #"{"event":"Coupon Viewed","coupon":"SPRING"}"#),
            line(5, "track", #"{"event":"Coupon Redeemed","coupon":"SPRING","test":[1]}"#),
        ])
        #expect(got == [0, nil, nil, nil, 0])
    }

    @Test func sumReadsTheNumberAndSkipsOthers() throws {
        let term = try CompiledRule(compiling: "sum(purchase.amount where currency == \"JPY\" and amount >= 100 within 90d) >= 50000").terms[0]
        let got = try contributions(term, [
            line(1, "purchase", #"{"order_id":"a","amount":1980,"currency":"JPY"}"#),
            line(2, "purchase", #"{"order_id":"b","amount":19.5,"currency":"USD"}"#),
            line(3, "purchase", #"{"order_id":"c","amount":99.5,"currency":"JPY"}"#),
            line(4, "purchase", #"{"order_id":"d","amount":100.25,"currency":"JPY"}"#),
        ])
        #expect(got == [1980, nil, nil, 100.25])
        let dynamic = try CompiledRule(compiling: "sum(track.props.points within 7d) > 0").terms[0]
        #expect(try contributions(dynamic, [
            line(1, "track", #"{"event":"x","points":5}"#), line(2, "track", #"{"event":"x","points":"5"}"#),
            line(3, "track", #"{"event":"x"}"#),
        ]) == [5, nil, nil])
    }

    @Test func existsAndContainsOnProps() throws {
        let term = try CompiledRule(compiling: "count(inquiry where exists(status) and text contains \"返品\") > 0").terms[0]
        let got = try contributions(term, [
            line(1, "inquiry", #"{"channel":"email","category":"complaint","status":"open","text":"返品したい"}"#),
            line(2, "inquiry", #"{"channel":"email","category":"complaint","text":"返品したい"}"#),
            line(3, "inquiry", #"{"channel":"email","category":"question","status":"open","text":"配送"}"#),
        ])
        #expect(got == [0, nil, nil])
    }
}
