import Daicho
import DaichoJSON
import DaichoLog
import DaichoProjections
import DaichoTestSupport
import DaichoWorkload
import Foundation
import Testing
@testable import DaichoSegments

/// Memberships and the feed over a real log (docs/segments.md "Feed"): backfill on define, event-driven and
/// time-driven changes, late events, merges, redefinition and drop, as-of views.
@Suite struct SegmentProjectionTests {
    /// Event times from the next minute on: ahead of the frames' append times (the writer's clock), so the
    /// events' times drive the segment clock.
    let t0 = (wallClockMicros() / 60_000_000 + 2) * 60_000_000
    static let minute: Int64 = 60_000_000
    static let day: Int64 = 86_400_000_000


    func event(_ id: String, _ type: EventType, _ ids: [(IdentifierKind, String)], at: Int64, props: [JSONMember] = []) -> Event {
        Event(id: id, type: type, at: at, source: "web", identifiers: ids.map { Identifier(kind: $0.0, normalized: "", raw: $0.1) },
              props: props.isEmpty ? nil : .object(props))
    }

    /// The whole feed of a replay, as (segment, profile-by-email, change) with the record's offset.
    func feed(_ dir: DataDirectory, now: Int64) throws -> (SegmentProjection, [FeedRecord]) {
        let (segments, _) = try SegmentLoader.load(dir, now: now, trackingAfter: 0)
        return (segments, segments.takeChanges()?.records ?? [])
    }

    func id(_ segments: SegmentProjection, email: String) -> String {
        segments.profiles.profile(kind: .email, raw: email).map { segments.profiles.graph.id(of: $0) } ?? "?"
    }

    @Test func aSegmentDefinedAfterItsDataBackfillsAndThenFollowsEvents() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.append([purchase("a1", "a@example.jp", at: t0), purchase("a2", "a@example.jp", at: t0 + Self.minute),
                              purchase("b1", "b@example.jp", at: t0)])
        let definedAt = try SegmentDefinitions.define(name: "repeat_buyers", rule: "count(purchase within 30d) >= 2", in: store)
        _ = try store.append([purchase("b2", "b@example.jp", at: t0 + 2 * Self.minute)])
        try store.close()

        let (segments, records) = try feed(dir, now: t0 + Self.day)
        let a = id(segments, email: "a@example.jp"), b = id(segments, email: "b@example.jp")
        #expect(records.map { [$0.segment, $0.profile, $0.change.rawValue] } == [["repeat_buyers", a, "entered"], ["repeat_buyers", b, "entered"]])
        #expect(records.map(\.cursor) == [1, 2])
        #expect(records[0].offset == definedAt)
        #expect(records[1].offset == definedAt + 1)
        #expect(segments.definitions.map(\.members) == [2])
        let p = try #require(segments.profiles.profile(kind: .email, raw: "a@example.jp"))
        #expect(segments.memberships(of: p).map(\.segment) == ["repeat_buyers"])
    }

    /// `within` windows expire with the clock alone: the exit is published at the deadline, naming the last
    /// offset applied before it, and a replay publishes the same records.
    @Test func membersLeaveAWindowedSegmentWhenTheirWindowExpires() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "recent_buyers", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        let bought = try #require(try store.append([purchase("a1", "a@example.jp", at: t0 + Self.minute)]).first ?? nil)
        try store.close()

        // Live view: the clock is the wall clock (minus the lag) after the log; a controllable clock here.
        let (segments, _) = try SegmentLoader.load(dir, now: t0 + 2 * Self.minute + SegmentProjection.wallClockLag, trackingAfter: 0)
        #expect(segments.takeChanges()?.records.map(\.change) == [.entered])
        segments.advanceClock(to: t0 + 30 * Self.minute + SegmentProjection.wallClockLag)
        #expect(segments.takeChanges() == nil, "the minute bucket of the purchase is still in the window")
        segments.advanceClock(to: t0 + 40 * Self.minute)
        let exit = try #require(segments.takeChanges()?.records.first)
        #expect(exit.change == .exited)
        #expect(exit.at == t0 + 2 * Self.minute + 30 * Self.minute) // the bucket [t0+1m, t0+2m) leaves at its end + 30m
        #expect(exit.offset == bought)
        #expect(exit.cursor == 2)

        let (_, replayed) = try feed(dir, now: t0 + 40 * Self.minute)
        #expect(replayed.map(\.change) == [.entered, .exited])
        #expect(replayed.last == exit)
    }

    /// An event whose time is already outside every window counts nowhere, but still updates the profile.
    @Test func aLateEventCountsInNoWindowButUpdatesTheProfile() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "buyers_this_week", rule: "count(purchase within 7d) >= 1", in: store)
        try SegmentDefinitions.define(name: "buyers_ever", rule: "commerce.orders >= 1", in: store)
        _ = try store.append([purchase("old", "a@example.jp", at: t0 - 30 * Self.day)])
        try store.close()
        let (segments, records) = try feed(dir, now: t0)
        #expect(records.map(\.segment) == ["buyers_ever"])
        #expect(segments.definitions.map(\.members) == [0, 1])
    }

    /// An event later than the clock advances it: a time-driven exit then comes before the event's own changes.
    @Test func anEventAheadOfTheClockFiresEarlierDeadlinesFirst() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let appendClock = AppendClock(t0)
        let store = try EventStore.open(dir, options: appendClock.options)
        try SegmentDefinitions.define(name: "recent_buyers", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        _ = try store.append([purchase("a1", "a@example.jp", at: t0 + Self.minute)])
        // Appended 3 minutes before its time (within the tolerance), the event itself moves the clock on.
        appendClock.set(t0 + 3 * 60 * Self.minute - 3 * Self.minute)
        let later = try #require(try store.append([purchase("b1", "b@example.jp", at: t0 + 3 * 60 * Self.minute)]).first ?? nil)
        try store.close()
        let (segments, records) = try feed(dir, now: t0 + 3 * 60 * Self.minute)
        let a = id(segments, email: "a@example.jp"), b = id(segments, email: "b@example.jp")
        #expect(records.map { "\($0.profile) \($0.change.rawValue) \($0.offset)" } == [
            "\(a) entered \(later - 1)", "\(a) exited \(later - 1)", "\(b) entered \(later)",
        ])
        #expect(records.last?.at == t0 + 3 * 60 * Self.minute, "the event's own time, 3 minutes past its frame's")
    }

    /// Found in issue 8: one `page_view` dated 2099 moved the clock to 2099, every windowed segment emptied and
    /// the exits were dated in the future. An event already in the log moves the clock at most to its frame's
    /// append time plus `LogClock.eventTimeTolerance`, in a replay, from a snapshot, and in the profiles' clock.
    @Test func anEventDatedIn2099DoesNotMoveTheClockOrEmptyWindowedSegments() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        let wallBefore = wallClockMicros()
        try SegmentDefinitions.define(name: "visitors_week", rule: "count(page_view within 7d) >= 1", in: store)
        try SegmentDefinitions.define(name: "recent_visitors", rule: "last_seen within 1h", in: store)
        _ = try store.append([event("v1", .pageView, [(.email, "a@example.jp")], at: wallBefore,
                                    props: [JSONMember("url", .string("https://example.jp/"))])])
        let year2099 = Int64(RFC3339.daysFromCivil(year: 2099, month: 1, day: 1)) * Self.day
        _ = try store.append([event("v2099", .pageView, [(.email, "x@example.jp")], at: year2099,
                                    props: [JSONMember("url", .string("https://example.jp/future"))])])
        try store.close()
        let bound = wallClockMicros() + LogClock.eventTimeTolerance

        let (replayed, records) = try feed(dir, now: wallClockMicros())
        #expect(replayed.clock <= bound)
        #expect(replayed.profiles.logClock <= bound)
        #expect(!records.contains { $0.change == .exited }, "nobody leaves: the clock did not jump")
        #expect(records.allSatisfy { $0.at <= bound }, "no record is dated in the future")
        #expect(replayed.members(of: "visitors_week")?.count == 2, "the 2099 view counts at its frame's time bound")

        // The same from a snapshot written after the event, and for the profile projection's own clock.
        try SegmentLoader.refreshSnapshot(dir)
        let (restored, _) = try SegmentLoader.load(dir, now: wallClockMicros())
        #expect(restored.restoredFrom != nil)
        #expect(restored.clock <= wallClockMicros() + LogClock.eventTimeTolerance)
        #expect(restored.members(of: "visitors_week")?.count == 2)
        let (profiles, _, _) = try ProjectionLoader.load(dir)
        #expect(profiles.logClock <= wallClockMicros() + LogClock.eventTimeTolerance)
    }

    /// Issue 8: a snapshot whose segment state does not restore was replayed without a word; the view says why.
    @Test func aSegmentStateThatDoesNotRestoreIsReplayedWithANotice() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store)
        _ = try store.append([purchase("a1", "a@example.jp", at: t0)])
        try store.close()
        let settings = try ProjectionSettings.load(dir)
        let (good, _) = try SegmentLoader.load(dir, now: nil)
        #expect(good.notice == nil)
        var state = good.encodeState()
        state[0] ^= 0x01 // the state's version: checksummed with the snapshot, so only the restore can tell
        try ProjectionSnapshot.write(good.profiles, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir, dependents: state)
        let (rebuilt, _) = try SegmentLoader.load(dir, now: nil)
        #expect(rebuilt.restoredFrom == nil)
        #expect(rebuilt.notice == "the snapshot's segment state does not restore (segment state of another version); rebuilt by replay")
        #expect(rebuilt.definitions.map(\.members) == [1])
    }

    /// Found in issue 8: after the 1,143-term rule was dropped, replay still re-applied its definition at 2,313
    /// events/s. Such a definition already in a log (appended before the limits) no longer checks: it stays
    /// empty, keeps no term store and costs replay nothing; `segment list` shows why.
    @Test func aStoredRuleOverTheLimitsCostsReplayNothing() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        let rule = (0..<1143).map { "count(page_view where path == \"/i\($0)\" within 7d) > 0" }.joined(separator: " or ")
        let old = Event(id: "segment_defined:huge", type: .segmentDefined, at: t0, source: "daicho", identifiers: [],
                        props: .object([JSONMember("name", .string("huge")), JSONMember("rule", .string(rule)),
                                         JSONMember("defined_at", .string("2026-01-01T00:00:00Z")), JSONMember("language", .int(1))]))
        _ = try store.appendInternal([old])
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store)
        _ = try store.append([purchase("a1", "a@example.jp", at: t0)])
        try store.close()
        let (segments, _) = try SegmentLoader.load(dir, now: nil)
        #expect(segments.definitions.map(\.name) == ["huge", "buyers"])
        #expect(segments.definitions.map(\.members) == [0, 1])
        #expect(segments.definitions[0].error?.contains("more than 16 distinct aggregates with a window") == true)
        #expect(segments.stores.allSatisfy { $0 == nil }, "no term store for a rule that does not check")
    }

    /// Issue 8: a stored definition without its rule was skipped silently (the segment simply did not exist).
    @Test func aMalformedStoredDefinitionIsAnErrorNamingItsOffset() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.append([purchase("a1", "a@example.jp", at: t0)])
        let bad = Event(id: "segment_defined:x", type: .segmentDefined, at: t0, source: "daicho", identifiers: [],
                        props: .object([JSONMember("name", .string("x"))]))
        let offset = try #require(try store.appendInternal([bad]).first ?? nil)
        try store.close()
        #expect {
            _ = try SegmentLoader.load(dir, now: nil)
        } throws: { error in
            "\(error)".contains("the segment_defined event at offset \(offset) has no rule")
        }
    }

    @Test func aMergedProfileLeavesItsSegmentsAndTheSurvivorIsReevaluated() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.append([event("v", .pageView, [(.anonymousID, "c1")], at: t0, props: [JSONMember("path", .string("/cart"))])])
        _ = try store.append([purchase("p", "a@example.jp", at: t0 + Self.minute)])
        try SegmentDefinitions.define(name: "browsers", rule: "web.page_views >= 1", in: store)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store)
        try SegmentDefinitions.define(name: "browsing_buyers", rule: "web.page_views >= 1 and commerce.orders >= 1", in: store)
        let link = try #require(try store.append([event("l", .link, [(.anonymousID, "c1"), (.email, "a@example.jp")], at: t0 + 2 * Self.minute)]).first ?? nil)
        try store.close()
        let (segments, records) = try feed(dir, now: t0 + Self.day)
        // The anonymous browser is the older profile, so it survives and absorbs the buyer's.
        let survivor = id(segments, email: "a@example.jp")
        let absorbed = try #require(segments.profiles.graph.mergedIDs(of: segments.profiles.graph.profile(id: survivor)!).first)
        #expect(records.filter { $0.offset == link }.map { "\($0.segment) \($0.profile) \($0.change.rawValue)" } == [
            "buyers \(absorbed) exited", "buyers \(survivor) entered", "browsing_buyers \(survivor) entered",
        ])
    }

    @Test func redefiningPublishesOnlyTheDifferencesAndDroppingExitsEveryMember() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.append([purchase("a", "a@example.jp", at: t0, amount: 5000), purchase("b", "b@example.jp", at: t0, amount: 20000),
                              purchase("c", "c@example.jp", at: t0, amount: 60000)])
        try SegmentDefinitions.define(name: "big", rule: "commerce.revenue.JPY >= 10000", in: store, at: t0 + Self.minute)
        let redefined = try SegmentDefinitions.define(name: "big", rule: "sum(purchase.amount) >= 50000", in: store, at: t0 + 2 * Self.minute)
        let dropped = try SegmentDefinitions.drop(name: "big", in: store, at: t0 + 3 * Self.minute)
        try store.close()
        let (segments, records) = try feed(dir, now: t0 + Self.day)
        let b = id(segments, email: "b@example.jp"), c = id(segments, email: "c@example.jp")
        #expect(records.map { "\($0.profile) \($0.change.rawValue) \($0.offset)" } == [
            "\(b) entered 3", "\(c) entered 3", "\(b) exited \(redefined)", "\(c) exited \(dropped)",
        ])
        #expect(segments.definitions.isEmpty)
        #expect(segments.members(of: "big") == nil)
    }

    @Test func anAsOfViewShowsTheSegmentsAndMembersOfThatTime() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store, at: t0)
        _ = try store.append([purchase("a", "a@example.jp", at: t0 + Self.minute), purchase("b", "b@example.jp", at: t0 + 10 * Self.minute)])
        try SegmentDefinitions.define(name: "later", rule: "events >= 1", in: store, at: t0 + 20 * Self.minute)
        try store.close()
        let (then, _) = try SegmentLoader.load(dir, asOf: t0 + 5 * Self.minute)
        #expect(then.definitions.map(\.name) == ["buyers"])
        #expect(then.members(of: "buyers")?.count == 1)
        let (now, _) = try SegmentLoader.load(dir)
        #expect(now.definitions.map(\.name) == ["buyers", "later"])
        #expect(now.members(of: "buyers")?.count == 2)
    }

    @Test func invalidDefinitionsAreRefusedBeforeAnythingIsAppended() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        #expect(throws: RuleError.self) { try SegmentDefinitions.define(name: "x", rule: "commerce.order >= 3", in: store) }
        #expect(throws: StoreError.self) { try SegmentDefinitions.define(name: "VIP", rule: "commerce.orders >= 3", in: store) }
        #expect(throws: StoreError.self) { try SegmentDefinitions.define(name: "9lives", rule: "commerce.orders >= 3", in: store) }
        #expect(store.nextOffset == 0)
        try store.close()
    }
}

/// The benchmark's and demo's fifty segments all check, half of them time-dependent.
@Suite struct WorkloadSegmentsTests {
    @Test func everyWorkloadRuleChecks() throws {
        var timeDependent = 0
        for (name, rule) in WorkloadSegments.rules {
            #expect(SegmentDefinitions.problem(withName: name) == nil)
            if try CompiledRule(compiling: rule).dependencies.isTimeDependent { timeDependent += 1 }
        }
        #expect(WorkloadSegments.rules.count == 50)
        #expect(Set(WorkloadSegments.rules.map(\.name)).count == 50)
        #expect(timeDependent == 25)
    }
}

/// Snapshots carry the segment state: restoring one and catching up gives what a replay from offset 0 gives,
/// feed cursors included; a snapshot without segment state (written by a profile-only writer) is never trusted
/// for segments.
@Suite struct SegmentSnapshotTests {
    /// A generated log: 3,000 events, twelve of the workload's segments, then 3,000 more events.
    static func dataDirectory(_ t: TemporaryDirectory, seed: UInt64) throws -> DataDirectory {
        let dir = DataDirectory(t.path + "/d")
        for (part, partSeed) in [(0, seed), (1, seed + 100)] {
            try appendGenerated(WorkloadConfig(events: 3000, customers: 400, seed: partSeed), to: dir, scratch: t)
            let store = try EventStore.open(dir)
            if part == 0 {
                for (name, rule) in WorkloadSegments.rules.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
                    try SegmentDefinitions.define(name: name, rule: rule, in: store)
                }
            }
            try store.close()
        }
        return dir
    }

    static func state(_ s: SegmentProjection) -> String {
        var out = "\(s.nextOffset) \(s.feedCount) \(s.clock)\n"
        for d in s.definitions {
            out += "\(d.name) \(d.members): " + (s.members(of: d.name) ?? []).map { "\(s.profiles.graph.id(of: $0.profile))@\($0.since)" }.joined(separator: " ") + "\n"
        }
        return out
    }

    @Test(arguments: [UInt64(21), 22])
    func aSnapshotAtARandomCutPlusCatchUpEqualsAReplay(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, seed: seed)
        let settings = try ProjectionSettings.load(dir)
        let end = try EventReader(dir).endOffset
        let (full, _) = try SegmentLoader.load(dir, now: nil, trackingAfter: 0)
        let allRecords = full.takeChanges()?.records ?? []
        #expect(full.definitions.count == 13)
        #expect(allRecords.count > 100)
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<3 {
            let cut = UInt64.random(in: 1..<end, using: &rng)
            let partial = try SegmentLoader.replay(dir, settings: settings, asOf: nil, to: cut, snapshotEvery: Int(cut))
            let cursor = partial.feedCount
            let (restored, _) = try SegmentLoader.load(dir, now: nil, trackingAfter: cursor)
            #expect(restored.restoredFrom == cut)
            #expect(Self.state(restored) == Self.state(full), "cut at \(cut)")
            #expect(restored.takeChanges()?.records ?? [] == Array(allRecords.dropFirst(Int(cursor))), "cut at \(cut)")
        }
        // Rewriting a snapshot restored with nothing to catch up copies term stores it never decoded.
        try SegmentLoader.refreshSnapshot(dir)
        try SegmentLoader.refreshSnapshot(dir)
        let (again, _) = try SegmentLoader.load(dir, now: nil)
        #expect(again.restoredFrom == end)
        #expect(Self.state(again) == Self.state(full))
        #expect(again.encodeState() == full.encodeState(), "term stores byte for byte")
    }

    /// A `LiveProfiles` worker (profiles only) does not replace the snapshot of a log that defines segments.
    @Test func aProfilesOnlyWorkerKeepsTheSegmentAwareSnapshot() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, seed: 24)
        try SegmentLoader.refreshSnapshot(dir)
        let end = try EventReader(dir).endOffset
        let live = try LiveProfiles.open(dir, snapshotEvery: 1)
        try live.close()
        let (segments, _) = try SegmentLoader.load(dir, now: nil)
        #expect(segments.restoredFrom == end)
    }

    @Test func aProfileOnlySnapshotOfALogWithSegmentsIsReplayedForSegments() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, seed: 23)
        let (full, _) = try SegmentLoader.load(dir, now: nil)
        // A writer that knows nothing of segments (an older build, or a profiles-only tool).
        let settings = try ProjectionSettings.load(dir)
        let (profilesOnly, _, _) = try ProjectionLoader.load(dir)
        try ProjectionSnapshot.write(profilesOnly, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        guard case .loaded(let profiles) = ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: try ProjectionSettings.load(dir).hash,
                                                                   rules: IdentityRules(), config: ProfileConfig(), proving: try EventReader(dir)) else {
            Issue.record("the snapshot does not load")
            return
        }
        #expect(profiles.dependentState == nil)
        #expect(profiles.internalEvents == 13)
        let (loaded, _) = try SegmentLoader.load(dir, now: nil)
        #expect(loaded.restoredFrom == nil)
        #expect(Self.state(loaded) == Self.state(full))
    }
}

/// Re-evaluating only the segments an event can affect gives the same feed as re-evaluating every segment on
/// every event (the plain reference), over generated customers and the fifty workload segments.
@Suite struct SegmentDependencyTests {
    @Test(arguments: [UInt64(31), 32])
    func dependencyTrackingMissesNoChange(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        for (name, rule) in WorkloadSegments.rules { try SegmentDefinitions.define(name: name, rule: rule, in: store) }
        try store.close()
        try appendGenerated(WorkloadConfig(events: 5000, customers: 500, seed: seed), to: dir, scratch: t)

        func feed(everything: Bool) throws -> [FeedRecord] {
            let settings = try ProjectionSettings.load(dir)
            let segments = SegmentProjection(profiles: ProfileProjection(rules: settings.rules, config: settings.profile),
                                             history: try EventReader(dir))
            segments.reevaluatesEverything = everything
            segments.trackChanges(true)
            try segments.applyLog(try EventReader(dir))
            return segments.takeChanges()?.records ?? []
        }
        let reference = try feed(everything: true)
        #expect(reference.count > 1000)
        #expect(try feed(everything: false) == reference)
    }
}

/// Generates a workload and appends it to `dir` through the ingest pipeline.
func appendGenerated(_ config: WorkloadConfig, to dir: DataDirectory, scratch t: TemporaryDirectory) throws {
    let file = t.path + "/generated-\(config.seed).ndjson"
    _ = try WorkloadGenerator.write(config, toPath: file)
    let store = try EventStore.open(dir)
    _ = try store.ingest(file: file, chunkBytes: 32 << 10)
    try store.close()
}
