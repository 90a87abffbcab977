import Daicho
import DaichoJSON
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// One customer as of a time (docs/profile.md "One customer as of a time"): the view built from a checkpoint's
/// records and the events that reach the customer equals, for that customer, the whole as-of view.
@Suite struct CheckpointCustomerTests {
    /// The customer's profile JSON and event offsets in a view, or nil when no profile matches.
    static func answer(_ projection: ProfileProjection, _ p: UInt32?, asOf: Int64) -> String? {
        guard let p else { return nil }
        var out: [UInt8] = []
        EventJSONWriter.appendValue(projection.json(of: p, now: asOf), to: &out)
        return String(decoding: out, as: UTF8.self) + " events " + projection.eventOffsets(of: p).sorted().map(String.init).joined(separator: ",")
    }

    /// A sample of `count` of the present view's identifiers and profile ids, and as many again of profiles that
    /// refused a merge (conflicts) or absorbed others.
    static func keys(_ dir: DataDirectory, count: Int, rng: inout SeededGenerator) throws -> [CustomerKey] {
        let (present, _, _) = try ProjectionLoader.load(dir)
        var keys: [CustomerKey] = [], eventful: [CustomerKey] = []
        for p in present.livingProfiles {
            var mine: [CustomerKey] = [.id(present.graph.id(of: p))]
            mine += present.graph.mergedIDs(of: p).map { .id($0) }
            for id in present.graph.identifiers(of: p) { mine.append(.identifier(IdentifierKind.all[Int(id.kind)], id.value)) }
            keys += mine
            if present.graph.conflicts(of: p).count > 0 || present.graph.mergedCount(of: p) > 0 { eventful += mine }
        }
        return Array(keys.shuffled(using: &rng).prefix(count)) + Array(eventful.shuffled(using: &rng).prefix(count))
    }

    /// Compares the one-customer view with the whole as-of view for `keys` at random times; returns how many
    /// the one-customer view answered and how many it left to the whole view.
    static func compare(_ dir: DataDirectory, instants: Int, keys: Int, seed: UInt64) throws -> (answered: Int, unavailable: Int, found: Int) {
        var rng = SeededGenerator(seed: seed)
        let times = try CheckpointAsOfTests.eventTimes(dir)
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        var answered = 0, unavailable = 0, found = 0
        for _ in 0..<instants {
            let asOf = Int64.random(in: times.min()!...times.max()!, using: &rng)
            let (whole, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
            for key in try Self.keys(dir, count: keys, rng: &rng) {
                let expected: String?
                switch key {
                case .id(let id): expected = answer(whole, whole.graph.profile(id: id), asOf: asOf)
                case .identifier(let kind, let raw): expected = answer(whole, whole.profile(kind: kind, raw: raw), asOf: asOf)
                }
                switch try CheckpointCustomer.view(dir, settings: settings, asOf: asOf, key: key, reader: reader) {
                case .answered(let view, let p):
                    answered += 1
                    if p != nil { found += 1 }
                    #expect(answer(view, p, asOf: asOf) == expected, "\(key) as of \(asOf)")
                case .unavailable:
                    unavailable += 1
                }
                // The scan dealt to two threads in small pieces, its two tables joined by the closure.
                if case .answered(let view, let p) = try CheckpointCustomer.view(dir, settings: settings, asOf: asOf, key: key, reader: reader,
                                                                                parallelFrom: 0, piece: 150) {
                    #expect(answer(view, p, asOf: asOf) == expected, "\(key) as of \(asOf), two threads")
                }
            }
        }
        return (answered, unavailable, found)
    }

    @Test func oneCustomerFromACheckpointEqualsTheWholeAsOfView() throws {
        let t = TemporaryDirectory()
        let dir = try CheckpointAsOfTests.appendedInParts(t)
        let (answered, unavailable, found) = try Self.compare(dir, instants: 12, keys: 40, seed: 3)
        #expect(answered >= 350 && unavailable == 0, "answered \(answered), unavailable \(unavailable)")
        #expect(found > 100 && found < answered, "some keys exist as of the time, some not yet (\(found) of \(answered))")
    }

    @Test func identityLimitsAndConflictsAreDecidedAsTheWholeViewDecidesThem() throws {
        let t = TemporaryDirectory()
        let dir = try CheckpointAsOfTests.appendedInParts(t, seed: 11,
                                                          identity: #"{"limits": {"email": 1, "phone": 2}}"#, crossLinks: true)
        let (present, _, _) = try ProjectionLoader.load(dir)
        #expect(present.graph.conflicts >= 10 && present.graph.merges >= 100,
                "the limits refuse merges (\(present.graph.conflicts)), the links make them (\(present.graph.merges))")
        let (answered, _, _) = try Self.compare(dir, instants: 8, keys: 40, seed: 4)
        #expect(answered >= 400, "answered \(answered)")
    }

    @Test func aTimeBeforeEveryCheckpointIsAnsweredFromTheStartOfTheLog() throws {
        let t = TemporaryDirectory()
        let dir = try CheckpointAsOfTests.appendedInParts(t)
        let first = try #require(Checkpoints.list(in: dir.snapshotsPath).first)
        let reader = try EventReader(dir)
        let asOf = try #require(reader.maxEventTime(before: first.offset)) - 1
        let (whole, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
        #expect(whole.checkpointOffset == nil, "no checkpoint serves the time")
        var found = 0
        for p in whole.livingProfiles.prefix(60) {
            let id = whole.graph.id(of: p)
            guard case .answered(let view, let q) = try CheckpointCustomer.view(dir, settings: try ProjectionSettings.load(dir), asOf: asOf,
                                                                              key: .id(id), reader: reader) else {
                Issue.record("\(id) was not answered")
                continue
            }
            #expect(Self.answer(view, q, asOf: asOf) == Self.answer(whole, p, asOf: asOf), "\(id)")
            found += 1
        }
        #expect(found >= 30)
    }
}
