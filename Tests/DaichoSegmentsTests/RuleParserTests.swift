import Testing
import Daicho
@testable import DaichoSegments

@Suite struct RuleParserTests {
    /// Every rule of issue 4's text.
    static let issueExamples = [
        "commerce.orders >= 3",
        "traits.prefecture == \"東京都\"",
        "support.by_category.complaint > 0",
        "social.avg_sentiment < -0.3",
        "\"web\" in channels",
        "count(purchase within 30d) >= 2",
        "count(page_view where action == \"add_to_cart\" within 1d) >= 1 and count(purchase within 1d) == 0",
        "sum(purchase.amount within 90d) >= 50000",
        "count(inquiry where category == \"complaint\" within 7d) >= 1",
        "count(track where event == \"Coupon Redeemed\" within 30d) >= 1",
        "days_since(commerce.last_order_at) > 60",
        "last_seen within 14d",
    ]

    @Test(arguments: issueExamples)
    func issueExamplesCompile(rule: String) throws {
        let compiled = try CompiledRule(compiling: rule)
        #expect(compiled.rule.text == rule)
    }

    @Test func everyCatalogueFieldCompiles() throws {
        let rules = [
            "id == \"p-0000000000000001\"", "\"p-1\" in merged_ids", "identifiers.email contains \"a@b.jp\"",
            "identity.merges > 0", "identity.conflicts == 0", "traits.\"好きな色\" == \"青\"", "first_seen < last_seen",
            "exists(channels)", "events > 10", "web.page_views > 1", "web.sessions > 1", "web.dwell_ms > 1",
            "web.last_page == \"/\"", "commerce.revenue.JPY >= 10000", "commerce.first_order_at within 30d",
            "commerce.frequency >= 2", "commerce.recency_days < 30", "commerce.age_days > 365", "commerce.monetary > 1",
            "support.inquiries > 0", "support.open > 0", "support.by_channel.email > 0", "exists(support.last_inquiry_at)",
            "social.mentions > 0", "social.reach > 1000", "social.by_platform.x > 0", "exists(social.last_mention_at)",
        ]
        for rule in rules { #expect(throws: Never.self, "\(rule)") { try CompiledRule(compiling: rule) } }
    }

    @Test func lexicalForms() throws {
        let rule = try SegmentRule(parsing: """
            # a comment line
            traits.x == "a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00" or traits.y == -12.5 # trailing
            or count(purchase within 30m) >= 0.5
            """)
        guard case .or(.or(.test(_, _, .string(let s, _)?, _), .test(_, _, .number(let n, _)?, _)),
                       .test(.aggregate(let a, _), _, _, _)) = rule.expression else {
            Issue.record("unexpected tree \(rule.expression)")
            return
        }
        #expect(s == "a\"\\/\u{8}\u{c}\n\r\té😀")
        #expect(n == -12.5)
        #expect(a.window == RuleDuration(amount: 30, unit: .minutes))
        #expect(a.window?.micros == 30 * minute)
    }

    /// Issue 8: durations in weeks and years (7 and 365 days of 24 hours); `2w` is the same term as `14d`.
    @Test func weeksAndYearsAreWholeDays() throws {
        let day: Int64 = 86_400_000_000
        for (rule, micros) in [("last_seen within 2w", 14 * day), ("last_seen within 1y", 365 * day),
                               ("last_seen within 104w", 728 * day), ("last_seen within 2y", 730 * day)] {
            guard case .within(_, let d) = try CompiledRule(compiling: rule).root else {
                Issue.record("\(rule) is not a within test")
                continue
            }
            #expect(d == micros, "\(rule)")
        }
        let weeks = try CompiledRule(compiling: "count(purchase within 2w) >= 1")
        let days = try CompiledRule(compiling: "count(purchase within 14d) >= 1")
        #expect(weeks.terms == days.terms)
    }

    @Test func orBindsLoosestThenAndThenNot() throws {
        let r = try SegmentRule(parsing: "not events > 1 and events > 2 or events > 3")
        guard case .or(.and(.not(.test), .test), .test) = r.expression else {
            Issue.record("wrong precedence: \(r.expression)")
            return
        }
        let p = try SegmentRule(parsing: "not (events > 1 or events > 2)")
        guard case .not(.or) = p.expression else { Issue.record("parentheses ignored: \(p.expression)"); return }
    }

    @Test func keywordsAreNamesAfterADot() throws {
        let rule = try CompiledRule(compiling: "traits.count == 1 and traits.in == \"x\" and traits.within == true")
        #expect(rule.fields.map(\.description) == ["traits.count", "traits.in", "traits.within"])
    }

    @Test func dependenciesListSectionsTypesTermsAndTime() throws {
        let r = try CompiledRule(compiling: """
            commerce.orders >= 3 and traits.plan == "gold" and traits.plan != "x"
            and count(page_view where action == "add_to_cart" within 1d) >= 1 and count(purchase within 90d) == 0
            and sum(purchase.amount within 90d) > 1 and avg(purchase.amount within 90d) > 1
            """)
        #expect(r.dependencies.sections == [.commerce, .traits])
        #expect(r.dependencies.eventTypes == [.pageView, .purchase])
        #expect(r.dependencies.isTimeDependent)
        #expect(r.dependencies.longestWindow == 90 * day)
        #expect(r.fields.count == 2) // traits.plan once
        #expect(r.terms.count == 3) // sum and avg share (purchase, amount, 90d)
        #expect(r.terms[0].window == day && r.terms[0].props.map(\.description) == ["props.action"])
        #expect(r.terms[2].valueProp?.key == "amount")

        let plain = try CompiledRule(compiling: "count(purchase) > 1 and web.page_views > 1")
        #expect(!plain.dependencies.isTimeDependent)
        #expect(plain.dependencies.longestWindow == nil)
        #expect(plain.dependencies.sections == .web)
        #expect(try CompiledRule(compiling: "commerce.age_days > 1").dependencies.isTimeDependent)
        #expect(try CompiledRule(compiling: "last_seen within 1d").dependencies.isTimeDependent)
    }

    @Test func equalTermsOfDifferentRulesAreEqual() throws {
        let a = try CompiledRule(compiling: "count(page_view where action == \"view\" within 7d) > 1")
        let b = try CompiledRule(compiling: "events > 0 or count( page_view where action==\"view\" within 7d ) == 0")
        #expect(a.terms == b.terms)
        #expect(Set(a.terms + b.terms).count == 1)
    }

    @Test func sectionsChangedByEventTypes() {
        #expect(ProfileSections.changed(by: .purchase) == [.summary, .commerce])
        #expect(ProfileSections.changed(by: .identify) == [.summary, .traits])
        #expect(ProfileSections.changed(by: .track) == .summary)
    }
}
