import Testing
@testable import DaichoSegments

@Suite struct RuleEvaluationTests {
    func holds(_ rule: String, _ inputs: DictionaryInputs) throws -> Bool {
        try CompiledRule(compiling: rule).evaluate(inputs)
    }

    @Test func numberComparisons() throws {
        let p = DictionaryInputs(values: ["commerce.orders": .number(3), "social.avg_sentiment": .number(-0.5)])
        for (rule, expected) in [
            ("commerce.orders >= 3", true), ("commerce.orders > 3", false), ("commerce.orders == 3", true),
            ("commerce.orders != 3", false), ("commerce.orders < 4", true), ("commerce.orders <= 2", false),
            ("3 <= commerce.orders", true), ("4 <= commerce.orders", false), ("social.avg_sentiment < -0.3", true),
            ("commerce.orders in [1, 3]", true), ("commerce.orders in [1, 2]", false),
            ("commerce.orders == social.avg_sentiment", false), ("social.avg_sentiment < commerce.orders", true),
        ] { #expect(try holds(rule, p) == expected, "\(rule)") }
    }

    @Test func stringComparisonsAreByUTF8Bytes() throws {
        let bytes = Array("東京都".utf8)
        try bytes.withUnsafeBytes { tokyo throws in
            let p = DictionaryInputs(values: ["traits.prefecture": .utf8(tokyo), "web.last_page": .string("/cart/items")])
            for (rule, expected) in [
                ("traits.prefecture == \"東京都\"", true), ("traits.prefecture != \"東京都\"", false),
                ("traits.prefecture == \"東京\"", false), ("traits.prefecture > \"東京\"", true),
                ("traits.prefecture in [\"大阪府\", \"東京都\"]", true), ("traits.prefecture contains \"京\"", true),
                ("web.last_page contains \"/cart\"", true), ("web.last_page contains \"/Cart\"", false),
                ("web.last_page < \"/d\"", true), ("web.last_page >= \"/cart/items\"", true),
                ("web.last_page contains traits.prefecture", false), ("\"/cart/items/x\" contains web.last_page", true),
            ] { #expect(try holds(rule, p) == expected, "\(rule)") }
        }
    }

    @Test func boolsTimesAndLists() throws {
        let p = DictionaryInputs(now: jan1, values: [
            "traits.vip": .bool(true), "first_seen": .time(jan1 - 10 * day), "last_seen": .time(jan1 - day),
        ], lists: ["channels": ["web", "store"], "identifiers.email": ["a@b.jp"]])
        for (rule, expected) in [
            ("traits.vip == true", true), ("traits.vip != true", false), ("false == traits.vip", false),
            ("first_seen < last_seen", true), ("first_seen == last_seen", false),
            ("\"web\" in channels", true), ("\"app\" in channels", false), ("channels contains \"store\"", true),
            ("identifiers.email contains \"a@b.jp\"", true), ("exists(channels)", true), ("exists(merged_ids)", false),
            ("last_seen within 2d", true), ("last_seen within 1d", false), ("last_seen within 25h", true),
            ("days_since(first_seen) == 10", true), ("days_since(last_seen) > 0", true),
            ("traits.vip in [true]", true),
        ] { #expect(try holds(rule, p) == expected, "\(rule)") }
    }

    /// docs/segments.md "Missing values", table row by row.
    @Test func absentComparesFalseAndNotNegates() throws {
        let rows: [(plan: RuleValue, expected: [Bool])] = [
            (.string("gold"), [true, false, false, true]),
            (.string("free"), [false, true, true, true]),
            (.absent, [false, false, true, false]),
            (.number(3), [false, false, true, true]),
        ]
        let rules = ["traits.plan == \"gold\"", "traits.plan != \"gold\"", "not traits.plan == \"gold\"", "exists(traits.plan)"]
        for row in rows {
            let p = DictionaryInputs(values: ["traits.plan": row.plan])
            #expect(try rules.map { try holds($0, p) } == row.expected, "\(row.plan)")
        }
    }

    @Test func absentOperandsMakeEveryTestFalse() throws {
        let p = DictionaryInputs(now: jan1)
        for rule in [
            "social.avg_sentiment < 0", "social.avg_sentiment >= 0", "social.avg_sentiment != 0",
            "traits.x in [1, 2]", "traits.x contains \"a\"", "\"a\" in channels", "days_since(commerce.last_order_at) > 60",
            "days_since(commerce.last_order_at) <= 60", "commerce.last_order_at within 30d", "traits.a == traits.b",
            "avg(purchase.amount within 30d) >= 0",
        ] { #expect(try !holds(rule, p), "\(rule)") }
        #expect(try holds("not days_since(commerce.last_order_at) <= 60", p))
    }

    @Test func dynamicValuesCompareOnlyWithTheirOwnType() throws {
        let p = DictionaryInputs(values: ["traits.a": .number(1), "traits.b": .number(1), "traits.c": .string("1")])
        #expect(try holds("traits.a == traits.b", p))
        #expect(try !holds("traits.a == traits.c", p))
        #expect(try !holds("traits.a != traits.c", p))
        #expect(try !holds("traits.c > 0", p))
        #expect(try holds("traits.c == \"1\"", p))
    }

    @Test func precedenceDecidesTheResult() throws {
        let p = DictionaryInputs(values: ["events": .number(1)])
        // a or (b and c) with a, b true and c false: true; (a or b) and c would be false.
        #expect(try holds("events == 1 or events == 1 and events == 2", p))
        // (not a) and b with a, b false: false; not (a and b) would be true.
        #expect(try !holds("not events == 2 and events == 2", p))
        #expect(try holds("not (events == 2 and events == 2)", p))
        #expect(try holds("not not events == 1", p))
    }

    @Test func aggregatesReadTheirTerms() throws {
        let rule = try CompiledRule(compiling: """
            count(page_view where action == "add_to_cart" within 1d) >= 1 and count(purchase within 1d) == 0
            and sum(purchase.amount within 90d) >= 50000 and avg(purchase.amount within 90d) > 20000
            """)
        var p = DictionaryInputs(aggregates: [
            0: AggregateValue(count: 2, sum: 0), 1: AggregateValue(count: 0, sum: 0), 2: AggregateValue(count: 2, sum: 50000),
        ])
        #expect(rule.evaluate(p))
        p.aggregates[2] = AggregateValue(count: 3, sum: 50000) // avg 16,667
        #expect(!rule.evaluate(p))
        p.aggregates[2] = AggregateValue(count: 2, sum: 50000)
        p.aggregates[1] = AggregateValue(count: 1, sum: 0)
        #expect(!rule.evaluate(p))
    }

    @Test func nextDeadlineIsTheEarliestChange() throws {
        var p = DictionaryInputs(now: jan1 + 12 * hour, nextBusinessDay: jan1 + day + 15 * hour, values: [
            "commerce.last_order_at": .time(jan1 - 59 * day), "last_seen": .time(jan1),
            "commerce.age_days": .number(30),
        ])
        // days_since = 59 now; "> 60" first holds at 61 whole days.
        let daysSince = try CompiledRule(compiling: "days_since(commerce.last_order_at) > 60")
        #expect(daysSince.nextDeadline(p) == jan1 + 2 * day)
        #expect(try CompiledRule(compiling: "60 < days_since(commerce.last_order_at)").nextDeadline(p) == jan1 + 2 * day)
        #expect(try CompiledRule(compiling: "days_since(commerce.last_order_at) == 59").nextDeadline(p) == jan1 + day)
        #expect(try CompiledRule(compiling: "days_since(commerce.last_order_at) <= 10").nextDeadline(p) == nil)
        #expect(try CompiledRule(compiling: "days_since(commerce.last_order_at) >= 59.5").nextDeadline(p) == jan1 + day)
        #expect(try CompiledRule(compiling: "last_seen within 14d").nextDeadline(p) == jan1 + 14 * day)
        #expect(try CompiledRule(compiling: "commerce.age_days > 1").nextDeadline(p) == jan1 + day + 15 * hour)
        let windowed = try CompiledRule(compiling: "count(purchase within 1d) == 0 or last_seen within 14d")
        p.termChanges[0] = jan1 + 20 * hour
        #expect(windowed.nextDeadline(p) == jan1 + 20 * hour)
        #expect(try CompiledRule(compiling: "events > 1").nextDeadline(p) == nil)

        // The deadline is exact: the result differs at it and not just before it. There is one in each of the 48
        // hours before the rule starts to hold (61 whole days); none once it holds for good.
        var deadlines = 0
        for now in stride(from: jan1, to: jan1 + 5 * day, by: Int64.Stride(hour)) {
            p.now = now
            let before = daysSince.evaluate(p)
            guard let d = daysSince.nextDeadline(p) else { continue }
            deadlines += 1
            p.now = d - 1
            #expect(daysSince.evaluate(p) == before)
            p.now = d
            #expect(daysSince.evaluate(p) != before)
        }
        #expect(deadlines == 48)
    }
}
