import Daicho
import DaichoJSON
import DaichoLog
import DaichoProjections
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoSegments

/// Issue 8: `in_segment("NAME")`, membership of another segment: checked names, cycles refused, dependencies
/// evaluated before their readers (also for time-driven changes), drops of a read segment refused.
@Suite struct SegmentReferenceTests {
    let t0 = (wallClockMicros() / 60_000_000 + 2) * 60_000_000
    static let minute: Int64 = 60_000_000


    func feed(_ dir: DataDirectory, now: Int64?) throws -> (SegmentProjection, [String]) {
        let (segments, _) = try SegmentLoader.load(dir, now: now, trackingAfter: 0)
        let records = segments.takeChanges()?.records ?? []
        return (segments, records.map { "\($0.segment) \($0.change.rawValue) \($0.offset)" })
    }

    @Test func theLanguageReadsAnotherSegmentsMembership() throws {
        let rule = try CompiledRule(compiling: "in_segment(\"vip\") and not in_segment(\"churned\") or in_segment(\"vip\") and events > 9")
        #expect(rule.dependencies.segments == ["vip", "churned"])
        #expect(rule.evaluate(DictionaryInputs(memberOf: [0])))
        #expect(!rule.evaluate(DictionaryInputs(memberOf: [0, 1])))
        #expect(rule.evaluate(DictionaryInputs(values: ["events": .number(10)], memberOf: [0, 1])))
        #expect(!rule.evaluate(DictionaryInputs(memberOf: [1])))
        for (text, message) in [
            ("in_segment(vip)", "1:12: expected a segment name in quotes (in_segment(\"vip\")), found vip"),
            ("in_segment(\"VIP\")", "1:12: segment name \"VIP\" must start with a lower-case letter a-z"),
            ("in_segment(\"vip\") == true", "1:1: in_segment(…) is a test on its own; it cannot be an operand"),
            ("count(purchase where in_segment(\"vip\")) > 0", "1:22: in_segment cannot be used inside a filter"),
        ] {
            let error = #expect(throws: RuleError.self, "\(text)") { try CompiledRule(compiling: text) }
            #expect(error.map { "\($0.line):\($0.column): \($0.message)" } == message)
        }
    }

    @Test func namesMustBeDefinedAndCyclesAreRefused() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        defer { try? store.close() }
        try SegmentDefinitions.define(name: "a", rule: "events >= 1", in: store)
        try SegmentDefinitions.define(name: "b", rule: "in_segment(\"a\") and commerce.orders >= 1", in: store)
        try SegmentDefinitions.define(name: "c", rule: "in_segment(\"b\")", in: store)
        let cases = [
            ("x", "in_segment(\"nosuch\")", "1:12: no segment named \"nosuch\"; defined: a, b, c"),
            ("x", "in_segment(\"x\")", "1:12: segment x cannot contain itself (in_segment(\"x\"))"),
            ("a", "events >= 1 and in_segment(\"c\")", "1:28: in_segment(\"c\") would make a cycle: a → c → b → a"),
        ]
        for (name, rule, message) in cases {
            let error = #expect(throws: RuleError.self, "\(rule)") { try SegmentDefinitions.define(name: name, rule: rule, in: store) }
            #expect(error.map { "\($0.line):\($0.column): \($0.message)" } == message)
        }
        let drop = #expect(throws: StoreError.self) { try SegmentDefinitions.drop(name: "a", in: store) }
        #expect(drop?.description.contains("segment \"a\" is read by in_segment in b; drop or redefine it first") == true)
        try SegmentDefinitions.drop(name: "c", in: store)
        try SegmentDefinitions.drop(name: "b", in: store)
        try SegmentDefinitions.drop(name: "a", in: store)
    }

    /// A reader follows the segment it reads in the same event, and at the same deadline when the segment it
    /// reads changes with the clock alone; a replay and a restore from a snapshot publish the same feed.
    @Test func readersFollowTheSegmentTheyReadAtOnceAndAtDeadlines() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let appendClock = AppendClock(t0)
        let store = try EventStore.open(dir, options: appendClock.options)
        // Defined first, redefined later to read a segment defined after it: order follows the dependencies.
        try SegmentDefinitions.define(name: "follower", rule: "events >= 100", in: store, at: t0)
        try SegmentDefinitions.define(name: "recent", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "follower", rule: "in_segment(\"recent\") and commerce.orders >= 1", in: store, at: t0)
        let bought = try #require(try store.append([purchase("a1", "a@example.jp", at: t0 + Self.minute)]).first ?? nil)
        try store.close()

        let (live, records) = try feed(dir, now: t0 + 40 * Self.minute)
        #expect(records == ["recent entered \(bought)", "follower entered \(bought)",
                            "recent exited \(bought)", "follower exited \(bought)"])
        #expect(live.members(of: "follower")?.isEmpty == true)

        // The same from a snapshot taken between the entry and the deadline.
        let (before, _) = try feed(dir, now: nil)
        try SegmentLoader.writeSnapshot(before, settings: try ProjectionSettings.load(dir), directory: dir)
        let (restored, _) = try SegmentLoader.load(dir, now: nil)
        #expect(restored.restoredFrom != nil)
        #expect(restored.members(of: "follower")?.count == 1)
        restored.trackChanges(true)
        restored.advanceClock(to: t0 + 40 * Self.minute)
        #expect(restored.takeChanges()?.records.map { "\($0.segment) \($0.change.rawValue)" } == ["recent exited", "follower exited"])
    }

    /// One event changes two segments a third reads: the reader is evaluated once, after both (dependency
    /// order), so the feed has no transient entry and exit of the reader at that event.
    @Test func aReaderOfTwoSegmentsOneEventChangesSeesBothChangesBeforeItIsEvaluated() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let appendClock = AppendClock(t0)
        let store = try EventStore.open(dir, options: appendClock.options)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "recent", rule: "count(purchase within 30d) >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "lapsed", rule: "in_segment(\"buyers\") and not in_segment(\"recent\")", in: store, at: t0)
        let bought = try #require(try store.append([purchase("a1", "a@example.jp", at: t0 + Self.minute)]).first ?? nil)
        try store.close()

        let (segments, records) = try feed(dir, now: t0 + 2 * Self.minute)
        #expect(records == ["buyers entered \(bought)", "recent entered \(bought)"])
        #expect(segments.members(of: "lapsed")?.isEmpty == true)
    }

    /// Two segments a third reads leave at the same deadline: the reader is evaluated once, after both, so it
    /// does not enter and exit at that deadline.
    @Test func aReaderOfTwoSegmentsLeavingAtOneDeadlineDoesNotEnterAndExit() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let appendClock = AppendClock(t0)
        let store = try EventStore.open(dir, options: appendClock.options)
        try SegmentDefinitions.define(name: "a", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "b", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "r", rule: "not in_segment(\"a\") and in_segment(\"b\")", in: store, at: t0)
        let bought = try #require(try store.append([purchase("a1", "a@example.jp", at: t0 + Self.minute)]).first ?? nil)
        try store.close()

        let (_, records) = try feed(dir, now: t0 + 40 * Self.minute)
        #expect(records == ["a entered \(bought)", "b entered \(bought)", "a exited \(bought)", "b exited \(bought)"])
    }
}
