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

    /// A log where the one-customer view cannot answer for customer `C` (docs/profile.md "One customer as of a
    /// time", the tracked-paths exception): `C`'s path table is full, and the paths `C` views after the checkpoint
    /// are symbols the view meets after `C`'s own while the whole view met one of them first (customer `Z` viewed
    /// it before the checkpoint). Returns the directory, the time of its last event and the 64 paths of `C`.
    static func fullPathTableLog(_ t: TemporaryDirectory) throws -> (DataDirectory, asOf: Int64, own: [String]) {
        let dir = DataDirectory(t.path + "/data")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        try Data(#"{"checkpoint_every": 1}"#.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        let own = (1...ProfileConfig().trackedPaths).map { "/p" + String(format: "%02d", $0) }
        var n = 0
        func view(_ user: String, _ path: String) -> String {
            n += 1
            let at = "2026-05-01T10:" + String(format: "%02d:%02d", n / 60, n % 60) + "Z"
            return #"{"id":"pv-\#(n)","type":"page_view","at":"\#(at)","ids":{"user_id":"\#(user)"},"props":{"path":"\#(path)"}}"#
        }
        func append(_ lines: [String]) throws {
            let store = try EventStore.open(dir)
            _ = try store.appendLines(lines.map { Array($0.utf8)[...] }, arrivalMicros: wallClockMicros())
            try store.close()
        }
        // Before the checkpoint: Z is the first to view "/a-early"; C views 64 paths once each, a full table.
        try append([view("Z", "/a-early")] + own.map { view("C", $0) })
        try ProjectionLoader.refreshSnapshot(dir)
        // After it: C views "/a-early" (it replaces "/p01": least counted, lowest symbol), the other 63 again (every
        // tracked path now counts 2), then "/z-new", which replaces the tracked path with the lowest symbol.
        try append([view("C", "/a-early")] + own.dropFirst().map { view("C", $0) } + [view("C", "/z-new")])
        return (dir, try #require(try CheckpointAsOfTests.eventTimes(dir).max()), own)
    }

    /// `web.top_paths` of a profile JSON, each as "PATH COUNT".
    static func topPaths(_ value: JSONValue) throws -> [String] {
        var out: [UInt8] = []
        EventJSONWriter.appendValue(value, to: &out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        let top = try #require((json["web"] as? [String: Any])?["top_paths"] as? [[String: Any]])
        return top.map { "\($0["path"] as? String ?? "?") \($0["count"] as? Int ?? -1)" }
    }

    @Test func aFullPathTableWithSymbolsNewSinceTheCheckpointIsLeftToTheWholeAsOfView() throws {
        let t = TemporaryDirectory()
        let (dir, asOf, own) = try Self.fullPathTableLog(t)
        #expect(Checkpoints.list(in: dir.snapshotsPath).map(\.offset) == [UInt64(own.count + 1)])
        // The whole view met "/a-early" before C's paths, so its symbol is the lowest of the count-2 paths and
        // "/z-new" evicts it; C's view from the checkpoint would meet it after them and evict "/p02" instead.
        let (whole, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
        let p = try #require(whole.profile(kind: .userID, raw: "C"))
        #expect(try Self.topPaths(whole.json(of: p, now: asOf)) == ["/z-new 3"] + own[1..<10].map { $0 + " 2" })
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        for key in [CustomerKey.identifier(.userID, "C"), .id(whole.graph.id(of: p))] {
            switch try CheckpointCustomer.view(dir, settings: settings, asOf: asOf, key: key, reader: reader) {
            case .unavailable(let why): #expect(why.contains("most viewed paths"), "\(why)")
            case .answered(let view, let q):
                Issue.record("\(key) answered from the checkpoint: \(q.map { (try? Self.topPaths(view.json(of: $0, now: asOf))) ?? [] } ?? [])")
            }
        }
        // Z's table is not full: Z is answered from the checkpoint, as the whole view answers.
        guard case .answered(let view, let z?) = try CheckpointCustomer.view(dir, settings: settings, asOf: asOf,
                                                                             key: .identifier(.userID, "Z"), reader: reader) else {
            Issue.record("Z was not answered from the checkpoint")
            return
        }
        let wholeZ = try #require(whole.profile(kind: .userID, raw: "Z"))
        #expect(Self.answer(view, z, asOf: asOf) == Self.answer(whole, wholeZ, asOf: asOf))
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
