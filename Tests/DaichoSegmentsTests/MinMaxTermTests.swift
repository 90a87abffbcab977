import Daicho
import DaichoJSON
import DaichoProjections
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoSegments

/// Issue 8: `min` and `max` over windowed (and all-time) event values, e.g. `max(purchase.amount within 365d)
/// >= 30000`: compiled terms, evaluation, and a real log against a reference computed from the events.
@Suite struct MinMaxTermTests {
    @Test func minAndMaxAreTermsOfTheirOwn() throws {
        let rule = try CompiledRule(compiling: """
            max(purchase.amount within 365d) >= 30000 and min(purchase.amount within 365d) > 100
            and sum(purchase.amount within 365d) > 0
            """)
        #expect(rule.terms.count == 2, "min and max share a term that keeps extremes; sum has its own")
        #expect(rule.terms.map(\.extremes) == [true, false])
        var p = DictionaryInputs(aggregates: [0: AggregateValue(count: 2, sum: 30200, min: 200, max: 30000),
                                              1: AggregateValue(count: 2, sum: 30200)])
        #expect(rule.evaluate(p))
        p.aggregates[0] = AggregateValue(count: 2, sum: 30100, min: 100, max: 30000)
        #expect(!rule.evaluate(p), "min 100 is not > 100")
        p.aggregates[0] = AggregateValue(count: 0, sum: 0)
        #expect(!rule.evaluate(p))
        #expect(try CompiledRule(compiling: "not max(purchase.amount) >= 0").evaluate(DictionaryInputs()), "no purchase: absent, so not … is true")
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: "max(purchase.currency within 30d) > 0") }
        #expect(error?.message == "max needs a number prop; currency of purchase is a string")
    }

    /// Purchases of random amounts and times over a real log; each profile's membership equals the formula
    /// over its own purchases; after a snapshot and a restore, the same.
    @Test(arguments: [UInt64(7), 8])
    func membershipMatchesTheEventsOverARealLog(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        let day: Int64 = 86_400_000_000
        let now = wallClockMicros()
        try SegmentDefinitions.define(name: "big_spender", rule: "max(purchase.amount within 30d) >= 30000", in: store)
        try SegmentDefinitions.define(name: "small_ever", rule: "min(purchase.amount) < 1000", in: store)
        var rng = SeededGenerator(seed: seed)
        var purchases: [(email: String, at: Int64, amount: Int64)] = []
        for i in 0..<200 {
            let email = "c\(Int.random(in: 0..<30, using: &rng))@example.jp"
            let at = now - Int64.random(in: 0..<(60 * day), using: &rng)
            let amount = Int64.random(in: 1...40_000, using: &rng)
            purchases.append((email, at, amount))
            _ = try store.append([Event(id: "p\(i)", type: .purchase, at: at, source: "web",
                                        identifiers: [Identifier(kind: .email, normalized: "", raw: email)],
                                        props: .object([JSONMember("order_id", .string("o\(i)")), JSONMember("amount", .int(amount)),
                                                        JSONMember("currency", .string("JPY"))]))])
        }
        try store.close()

        func check(_ segments: SegmentProjection) {
            let clock = segments.clock
            for email in Set(purchases.map(\.email)) {
                let mine = purchases.filter { $0.email == email }
                // Bucket rule (day buckets): a purchase counts while its UTC day ends after clock − 30 days.
                let recent = mine.filter { ($0.at / day + 1) * day > clock - 30 * day }.map(\.amount)
                let big = (recent.max() ?? 0) >= 30000
                let small = mine.map(\.amount).min()! < 1000
                let p = segments.profiles.profile(kind: .email, raw: email)!
                let memberships = Set(segments.memberships(of: p).map(\.segment))
                #expect(memberships.contains("big_spender") == big, "\(email)")
                #expect(memberships.contains("small_ever") == small, "\(email)")
            }
        }
        let (replayed, _) = try SegmentLoader.load(dir, now: nil)
        check(replayed)
        try SegmentLoader.refreshSnapshot(dir)
        let (restored, _) = try SegmentLoader.load(dir, now: nil)
        #expect(restored.restoredFrom != nil)
        check(restored)
        #expect(restored.definitions.map(\.members) == replayed.definitions.map(\.members))
    }
}
