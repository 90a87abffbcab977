import DaichoTestSupport
import Testing
@testable import DaichoSegments

/// Issue 8: arithmetic in comparisons and `days_since` / `within` of a trait holding a date, against plain Swift
/// arithmetic and hand-computed dates (the reference), through `DictionaryInputs`.
@Suite struct RuleArithmeticTests {
    func holds(_ rule: String, _ inputs: DictionaryInputs) throws -> Bool {
        try CompiledRule(compiling: rule).evaluate(inputs)
    }

    /// Random profiles: each rule's result equals the same formula computed in Swift, absent (false) when a
    /// divisor is zero.
    @Test(arguments: [UInt64(1), 2, 3])
    func arithmeticMatchesPlainSwift(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let average = try CompiledRule(compiling: "commerce.revenue.JPY / commerce.orders > 5000")
        let precedence = try CompiledRule(compiling: "web.page_views + commerce.orders * 2 - 3 >= traits.score")
        let leftToRight = try CompiledRule(compiling: "web.page_views - commerce.orders - 1 < 0 and web.page_views / 2 / 2 <= 3")
        let aggregates = try CompiledRule(compiling: "sum(purchase.amount within 30d) / count(purchase within 30d) >= 3000")
        for _ in 0..<500 {
            let revenue = Double(Int.random(in: 0...100_000, using: &rng))
            let orders = Double(Int.random(in: 0...10, using: &rng))
            let views = Double(Int.random(in: 0...30, using: &rng))
            let score = Double(Int.random(in: -5...50, using: &rng))
            let count = Int64.random(in: 0...5, using: &rng), sum = Double(Int.random(in: 0...30_000, using: &rng))
            let p = DictionaryInputs(values: ["commerce.revenue.JPY": .number(revenue), "commerce.orders": .number(orders),
                                              "web.page_views": .number(views), "traits.score": .number(score)],
                                     aggregates: [0: AggregateValue(count: count, sum: sum), 1: AggregateValue(count: count, sum: 0)]) // sum is term 0
            #expect(average.evaluate(p) == (orders != 0 && revenue / orders > 5000))
            #expect(precedence.evaluate(p) == (views + (orders * 2) - 3 >= score))
            #expect(leftToRight.evaluate(p) == (((views - orders) - 1) < 0 && (views / 2) / 2 <= 3))
            #expect(aggregates.evaluate(p) == (count != 0 && sum / Double(count) >= 3000))
        }
    }

    @Test func arithmeticOnAbsentOrNonNumbersIsAbsent() throws {
        let p = DictionaryInputs(values: ["traits.plan": .string("gold"), "commerce.orders": .number(2)])
        #expect(try !holds("traits.age * 2 > 0", p))
        #expect(try holds("not traits.age * 2 > 0", p))
        #expect(try !holds("traits.plan + 1 > 0", p), "a string trait is absent in arithmetic")
        #expect(try holds("commerce.orders - -1 == 3", p))
        #expect(try holds("commerce.orders-1 == 1", p), "- after a value subtracts, without spaces too")
        #expect(try holds("commerce.orders * 1.5 == 3", p))
    }

    @Test(arguments: [
        ("commerce.orders + \"a\" > 1", "1:19: + needs numbers on both sides; \"a\" is a string"),
        ("first_seen - 1 > 0", "1:1: - needs numbers on both sides; first_seen is a time"),
        ("1 + 2 > commerce.orders", "1:3: arithmetic needs a field or aggregate on one side"),
        ("commerce.orders * > 1", "1:19: expected a number, string, field or aggregate, found >"),
        ("commerce.orders + 1", "1:1: expected a comparison after commerce.orders + 1 (==, !=, <, <=, >, >=, in, contains, within)"),
    ])
    func arithmeticErrors(rule: String, message: String) {
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule) }
        #expect(error.map { "\($0.line):\($0.column): \($0.message)" } == message)
    }

    /// `days_since(traits.signup_date)` for a trait holding a date (`YYYY-MM-DD`, UTC midnight) or an RFC 3339
    /// time; any other value is absent. `traits.X within D` the same way.
    @Test func daysSinceAndWithinReadADateInATrait() throws {
        // jan1 = 2026-01-01T00:00:00Z; 2025-12-01 is 31 days before it.
        let dec1 = jan1 - 31 * day
        var p = DictionaryInputs(now: jan1 + 10 * hour, values: [
            "traits.signup_date": .string("2025-12-01"),
            "traits.signup_at": .string("2025-12-01T09:00:00+09:00"),
            "traits.vip_since": .string("not a date"), "traits.born": .string("2025-02-30"), "traits.n": .number(5),
        ])
        #expect(try holds("days_since(traits.signup_date) == 31", p))
        #expect(try holds("days_since(traits.signup_at) == 31", p))
        #expect(try !holds("days_since(traits.vip_since) >= 0", p))
        #expect(try !holds("days_since(traits.born) >= 0", p), "February 30th is not a date")
        #expect(try !holds("days_since(traits.n) >= 0", p))
        #expect(try !holds("days_since(traits.unset) >= 0", p))
        #expect(try holds("traits.signup_date within 5w", p))
        #expect(try !holds("traits.signup_date within 4w", p))
        let rule = try CompiledRule(compiling: "days_since(traits.signup_date) > 31")
        #expect(rule.nextDeadline(p) == dec1 + 32 * day)
        p.now = dec1 + 32 * day
        #expect(rule.evaluate(p))
        #expect(try CompiledRule(compiling: "traits.signup_date within 5w").nextDeadline(p) == dec1 + 35 * day)
        // Inside a filter, props are not profile traits: a date there is refused as before.
        #expect(throws: RuleError.self) { try CompiledRule(compiling: "count(track where days_since(props.at) > 1) > 0") }
    }
}
