import Daicho
import DaichoLog
import DaichoProjections
import DaichoTestSupport
import DaichoWorkload
import Testing
@testable import DaichoSegments

/// Re-evaluating only what changed (field change masks, fed terms, identity, merges, `in_segment` readers; one
/// props scan per event; deadlines kept when earlier) agrees byte for byte with the reference mode
/// (`reevaluatesEverything`: every segment on every event, each term reading the event on its own) — feed
/// records, memberships and the encoded state — over random rule sets, merges, late events, definitions made
/// midway, a redefinition and a drop (docs/segments.md "Re-evaluation").
@Suite struct ReevaluationReferenceTests {
    /// Rules beyond the workload's: segments of segments, identity fields, nested traits, order items, extremes,
    /// time-dependent fields. Each names only segments defined before it (`base` comes first).
    static let extra: [(name: String, rule: String)] = [
        ("vip_not_tokyo", #"in_segment("vip") and not in_segment("tokyo")"#),
        ("active_buyers", #"in_segment("buyers_30d") and in_segment("active_14d")"#),
        ("lapsed_vip", #"in_segment("vip_not_tokyo") and not in_segment("active_buyers")"#),
        ("email_merged", "exists(identifiers.email) and identity.merges >= 1"),
        ("conflicted_web", #"identity.conflicts >= 1 or "web" in channels"#),
        ("nested_tokyo", #"traits.address.prefecture == "東京都""#),
        ("multi_item", "count(purchase where any item where qty >= 2 within 30d) >= 1"),
        ("cheap_min", "min(purchase.amount within 30d) < 3000"),
        ("big_max", "max(purchase.amount) >= 20000"),
        ("old_buyer", "commerce.age_days >= 60 and commerce.recency_days < 30"),
        ("new_web", "first_seen within 7d and web.sessions >= 2"),
        ("last_page_cart", #"web.last_page contains "cart" or web.dwell_ms > 100000"#),
        ("pos_revenue", #"channels contains "pos" and commerce.revenue.JPY / commerce.orders > 3000"#),
        ("mentions_week", "count(social_mention where reach > 100 within 7d) >= 1 and social.avg_sentiment > 0"),
    ]
    static let base = ["vip", "tokyo", "buyers_30d", "active_14d"]

    @Test(arguments: [UInt64(51), 52, 53])
    func onlyWhatChangedAgreesWithReevaluatingEverything(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let workload = Dictionary(uniqueKeysWithValues: WorkloadSegments.rules.map { ($0.name, $0.rule) })
        let drawn = WorkloadSegments.rules.filter { !Self.base.contains($0.name) && Bool.random(using: &rng) }
        let first = Self.base.map { ($0, workload[$0]!) } + drawn.prefix(drawn.count / 2)
        // The three segments of segments always (each reads the ones before it), three in four of the others.
        let later = Array(drawn.dropFirst(drawn.count / 2)) + Self.extra.prefix(3)
            + Self.extra.dropFirst(3).filter { _ in Int.random(in: 0..<4, using: &rng) != 0 }
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        for (name, rule) in first { try SegmentDefinitions.define(name: name, rule: rule, in: store) }
        try store.close()
        // A year of events ending now, so the last weeks' events fall inside the windows and `within` tests at the
        // segment clock (the frames' append times), and deadlines fire while the log is applied.
        let now = wallClockMicros()
        let config = { (part: UInt64) in
            WorkloadConfig(events: 2500, customers: 300, seed: seed * 10 + part, lateRate: 0.1,
                           start: WorkloadConfig.start(endingAt: now))
        }
        try appendGenerated(config(0), to: dir, scratch: t)
        // Definitions midway backfill their terms from the log; a redefinition and a drop come later still.
        let midway = try EventStore.open(dir)
        for (name, rule) in later { try SegmentDefinitions.define(name: name, rule: rule, in: midway) }
        try midway.close()
        try appendGenerated(config(1), to: dir, scratch: t)
        let end = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "tokyo", rule: #"traits.prefecture in ["東京都", "神奈川県"]"#, in: end)
        if let dropped = drawn.last { try SegmentDefinitions.drop(name: dropped.name, in: end) }
        try end.close()
        try appendGenerated(config(2), to: dir, scratch: t)

        func replay(everything: Bool) throws -> (records: [FeedRecord], state: [UInt8], members: String) {
            let settings = try ProjectionSettings.load(dir)
            let segments = SegmentProjection(profiles: ProfileProjection(rules: settings.rules, config: settings.profile),
                                             history: try EventReader(dir))
            segments.reevaluatesEverything = everything
            segments.trackChanges(true)
            try segments.applyLog(try EventReader(dir))
            // Then a year of the clock alone: every pending deadline fires.
            segments.settleClock(at: segments.clock + 365 * 86_400_000_000)
            let members = segments.definitions.map { d in
                d.name + ": " + (segments.members(of: d.name) ?? []).map { "\($0.profile)@\($0.since)" }.joined(separator: " ")
            }.joined(separator: "\n")
            return (segments.takeChanges()?.records ?? [], segments.encodeState(), members)
        }
        let reference = try replay(everything: true)
        let fast = try replay(everything: false)
        #expect(reference.records.count > 500)
        #expect(reference.records.contains { $0.change == .exited })
        // Recent events fall inside the windows: windowed and `within` segments get members.
        #expect(Set(reference.records.map(\.segment)).isSuperset(of: ["active_14d", "buyers_30d"]))
        #expect(fast.records == reference.records)
        #expect(fast.members == reference.members)
        #expect(fast.state == reference.state, "encoded state byte for byte")
    }
}
