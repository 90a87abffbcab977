import Daicho
import DaichoLog
import DaichoWorkload
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// Replay determinism, snapshots and catch-up over a generated workload.
@Suite struct ProjectionReplayTests {
    /// A data directory holding `events` generated touchpoints.
    static func dataDirectory(_ t: TemporaryDirectory, events: Int = 6000, seed: UInt64 = 11) throws -> DataDirectory {
        let dir = DataDirectory(t.path + "/data")
        let file = t.path + "/in.ndjson"
        _ = try WorkloadGenerator.write(WorkloadConfig(events: events, customers: events / 8, seed: seed), toPath: file)
        let store = try EventStore.open(dir, options: LogOptions(segmentMaxBytes: 64 << 10, durability: .end))
        _ = try store.ingest(file: file, chunkBytes: 32 << 10)
        try store.close()
        return dir
    }

    /// Every living profile as one canonical JSON text, in birth order.
    static func render(_ p: ProfileProjection, now: Int64 = 1_800_000_000_000_000) -> String {
        var out: [UInt8] = []
        for id in p.livingProfiles {
            EventJSONWriter.appendValue(p.json(of: id, now: now), to: &out)
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func snapshotBytes(_ dir: DataDirectory) -> [UInt8] {
        Array(FileManager.default.contents(atPath: dir.snapshotsPath + "/" + ProjectionSnapshot.fileName) ?? Data())
    }

    @Test func replayingTwiceGivesIdenticalProfilesAndSnapshots() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t)
        let settings = try ProjectionSettings.load(dir)
        let first = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        try ProjectionSnapshot.write(first, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let firstSnapshot = Self.snapshotBytes(dir)
        let second = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        try ProjectionSnapshot.write(second, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        #expect(Self.render(first) == Self.render(second))
        #expect(firstSnapshot == Self.snapshotBytes(dir))
        #expect(first.profileCount > 100)
        #expect(first.graph.merges > 0)
    }

    /// A snapshot taken at a random offset, loaded and caught up, equals a full replay.
    @Test func snapshotPlusCatchUpEqualsAFullReplayAtRandomCutPoints() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t)
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        let full = Self.render(try ProjectionLoader.replay(reader, settings: settings, asOf: nil))
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<5 {
            let cut = UInt64.random(in: 1..<reader.endOffset, using: &rng)
            let partial = try ProjectionLoader.replay(reader, settings: settings, asOf: nil, to: cut)
            #expect(partial.nextOffset == cut)
            try ProjectionSnapshot.write(partial, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
            let (loaded, _, notice) = try ProjectionLoader.load(dir)
            #expect(notice == nil)
            #expect(loaded.nextOffset == reader.endOffset)
            #expect(Self.render(loaded) == full, "cut at \(cut)")
        }
    }

    /// A snapshot loaded in place, caught up and written again is byte-identical to a full replay's: columns that
    /// start inside the mapped file and then grow on the heap keep every value.
    @Test func aCaughtUpSnapshotIsByteIdenticalToAFullReplaysSnapshot() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 4000)
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        let full = try ProjectionLoader.replay(reader, settings: settings, asOf: nil)
        try ProjectionSnapshot.write(full, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let expected = Self.snapshotBytes(dir)
        let partial = try ProjectionLoader.replay(reader, settings: settings, asOf: nil, to: reader.endOffset * 2 / 3)
        try ProjectionSnapshot.write(partial, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let (loaded, _, notice) = try ProjectionLoader.load(dir)
        #expect(notice == nil)
        try ProjectionSnapshot.write(loaded, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        #expect(Self.snapshotBytes(dir) == expected)
    }

    /// A timeline query on a loaded snapshot resolves identifiers and event lists from the index section alone;
    /// the aggregates section is decoded only when a profile's aggregates are asked for.
    @Test func aTimelineQueryDoesNotDecodeTheAggregates() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 3000)
        let settings = try ProjectionSettings.load(dir)
        let full = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        try ProjectionSnapshot.write(full, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let (loaded, reader, _) = try ProjectionLoader.load(dir)
        let p = try #require(full.livingProfiles.first)
        #expect(loaded.graph.id(of: p) == full.graph.id(of: p))
        #expect(loaded.graph.profile(id: full.graph.id(of: p)) == p)
        #expect(Set(loaded.eventOffsets(of: p)) == Set(full.eventOffsets(of: p)))
        #expect(try Timeline.events(of: p, in: loaded, reader: reader).count == full.eventOffsets(of: p).count)
        #expect(loaded.pending != nil && loaded.lazy == nil)
        _ = loaded.json(of: p, now: 0)
        #expect(loaded.pending == nil && loaded.lazy != nil)
        #expect(Self.render(loaded) == Self.render(full))
    }

    /// A timeline read on two threads (a profile with many events) holds every event of the profile once,
    /// newest first, and equals the events read one by one.
    @Test func aLongTimelineReadInParallelHasEveryEventNewestFirst() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 6000)
        let reader = try EventReader(dir)
        let projection = try ProjectionLoader.replay(reader, settings: ProjectionSettings.load(dir), asOf: nil)
        let p = try #require(projection.livingProfiles.max { projection.eventOffsets(of: $0).count < projection.eventOffsets(of: $1).count })
        let offsets = projection.eventOffsets(of: p)
        #expect(offsets.count >= Timeline.parallelFrom * 2)
        let events = try Timeline.events(of: p, in: projection, reader: reader)
        #expect(events.map(\.0).sorted() == offsets.sorted())
        #expect(zip(events, events.dropFirst()).allSatisfy { ($0.1.at, $0.0) > ($1.1.at, $1.0) })
        var one: [UInt64: Event] = [:]
        for o in offsets { try reader.forEachInFrame(containing: o) { at, view in if at == o { one[o] = try view.materialize() } } }
        #expect(events.allSatisfy { one[$0.0] == $0.1 })
        #expect(try Timeline.events(of: p, in: projection, reader: reader, limit: 3).map(\.0) == events.prefix(3).map(\.0))
    }

    /// A page of a timeline (a limit, the last event of the previous page, types) read newest frame first and
    /// stopping early is exactly that page of the whole timeline, on a log where a third of the events arrive late
    /// (so frames overlap in time), for the customers with the longest histories and seeded random pages.
    @Test func aTimelinePageReadFromTheNewestFramesIsThatPageOfTheWholeTimeline() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let file = t.path + "/in.ndjson"
        var config = WorkloadConfig(events: 6000, customers: 300, seed: 23)
        config.lateRate = 0.3
        _ = try WorkloadGenerator.write(config, toPath: file)
        let store = try EventStore.open(dir, options: LogOptions(segmentMaxBytes: 64 << 10, durability: .end))
        _ = try store.ingest(file: file, chunkBytes: 16 << 10)
        try store.close()
        let reader = try EventReader(dir)
        let projection = try ProjectionLoader.replay(reader, settings: ProjectionSettings.load(dir), asOf: nil)
        let longest = projection.livingProfiles.sorted { projection.eventOffsets(of: $0).count > projection.eventOffsets(of: $1).count }.prefix(5)
        var rng = SeededGenerator(seed: 5)
        let typeChoices: [Set<EventType>?] = [nil, [.pageView], [.purchase, .inquiry]]
        for p in longest {
            let offsets = projection.eventOffsets(of: p).sorted()
            #expect(offsets.count > 40)
            let whole = try Timeline.events(at: offsets, reader: reader)
            for _ in 0..<12 {
                let types = typeChoices.randomElement(using: &rng)!
                let limit = Int.random(in: 1...25, using: &rng)
                let typed = whole.filter { types?.contains($0.1.type) ?? true }
                let cursor = Bool.random(using: &rng) && !typed.isEmpty ? typed.randomElement(using: &rng) : nil
                let before = cursor.map { (at: $0.1.at, offset: $0.0) }
                let expected = typed.filter { e in before.map { (e.1.at, e.0) < $0 } ?? true }.prefix(limit)
                let page = try Timeline.events(at: offsets, reader: reader, limit: limit, types: types, before: before)
                #expect(page.map(\.0) == expected.map(\.0), "limit \(limit), types \(String(describing: types)), before \(String(describing: before))")
                #expect(zip(page, expected).allSatisfy { $0.1 == $1.1 })
            }
        }
    }

    /// The memory report covers every component, and identity plus aggregates stay within 1 KiB per profile.
    @Test func theMemoryReportStaysWithinTheBudget() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 8000)
        let p = try ProjectionLoader.replay(EventReader(dir), settings: ProjectionSettings.load(dir), asOf: nil)
        let report = p.memoryReport()
        #expect(report.map(\.component) == ["identity nodes", "identity node table", "identity profiles", "symbol table",
                                             "aggregates", "timeline index"])
        #expect(report.allSatisfy { $0.bytes > 0 })
        let perProfile = report.filter { $0.component != "timeline index" }.reduce(0) { $0 + $1.bytes } / p.profileCount
        #expect(perProfile <= 1024)
        #expect(report.last!.bytes / p.appliedEvents <= 16)
    }

    @Test func aCorruptSnapshotIsDetectedAndTheViewsRebuilt() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 3000)
        let settings = try ProjectionSettings.load(dir)
        let full = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        try ProjectionSnapshot.write(full, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let path = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        let bytes = Self.snapshotBytes(dir)
        var rng = SeededGenerator(seed: 9)
        for damage in ["flip", "truncate", "header"] {
            var bad = bytes
            switch damage {
            case "flip": bad[Int.random(in: 48..<bad.count, using: &rng)] ^= 0x5A
            case "truncate": bad.removeLast(bad.count / 3)
            default: bad[20] ^= 1 // the recorded log offset
            }
            try Data(bad).write(to: URL(fileURLWithPath: path))
            let (rebuilt, _, notice) = try ProjectionLoader.load(dir)
            #expect(notice != nil, "\(damage): a damaged snapshot must be reported")
            #expect(Self.render(rebuilt) == Self.render(full), "\(damage): rebuilt views must equal a replay")
        }
        // Other settings: the (intact) snapshot is ignored, not trusted.
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Data(#"{"session_gap_minutes": 10}"#.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        let (_, _, notice) = try ProjectionLoader.load(dir)
        #expect(notice?.contains("settings") == true)
    }

    @Test func asOfShowsTheViewAsItWas() throws {
        let t = TemporaryDirectory()
        let dir = try Self.dataDirectory(t, events: 3000)
        let reader = try EventReader(dir)
        var times: [Int64] = []
        try reader.forEach { _, v in times.append(v.at); return true }
        let cut = times.sorted()[times.count / 2]
        let (asOf, _, _) = try ProjectionLoader.load(dir, asOf: cut)
        let expected = times.filter { $0 <= cut }.count
        #expect(asOf.appliedEvents == expected)
        var total = 0
        for p in asOf.livingProfiles {
            if case .object(let m) = asOf.json(of: p, now: cut), let e = m.first(where: { $0.key == "events" }), case .int(let n) = e.value { total += Int(n) }
        }
        #expect(total == expected)
    }
}
