import Daicho
import DaichoJSON
import DaichoTestSupport
import Testing
@testable import DaichoProjections

/// `ProfileAggregates.fact` (what segment rules read) agrees with the profile JSON of docs/profile.md, field by
/// field, over generated customers.
@Suite struct ProfileFactsTests {
    func expected(_ json: JSONValue?) -> FactValue {
        switch json {
        case nil, .null?, .array?, .object?: return .absent // nested trait values are absent to rules
        case .int?, .double?: return .number(json!.doubleValue!)
        case .bool(let b)?: return .bool(b)
        case .string?: Issue.record("a string where a number was expected"); return .absent
        }
    }

    func render(_ value: FactValue, _ table: SymbolTable) -> String {
        switch value {
        case .absent: "absent"
        case .number(let n): "\(n)"
        case .bool(let b): "\(b)"
        case .time(let t): RFC3339.string(micros: t, offsetMinutes: 0)
        case .symbol(let s): table.string(s)
        }
    }

    @Test func everyFactEqualsTheProfileJSON() throws {
        let t = TemporaryDirectory()
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 4000, seed: 3)
        let settings = try ProjectionSettings.load(dir)
        let projection = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        let now: Int64 = 1_800_000_000_000_000
        let table = projection.symbols
        var checked = 0, traitsChecked = 0, channelsChecked = 0
        for p in projection.livingProfiles {
            let json = projection.json(of: p, now: now)
            let a = projection.aggregates(of: p)
            /// `inMap`: the last key is a map key, and a missing key reads as 0 (docs/segments.md).
            func check(_ fact: ProfileFact, _ path: [String], inMap: Bool = false) {
                var v: JSONValue? = json
                for key in path { v = v?[key] }
                if inMap, v == nil { v = .int(0) }
                let got = a.fact(fact, now: now, config: settings.profile)
                switch got {
                case .time, .symbol:
                    let want: String = { if case .string(let s)? = v { return s }; return "absent" }()
                    #expect(render(got, table) == want, "\(path) of \(projection.graph.id(of: p))")
                default:
                    #expect(got == expected(v), "\(path) of \(projection.graph.id(of: p))")
                }
                checked += 1
            }
            check(.firstSeen, ["first_seen"]); check(.lastSeen, ["last_seen"]); check(.events, ["events"])
            check(.webPageViews, ["web", "page_views"]); check(.webSessions, ["web", "sessions"])
            check(.webDwellMs, ["web", "dwell_ms"]); check(.webLastPage, ["web", "last_page"])
            check(.commerceOrders, ["commerce", "orders"]); check(.commerceFirstOrderAt, ["commerce", "first_order_at"])
            check(.commerceLastOrderAt, ["commerce", "last_order_at"]); check(.commerceFrequency, ["commerce", "frequency"])
            check(.commerceRecencyDays, ["commerce", "recency_days"]); check(.commerceAgeDays, ["commerce", "age_days"])
            check(.commerceMonetary, ["commerce", "monetary"])
            check(.commerceRevenue(currency: table.intern("JPY")), ["commerce", "revenue", "JPY"], inMap: true)
            check(.supportInquiries, ["support", "inquiries"]); check(.supportOpen, ["support", "open"])
            check(.supportLastInquiryAt, ["support", "last_inquiry_at"])
            for (i, c) in ["complaint", "question", "request", "opinion"].enumerated() {
                check(.supportByCategory(i), ["support", "by_category", c])
            }
            for channel in ["email", "phone", "chat", "form"] { check(.supportByChannel(table.intern(channel)), ["support", "by_channel", channel], inMap: true) }
            check(.socialMentions, ["social", "mentions"]); check(.socialReach, ["social", "reach"])
            check(.socialAvgSentiment, ["social", "avg_sentiment"]); check(.socialLastMentionAt, ["social", "last_mention_at"])
            for platform in ["x", "instagram", "line"] { check(.socialByPlatform(table.intern(platform)), ["social", "by_platform", platform], inMap: true) }
            // Every profile JSON has both fields (docs/profile.md), possibly empty.
            guard case .object(let traits)? = json["traits"], case .array(let channels)? = json["channels"] else {
                Issue.record("profile \(projection.graph.id(of: p)) lacks traits or channels")
                continue
            }
            for m in traits { check(.trait(table.intern(m.key)), ["traits", m.key]) }
            #expect(a.channelCount == channels.count)
            for case .string(let c) in channels { #expect(a.hasChannel(table.intern(c))) }
            traitsChecked += traits.count
            channelsChecked += channels.count
        }
        #expect(checked > 10_000)
        #expect(traitsChecked > 100 && channelsChecked > 100, "traits \(traitsChecked), channels \(channelsChecked)")
    }
}
