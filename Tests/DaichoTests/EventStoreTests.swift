import Foundation
import Testing
@testable import Daicho

/// The library API: open a data directory, append events (getting their offsets), read from an offset or a
/// time, follow the live tail.
@Suite struct EventStoreTests {
    func event(_ id: String, at: Int64, email: String = "Taro@Example.jp") -> Event {
        Event(id: id, type: .track, at: at, utcOffsetMinutes: 540, source: "app",
              identifiers: [Identifier(kind: .email, normalized: "", raw: email)],
              props: .object([JSONMember("event", .string("App Opened"))]))
    }

    @Test func appendReturnsOffsetsAndNilForDuplicates() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        #expect(try store.append([event("a", at: 1_000), event("b", at: 2_000), event("a", at: 3_000)]) == [0, 1, nil])
        #expect(try store.append([event("b", at: 4_000), event("c", at: 5_000)]) == [nil, 2])
        try store.close()
        // Reopening rebuilds the dedup set from the log.
        let again = try EventStore.open(t.data)
        #expect(try again.append([event("c", at: 6_000), event("d", at: 7_000)]) == [nil, 3])
        #expect(again.knownEventIDs == 4)
        try again.close()
        let reader = try EventReader(t.data)
        var seen: [(UInt64, Event)] = []
        try reader.forEach { o, v in seen.append((o, try v.materialize())); return true }
        #expect(seen.map(\.0) == [0, 1, 2, 3])
        #expect(seen.map(\.1.id) == ["a", "b", "c", "d"])
        #expect(seen[0].1.identifiers[0].normalized == "taro@example.jp")
        #expect(seen[0].1.identifiers[0].raw == "Taro@Example.jp")
    }

    /// `materialize(inFrameContaining:selecting:types:)` (what `daicho timeline` reads through) gives exactly the
    /// selected events of the frame, the same as materializing each event of `forEachInFrame`.
    @Test func materializingSelectedEventsOfAFrameMatchesReadingEveryEvent() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        for frame in 0..<3 {
            _ = try store.append((0..<50).map { i in
                var e = event("f\(frame)-\(i)", at: Int64(frame * 100 + i) * 1_000)
                if i % 3 == 0 { e.type = .pageView; e.props = .object([JSONMember("url", .string("https://example.jp/\(i)"))]) }
                return e
            })
        }
        try store.close()
        let reader = try EventReader(t.data)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<20 {
            let inside = UInt64.random(in: 0..<150, using: &rng)
            let chosen = Set((0..<10).map { _ in UInt64.random(in: 0..<150, using: &rng) })
            let types: Set<EventType>? = Bool.random(using: &rng) ? nil : [.pageView] // a third of the events
            var every: [(UInt64, Event)] = []
            try reader.forEachInFrame(containing: inside) { o, view in
                if chosen.contains(o) && (types?.contains(view.type) ?? true) { every.append((o, try view.materialize())) }
            }
            let picked = try reader.materialize(inFrameContaining: inside, selecting: { chosen.contains($0) }, types: types)
            #expect(picked.map(\.0) == every.map(\.0))
            #expect(picked.map(\.1) == every.map(\.1))
            #expect(!picked.isEmpty || every.isEmpty)
        }
        #expect(try reader.materialize(inFrameContaining: 0, selecting: { _ in true }).count == 50)
    }

    /// Segment definitions are internal events: only `appendInternal` writes them, they carry no identifiers,
    /// and they read back like any other event.
    @Test func internalEventsAreWrittenOnlyThroughAppendInternal() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let definition = Event(id: "segment-vip-1", type: .segmentDefined, at: 9_000, identifiers: [],
                               props: .object([JSONMember("name", .string("vip")), JSONMember("rule", .string("commerce.orders >= 3"))]))
        let error = #expect(throws: StoreError.self) { try store.append([definition]) }
        #expect(error?.message.contains("type \"segment_defined\" is internal") == true)
        #expect(throws: StoreError.self) { try store.appendInternal([event("a", at: 1)]) }
        var withIdentifier = definition
        withIdentifier.identifiers = [Identifier(kind: .email, normalized: "", raw: "a@example.jp")]
        #expect(throws: StoreError.self) { try store.appendInternal([withIdentifier]) }
        #expect(try store.appendInternal([definition]) == [0])
        #expect(try store.appendInternal([definition]) == [nil])
        try store.close()
        var seen: [Event] = []
        try EventReader(t.data).forEach { _, v in seen.append(try v.materialize()); return true }
        #expect(seen == [definition])
    }

    @Test func ingestingAFileAppendsItsLinesAndNamesAMissingFile() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let good = #"{"id":"f1","type":"track","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u"},"props":{"event":"App Opened"}}"#
        let file = t.write("in.ndjson", good + "\n" + "not json\n")
        var rejected: [Int] = []
        let summary = try store.ingest(file: file, chunkBytes: 64) { rejected.append($0.line) }
        #expect(summary.appended == 1)
        #expect(rejected == [2])
        let error = #expect(throws: IngestError.self) { try store.ingest(file: t.path + "/missing.ndjson") }
        #expect(error?.description.contains("missing.ndjson") == true)
        try store.close()
    }

    @Test func invalidEventValuesAreRefusedWithTheReason() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let bad = Event(id: "p", type: .purchase, at: 0, identifiers: [Identifier(kind: .userID, normalized: "", raw: "u")],
                        props: .object([JSONMember("order_id", .string("o"))]))
        #expect(throws: StoreError.self) { try store.append([event("ok", at: 0), bad]) }
        #expect(try store.append([event("ok", at: 0)]) == [0])
    }

    @Test func readingFromAnOffsetOrATimeStartsThere() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        for batch in 0..<5 {
            _ = try store.append((0..<10).map { event("e\(batch)-\($0)", at: Int64(batch * 10 + $0) * 1_000_000) })
        }
        try store.close()
        let reader = try EventReader(t.data)
        var ids: [String] = []
        try reader.forEach(from: 23, to: 26) { _, v in ids.append(String(decoding: v.id, as: UTF8.self)); return true }
        #expect(ids == ["e2-3", "e2-4", "e2-5"])
        let start = reader.offset(forTime: 31_000_000)
        #expect(start == 30) // each append is one frame of ten; the frame holding 31 s starts at offset 30
    }

    @Test func followDeliversEventsAppendedByAnotherProcess() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        _ = try store.append([event("first", at: 0)])
        try store.close()
        let reader = try EventReader(t.data)
        // Another process appends while we follow.
        let input = t.write("more.ndjson", (0..<3).map {
            #"{"id":"later-\#($0)","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"event":"E"}}"#
        }.joined(separator: "\n"))
        let daicho = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("daicho").path
        try #require(FileManager.default.isExecutableFile(atPath: daicho), "the daicho binary is built beside the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: daicho)
        p.arguments = ["append", "--data", t.data.path, input]
        p.standardOutput = FileHandle.nullDevice
        var received: [String] = []
        let deadline = Date().addingTimeInterval(30)
        try p.run()
        let resume = try reader.follow(from: 0, poll: .milliseconds(20), shouldStop: { Date() > deadline }) { _, v in
            received.append(String(decoding: v.id, as: UTF8.self))
            return received.count < 4
        }
        p.waitUntilExit()
        #expect(received == ["first", "later-0", "later-1", "later-2"])
        #expect(resume == 4)
    }
}
