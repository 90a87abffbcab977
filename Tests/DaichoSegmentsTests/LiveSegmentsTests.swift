import Daicho
import DaichoJSON
import DaichoLog
import DaichoProjections
import DaichoTestSupport
import Foundation
import Synchronization
import Testing
@testable import DaichoSegments

/// The live side: an in-process subscriber hears every membership change as frames become durable and as a
/// (controllable) wall clock passes deadlines, and a replay of the same log publishes the same feed.
@Suite struct LiveSegmentsTests {
    let t0 = (wallClockMicros() / 60_000_000 + 2) * 60_000_000
    static let minute: Int64 = 60_000_000


    final class Collected: Sendable {
        let records = Mutex<[FeedRecord]>([])
        func add(_ c: SegmentChanges) { records.withLock { $0 += c.records } }
        var all: [FeedRecord] { records.withLock { $0 } }
        func wait(for n: Int) -> Bool {
            for _ in 0..<500 where all.count < n { usleep(10_000) }
            return all.count >= n
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func liveAndReplayPublishTheSameFeed(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        // Frames are stamped with the time of their newest event (the appender's clock is not behind the
        // worker's, docs/segments.md "Segment clock"), so event times drive the clock as far as they go.
        let appendClock = AppendClock(t0)
        let store = try EventStore.open(dir, options: appendClock.options)
        try SegmentDefinitions.define(name: "recent_buyers", rule: "count(purchase within 30m) >= 1", in: store, at: t0)
        try SegmentDefinitions.define(name: "regulars", rule: "commerce.orders >= 3", in: store, at: t0)
        let clock = Atomic<Int64>(t0)
        var options = ProjectionWorker<SegmentProjection>.Options()
        options.clock = { clock.load(ordering: .relaxed) }
        options.poll = .milliseconds(5)
        let collected = Collected()
        let live = try LiveSegments.open(dir, after: 0, options: options) { collected.add($0) }

        var rng = SeededGenerator(seed: seed)
        var time = t0
        for frame in 0..<12 {
            var events: [Event] = []
            for i in 0..<Int.random(in: 1...4, using: &rng) {
                time += Int64.random(in: 0...20, using: &rng) * Self.minute
                events.append(purchase("e\(frame)-\(i)", "c\(Int.random(in: 0..<6, using: &rng))@example.jp", at: time))
            }
            appendClock.set(time)
            _ = try store.append(events)
            #expect(live.wait(until: store.nextOffset))
            if Bool.random(using: &rng) {
                // The wall clock moves on between frames (never past the next event times: they are ahead of it).
                clock.store(time, ordering: .relaxed)
                usleep(20_000)
            }
        }
        let end = time + 24 * 60 * Self.minute
        clock.store(end, ordering: .relaxed)
        try store.close()
        // Everyone leaves recent_buyers once the clock is a day past the last purchase.
        let replay = { () throws -> [FeedRecord] in
            let (segments, _) = try SegmentLoader.load(dir, now: end, trackingAfter: 0)
            return segments.takeChanges()?.records ?? []
        }
        let replayed = try replay()
        #expect(collected.wait(for: replayed.count))
        live.close()
        #expect(collected.all == replayed)
        #expect(replayed.contains { $0.change == .exited && $0.segment == "recent_buyers" })
        #expect(live.error == nil)
    }

    /// A segment defined while a worker is live backfills from the events appended since the worker started,
    /// exactly as a replay does.
    @Test func aSegmentDefinedWhileLiveBackfillsLikeAReplay() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.append([purchase("first", "a@example.jp", at: t0)])
        let collected = Collected()
        let live = try LiveSegments.open(dir, after: 0) { collected.add($0) }
        _ = try store.append([purchase("p1", "b@example.jp", at: t0 + Self.minute), purchase("p2", "b@example.jp", at: t0 + 2 * Self.minute)])
        #expect(live.wait(until: store.nextOffset))
        try SegmentDefinitions.define(name: "repeat_30d", rule: "count(purchase within 30d) >= 2", in: store, at: t0 + 3 * Self.minute)
        #expect(live.wait(until: store.nextOffset))
        let (replayed, _) = try SegmentLoader.load(dir, now: nil, trackingAfter: 0)
        let records = replayed.takeChanges()?.records ?? []
        #expect(records.count == 1, "b bought twice within 30 days")
        #expect(collected.wait(for: records.count))
        #expect(collected.all == records)
        live.close()
        try store.close()
    }

    /// A subscriber in this process hears of a change caused by an append as soon as the frame is durable.
    @Test func anInProcessSubscriberHearsOfAnAppendedPurchase() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store)
        let collected = Collected()
        let live = try LiveSegments.open(dir) { collected.add($0) }
        let offset = try #require(try store.append([purchase("p", "a@example.jp", at: t0)]).first ?? nil)
        #expect(collected.wait(for: 1))
        #expect(collected.all.map(\.change) == [.entered])
        #expect(collected.all.first?.offset == offset)
        #expect(collected.all.first?.cursor == 1)
        let members = live.read { $0.members(of: "buyers")?.count }
        #expect(members == 1)
        live.close()
        try store.close()
    }
}
