import Daicho
import DaichoJSON
import DaichoLog
import DaichoTestSupport
import Foundation
import Synchronization
import Testing
@testable import DaichoProjections

/// The live side: a worker follows appends frame by frame, queries see whole frames, subscribers hear of every
/// changed profile, and the live view equals a replay of the same log.
@Suite struct ProjectionWorkerTests {
    static let t0: Int64 = 1_767_225_600_000_000 // 2026-01-01T00:00:00Z

    static func event(_ id: String, _ type: EventType = .pageView, at minutes: Int64, _ ids: [(IdentifierKind, String)],
                      props: JSONValue? = nil) -> Event {
        Event(id: id, type: type, at: t0 + minutes * 60_000_000, source: "web",
              identifiers: ids.map { Identifier(kind: $0.0, normalized: "", raw: $0.1) },
              props: props ?? (type == .pageView ? .object([JSONMember("path", .string("/"))]) : nil))
    }

    /// Collects what subscribers receive, from the worker's thread.
    final class Received: Sendable {
        private let batches = Mutex<[ProfileChanges]>([])
        func add(_ c: ProfileChanges) { batches.withLock { $0.append(c) } }
        var all: [ProfileChanges] { batches.withLock { $0 } }
    }

    @Test func aWorkerFollowsAppendsAndSubscribersHearOfEveryChangedProfile() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let store = try EventStore.open(dir)
        _ = try store.append([Self.event("e1", at: 0, [(.anonymousID, "cookie-1")])])
        let live = try LiveProfiles.open(dir, snapshotEvery: 0)
        let received = Received()
        live.subscribe { received.add($0) }
        #expect(live.appliedOffset == 1)
        let anonymous = try #require(live.read { $0.profile(kind: .anonymousID, raw: "cookie-1").map { $0 } })
        let anonymousID = live.read { $0.graph.id(of: anonymous) }

        // Login: the e-mail joins the cookie's profile, which keeps its id.
        _ = try store.append([Self.event("e2", .identify, at: 5, [(.anonymousID, "cookie-1"), (.email, "Taro@Example.jp")],
                                         props: .object([JSONMember("traits", .object([JSONMember("name", .string("太郎"))]))]))])
        _ = try store.append([Self.event("e3", at: 6, [(.email, "hanako@example.jp")]),
                              Self.event("e4", .link, at: 7, [(.email, "hanako@example.jp"), (.phone, "090-1234-5678")], props: nil)])
        #expect(live.wait(until: store.nextOffset))

        let profile = try #require(live.profile(.email, " taro@example.JP "))
        #expect(profile["id"]?.stringValue == anonymousID)
        #expect(profile["events"]?.intValue == 2)
        #expect(live.profile(.phone, "+81 90 1234 5678")?["events"]?.intValue == 2)

        let batches = received.all
        try #require(batches.map(\.offsets) == [1..<2, 2..<4])
        #expect(batches[0].changed == [anonymousID])
        let hanako = try #require(live.read { p in p.profile(kind: .email, raw: "hanako@example.jp").map { p.graph.id(of: $0) } })
        #expect(batches[1].changed == [hanako])
        #expect(batches.allSatisfy { $0.merged.isEmpty })
        try live.close()
        try store.close()
    }

    @Test func aMergeIsPublishedWithTheAbsorbedAndTheSurvivingId() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let store = try EventStore.open(dir)
        _ = try store.append([Self.event("a", at: 0, [(.email, "a@example.jp")]), Self.event("b", at: 1, [(.userID, "u-1")])])
        let live = try LiveProfiles.open(dir, snapshotEvery: 0)
        let received = Received()
        live.subscribe { received.add($0) }
        let (older, younger) = live.read { p in
            (p.graph.id(of: p.profile(kind: .email, raw: "a@example.jp")!), p.graph.id(of: p.profile(kind: .userID, raw: "u-1")!))
        }
        _ = try store.append([Self.event("m", .link, at: 2, [(.userID, "u-1"), (.email, "a@example.jp")], props: nil)])
        #expect(live.wait(until: store.nextOffset))
        let merge = try #require(received.all.last)
        #expect(merge.changed == [older])
        #expect(merge.merged == [ProfileChanges.Merge(absorbed: younger, into: older)])
        #expect(live.profile(id: younger)?["id"]?.stringValue == older)
        try live.close()
        try store.close()
    }

    /// Many small frames appended while a second thread queries: every query sees whole frames (the view's
    /// offset is one of the frame ends) and counts every event in it; at the end the live view equals a
    /// replay of the log, and the snapshot written on close loads to the same view.
    @Test(arguments: [UInt64(5), 6])
    func queriesSeeWholeFramesAndTheLiveViewEqualsAReplay(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let store = try EventStore.open(dir)
        _ = try store.append([Self.event("seed", at: 0, [(.userID, "u0")])])
        let live = try LiveProfiles.open(dir, snapshotEvery: 50)
        var rng = SeededGenerator(seed: seed)
        let frameEnds = Mutex<Set<UInt64>>([1])
        let done = Atomic<Bool>(false)
        let violations = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let queries = Thread {
            while !done.load(ordering: .acquiring) {
                let (next, applied, counted) = live.read { p in
                    (p.nextOffset, p.appliedEvents, p.livingProfiles.reduce(0) { $0 + Int(p.json(of: $1, now: 0)["events"]?.intValue ?? 0) })
                }
                if next != UInt64(applied) || counted != applied || !frameEnds.withLock({ $0.contains(next) }) {
                    violations.add(1, ordering: .relaxed)
                }
                reads.add(1, ordering: .relaxed)
            }
        }
        queries.start()
        var n = 0
        for _ in 0..<60 {
            var batch: [Event] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                n += 1
                let customer = Int.random(in: 0..<25, using: &rng)
                var ids: [(IdentifierKind, String)] = [(.anonymousID, "c\(Int.random(in: 0..<40, using: &rng))")]
                if Bool.random(using: &rng) { ids.append((.email, "user\(customer)@example.jp")) }
                if Int.random(in: 0..<4, using: &rng) == 0 { ids.append((.userID, "u\(customer)")) }
                batch.append(Self.event("e\(n)", at: Int64(n), ids))
            }
            // The frame end is registered before the append so a query can never see an unknown boundary.
            frameEnds.withLock { _ = $0.insert(store.nextOffset + UInt64(batch.count)) }
            _ = try store.append(batch)
            if Bool.random(using: &rng) { usleep(200) }
        }
        #expect(live.wait(until: store.nextOffset))
        done.store(true, ordering: .releasing)
        while reads.load(ordering: .relaxed) == 0 { usleep(100) }
        #expect(violations.load(ordering: .relaxed) == 0)

        let settings = try ProjectionSettings.load(dir)
        let replayed = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        let liveRendering = live.read { ProjectionReplayTests.render($0) }
        #expect(liveRendering == ProjectionReplayTests.render(replayed))
        try live.close()
        try store.close()
        guard case .loaded(let reloaded) = ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: settings.hash,
                                                                  rules: settings.rules, config: settings.profile, proving: try EventReader(dir)) else {
            Issue.record("the snapshot written on close does not load")
            return
        }
        #expect(reloaded.nextOffset == UInt64(n + 1))
        #expect(ProjectionReplayTests.render(reloaded) == liveRendering)
    }

    @Test func aCancelledSubscriptionHearsNothingMore() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let store = try EventStore.open(dir)
        _ = try store.append([Self.event("c0", at: 0, [(.userID, "u")])])
        let live = try LiveProfiles.open(dir, snapshotEvery: 0)
        let kept = Received(), cancelled = Received()
        live.subscribe { kept.add($0) }
        let subscription = live.subscribe { cancelled.add($0) }
        _ = try store.append([Self.event("c1", at: 1, [(.userID, "u")])])
        #expect(live.wait(until: store.nextOffset))
        live.cancel(subscription)
        _ = try store.append([Self.event("c2", at: 2, [(.userID, "u")])])
        #expect(live.wait(until: store.nextOffset))
        #expect(kept.all.map(\.offsets) == [1..<2, 2..<3])
        #expect(cancelled.all.map(\.offsets) == [1..<2])
        try live.close()
        try store.close()
    }

    @Test func theWorkerWritesACheckpointEveryNEventsAndStopsPromptlyWhenIdle() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let store = try EventStore.open(dir)
        _ = try store.append([Self.event("x0", at: 0, [(.userID, "u")])])
        let live = try LiveProfiles.open(dir, snapshotEvery: 10)
        let snapshot = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        #expect(!FileManager.default.fileExists(atPath: snapshot))
        _ = try store.append((1...9).map { Self.event("x\($0)", at: Int64($0), [(.userID, "u")]) })
        #expect(live.wait(until: store.nextOffset))
        #expect(live.appliedOffset == 10)
        #expect(!FileManager.default.fileExists(atPath: snapshot), "9 new events are fewer than 10")
        _ = try store.append([Self.event("x10", at: 10, [(.userID, "u")])])
        #expect(live.wait(until: store.nextOffset))
        #expect(FileManager.default.fileExists(atPath: snapshot))
        let started = ContinuousClock.now
        try live.close()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(live.error == nil)
        try store.close()
    }
}
