import Testing
@testable import DaichoSegments

/// The error catalogue of docs/segments.md "Errors", message for message.
@Suite struct RuleErrorTests {
    static let itemsMessage = "items of purchase is an array of objects; test its elements with any item where … (count(purchase where any item where sku == \"sku-1\") > 0)"

    static let catalogue: [(rule: String, message: String)] = [
        ("commerce.orders >=", "1:19: expected a number, string, field or aggregate, found end of rule"),
        ("commerce.orders = 3", "1:17: unexpected \"=\"; expected == (comparison)"),
        ("(commerce.orders > 3", "1:21: expected \")\", found end of rule"),
        ("1 < commerce.orders < 5", "1:21: comparisons cannot be chained; combine them with and"),
        ("commerce.order >= 3", "1:10: unknown field commerce.order; expected one of orders, revenue, first_order_at, last_order_at, frequency, recency_days, age_days, monetary"),
        ("foo > 1", "1:1: unknown field foo; expected one of id, merged_ids, identifiers, identity, traits, first_seen, last_seen, channels, events, web, commerce, support, social"),
        ("count(purchases within 30d) >= 2", "1:7: unknown event type purchases; expected one of page_view, purchase, inquiry, social_mention, identify, link, track"),
        ("count(page_view where colour == \"red\") > 0", "1:23: unknown prop colour of page_view; expected one of url, path, title, referrer, action, dwell_ms, or props.NAME"),
        ("sum(purchase.currency within 30d) > 0", "1:14: sum needs a number prop; currency of purchase is a string"),
        ("commerce.orders == \"3\"", "1:17: cannot compare number with string"),
        ("traits.plan", "1:1: expected a comparison after traits.plan (==, !=, <, <=, >, >=, in, contains, within)"),
        ("support.by_category > 0", "1:9: support.by_category needs a key; expected one of complaint, question, request, opinion"),
        ("count(purchase within 0d) > 0", "1:23: a window must be at least 1m"),
        ("count(purchase within 1000d) > 0", "1:23: window 1000d is longer than the maximum of 730d"),
        ("\"東京都", "1:1: unterminated string; expected a closing \""),
        ("traits.x == \"\\q\"", "1:14: unknown escape \\q; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"),
        ("count(purchase within 3x) > 0", "1:23: invalid duration 3x; expected a whole number followed by m, h, d, w or y"),
        ("exists(commerce.orders)", "1:8: commerce.orders is never absent; exists would always be true"),
    ]

    @Test func catalogueMessagesAreExact() {
        for (rule, message) in Self.catalogue {
            do {
                _ = try CompiledRule(compiling: rule)
                Issue.record("\(rule) compiled")
            } catch {
                #expect("\(error.line):\(error.column): \(error.message)" == message, "\(rule)")
            }
        }
    }

    @Test func renderingPutsTheCaretUnderThePlace() throws {
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: "commerce.order >= 3") }
        #expect(error?.description == """
            1:10: unknown field commerce.order; expected one of orders, revenue, first_order_at, last_order_at, \
            frequency, recency_days, age_days, monetary
            commerce.order >= 3
                     ^
            """)
    }

    @Test func caretCountsWideCharactersTwiceAndFindsTheLine() throws {
        let rule = "traits.prefecture == \"東京都\"\n  and traits.都市 == 1"
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule) }
        #expect(error?.line == 2)
        #expect(error?.column == 14)
        #expect(error?.description == "2:14: unexpected character \"都\"\n  and traits.都市 == 1\n             ^")
        let wide = #expect(throws: RuleError.self) { try CompiledRule(compiling: "\"東京\" == traits.x and 1 <") }
        #expect(wide?.description.hasSuffix("\"東京\" == traits.x and 1 <\n                          ^") == true)
    }

    @Test(arguments: [
        ("traits.x == \"\\ud800\"", "1:14: lone surrogate \\uD800; expected a low surrogate \\uDC00-\\uDFFF after it"),
        ("traits.x == \"\\u12\"", "1:14: invalid \\u escape; expected 4 hex digits"),
        ("traits.x == 1.", "1:13: invalid number 1.; expected digits after the decimal point"),
        ("traits.x == -", "1:13: unexpected \"-\"; expected a number after the sign"),
        ("traits.x ! 1", "1:10: unexpected \"!\"; expected != (comparison) or not"),
        ("traits.x == 1 traits.y == 2", "1:15: expected and, or or end of rule, found traits"),
        ("traits.x in []", "1:14: empty list; expected at least one value"),
        ("traits.x in [1, \"a\"]", "1:17: a list holds values of one type; expected numbers only"),
        ("commerce.orders in [\"a\"]", "1:17: cannot test a number in a list of strings"),
        ("commerce.orders > [1]", "1:19: a list can only follow in"),
        ("1 == 1", "1:1: a test needs a field or aggregate on one side"),
        ("web > 1", "1:1: web is a section; expected one of page_views, sessions, dwell_ms, last_page after it"),
        ("web.top_paths > 1", "1:1: web.top_paths cannot be used in rules (its counts are estimates beyond 64 paths); use count(page_view where path == \"…\")"),
        ("segments contains \"x\"", "1:1: segments cannot be used in rules (a rule may not depend on memberships)"),
        ("commerce.revenue.jpy > 1", "1:18: unknown key jpy of commerce.revenue; expected a currency code of three upper-case letters, such as JPY"),
        ("identifiers.fax contains \"1\"", "1:13: unknown key fax of identifiers; expected one of user_id, email, phone, anonymous_id, device_id, x, instagram, line, youtube, facebook, tiktok, threads, linkedin, weibo, wechat, kakaotalk, note"),
        ("commerce.orders.x > 1", "1:17: commerce.orders has no member x; it is a number"),
        ("commerce.orders within 3d", "1:17: within needs a time field on the left; commerce.orders is a number"),
        ("days_since(commerce.orders) > 1", "1:12: days_since needs a time; commerce.orders is a number"),
        ("traits.vip == true and traits.vip < false", "1:35: bool values support only == and !="),
        ("first_seen == commerce.orders", "1:12: cannot compare time with number"),
        ("count(purchase where count(page_view) > 1) > 0", "1:22: aggregates cannot be used inside a filter"),
        ("count(purchase where items == 1) > 0", "1:22: \(Self.itemsMessage)"),
        // Found in issue 8: accepted, and silently false for everyone.
        ("count(purchase where props.items contains \"sku-1\") > 0", "1:22: \(Self.itemsMessage)"),
        ("count(purchase within 3y) > 0", "1:23: window 3y is longer than the maximum of 730d"),
        ("count(purchase within 105w) > 0", "1:23: window 105w is longer than the maximum of 730d"),
        ("every(purchase where amount > 1) > 0", "1:1: unknown function every; expected one of \(ruleFunctions.joined(separator: ", "))"),
        ("traits.x == 1 or maximum(purchase.amount) > 1", "1:18: unknown function maximum; expected one of \(ruleFunctions.joined(separator: ", "))"),
        ("count(identify where plan == \"x\") > 0", "1:22: unknown prop plan of identify; expected props.NAME"),
        ("sum(purchase within 1d) > 0", "1:14: expected \".\" and a prop after the event type (sum(purchase.PROP …)), found within"),
        ("count(purchase within 1d", "1:25: expected \")\", found end of rule"),
        ("count(purchase where amount > 1 or) > 0", "1:35: expected a number, string, field or aggregate, found \")\""),
        ("exists(traits.x) == true", "1:1: exists(…) is a test on its own; it cannot be an operand"),
        ("last_seen within 3", "1:18: expected a duration such as 30m, 12h or 7d after within, found 3"),
        ("traits.x == 3d", "1:13: a duration can only follow within"),
        ("\"web\" in commerce.orders", "1:10: in needs a list on the right ([…] or a list field); commerce.orders is a number"),
        ("traits.x @ 1", "1:10: unexpected character \"@\""),
    ])
    func moreErrors(rule: String, message: String) {
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule) }
        #expect(error.map { "\($0.line):\($0.column): \($0.message)" } == message)
    }

    /// Found in issue 8 (denial of service): a 65 KB rule of 1,143 windowed `or` terms passed the checker and
    /// made every later command take 80–90 s. It is refused at the first term past the limit.
    @Test func aRuleOf1143WindowedTermsIsRefusedAtCheckTime() {
        let terms = (0..<1143).map { "count(page_view where path == \"/i\($0)\" within 7d) > 0" }
        let rule = terms.joined(separator: " or ")
        #expect(rule.utf8.count > 60_000 && rule.utf8.count <= 65_536, "\(rule.utf8.count) bytes")
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule) }
        let seventeenth = terms.prefix(16).map { $0.utf8.count + 4 }.reduce(0, +) // each term and " or "
        #expect(error?.column == seventeenth + 1)
        #expect(error?.message == "the rule has more than 16 distinct aggregates with a window, the maximum (docs/segments.md \"Cost\"); \(RuleLimits.advice)")
        // What the advice says compiles into one term.
        let paths = (0..<1143).map { "\"/products/item-\($0)\"" }.joined(separator: ", ")
        let one = try? CompiledRule(compiling: "count(page_view where path in [\(paths)] within 7d) >= 1")
        #expect(one?.terms.count == 1)
    }

    /// Each limit of `RuleLimits` admits a rule exactly at it and refuses one past it.
    @Test func ruleCostLimitsHoldExactly() {
        func rule(_ n: Int, _ term: (Int) -> String) -> String { (0..<n).map(term).joined(separator: " or ") }
        let cases: [(Int, (Int) -> String, String)] = [
            (RuleLimits.maxTerms, { "count(track where event == \"e\($0)\") >= 1" }, "distinct aggregates, the maximum"),
            (RuleLimits.maxWindowedTerms, { "count(purchase within \($0 + 1)d) >= 1" }, "distinct aggregates with a window"),
            (RuleLimits.maxFilterProps, { "count(track where props.p\($0) == 1) >= 1" }, "read more than 16 distinct props"),
            (RuleLimits.maxTests, { "traits.x == \($0)" }, "more than 256 tests"),
        ]
        for (limit, term, message) in cases {
            #expect(throws: Never.self, "\(message) at the limit") { try CompiledRule(compiling: rule(limit, term)) }
            let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule(limit + 1, term)) }
            #expect(error?.message.contains(message) == true, "\(message)")
        }
        // Filter tests count as tests: 256 tests in one filter and one outside is one too many.
        let inFilter = (0..<256).map { "amount == \($0)" }.joined(separator: " or ")
        #expect(throws: RuleError.self) { try CompiledRule(compiling: "count(purchase where \(inFilter)) >= 1 and events > 0") }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "(", count: 65) + "events > 1" + String(repeating: ")", count: 65)
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: deep) }
        #expect(error?.message == "rule nested too deeply (more than 64 levels)")
        let ok = String(repeating: "(", count: 64) + "events > 1" + String(repeating: ")", count: 64)
        #expect(throws: Never.self) { try CompiledRule(compiling: ok) }
    }
}
