import Daicho
import DaichoLog
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// Replay on two threads (docs/architecture.md "Replay on two threads") against the plain single-threaded
/// reference: one thread reading each frame and applying its events one by one with `apply`.
@Suite struct PipelinedReplayTests {
    /// The single-threaded reference: `EventReader.forEach` and `ProfileProjection.apply`, nothing else.
    static func referenceReplay(_ reader: EventReader, settings: ProjectionSettings, asOf: Int64? = nil,
                                from start: UInt64 = 0, to end: UInt64? = nil,
                                into existing: ProfileProjection? = nil) throws -> ProfileProjection {
        let p = existing ?? ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        try reader.forEach(from: start, to: end, onFrame: { p.beginFrame($0, strings: $1) }) { offset, view in
            p.apply(view, offset: offset)
            return true
        }
        return p
    }

    /// The same projection with identity resolved on the reader thread.
    static func pipelinedReplay(_ reader: EventReader, settings: ProjectionSettings, asOf: Int64? = nil,
                                to end: UInt64? = nil, into existing: ProfileProjection? = nil) throws -> ProfileProjection {
        let p = existing ?? ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        try p.applyLogResolvingAhead(reader, to: end)
        return p
    }

    /// A seeded log of `events` events in `t` (ProjectionReplayTests.dataDirectory), its settings and a reader.
    static func seededLog(_ t: TemporaryDirectory, events: Int, seed: UInt64) throws -> (DataDirectory, ProjectionSettings, EventReader) {
        let dir = try ProjectionReplayTests.dataDirectory(t, events: events, seed: seed)
        return (dir, try ProjectionSettings.load(dir), try EventReader(dir))
    }

    static func snapshot(_ p: ProfileProjection, _ dir: DataDirectory, settings: ProjectionSettings, in t: TemporaryDirectory,
                         name: String) throws -> [UInt8] {
        let path = t.path + "/" + name
        try ProjectionSnapshot.write(p, settingsHash: settings.hash, directory: path, log: dir)
        return Array(FileManager.default.contents(atPath: path + "/" + ProjectionSnapshot.fileName) ?? Data())
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func identityResolvedAheadGivesTheReferenceSnapshotAndProfiles(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let (dir, settings, reader) = try Self.seededLog(t, events: 8000, seed: seed)
        let reference = try Self.referenceReplay(reader, settings: settings)
        let pipelined = try Self.pipelinedReplay(reader, settings: settings)
        #expect(reference.graph.merges > 0, "the seeded log must merge profiles")
        #expect(reference.appliedEvents > 7000)
        #expect(pipelined.nextOffset == reader.endOffset)
        let sameProfiles = ProjectionReplayTests.render(pipelined) == ProjectionReplayTests.render(reference)
        #expect(sameProfiles, "profiles differ")
        let a = try Self.snapshot(reference, dir, settings: settings, in: t, name: "reference")
        let b = try Self.snapshot(pipelined, dir, settings: settings, in: t, name: "pipelined")
        #expect(a.count > 1000)
        let sameSnapshot = a == b
        #expect(sameSnapshot, "snapshot bytes differ")
    }

    /// As-of views filter late events on both threads alike.
    @Test func anAsOfViewResolvedAheadEqualsTheReference() throws {
        let t = TemporaryDirectory()
        let (_, settings, reader) = try Self.seededLog(t, events: 6000, seed: 5)
        var times: [Int64] = []
        try reader.forEach { _, view in
            times.append(view.at)
            return true
        }
        times.sort()
        for cut in [times[times.count / 3], times[times.count * 2 / 3]] {
            let reference = try Self.referenceReplay(reader, settings: settings, asOf: cut)
            let pipelined = try Self.pipelinedReplay(reader, settings: settings, asOf: cut)
            #expect(reference.appliedEvents < times.count && reference.appliedEvents > 0)
            #expect(pipelined.appliedEvents == reference.appliedEvents)
            let same = ProjectionReplayTests.render(pipelined, now: cut) == ProjectionReplayTests.render(reference, now: cut)
            #expect(same, "profiles as of \(cut) differ")
        }
    }

    /// Catch-up in pieces at random cut points (cuts fall inside frames) from a snapshot equals the reference.
    @Test func snapshotPlusPipelinedCatchUpEqualsTheReferenceAtRandomCuts() throws {
        let t = TemporaryDirectory()
        let (dir, settings, reader) = try Self.seededLog(t, events: 6000, seed: 21)
        let reference = try Self.referenceReplay(reader, settings: settings)
        let expected = try Self.snapshot(reference, dir, settings: settings, in: t, name: "reference")
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<4 {
            let cut = UInt64.random(in: 1..<reader.endOffset, using: &rng)
            let partial = try Self.pipelinedReplay(reader, settings: settings, to: cut)
            #expect(partial.nextOffset == cut)
            try ProjectionSnapshot.write(partial, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
            guard case .loaded(let loaded) = ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: settings.hash,
                                                                     rules: settings.rules, config: settings.profile,
                                                                     proving: reader) else {
                Issue.record("the snapshot at \(cut) did not load")
                continue
            }
            _ = try Self.pipelinedReplay(reader, settings: settings, into: loaded)
            let same = try Self.snapshot(loaded, dir, settings: settings, in: t, name: "cut-\(cut)") == expected
            #expect(same, "snapshot bytes differ after a cut at \(cut)")
        }
    }

    /// The frames decoded ahead hold the same events, offsets and frame descriptions as `forEach`, also for a
    /// range that starts and ends inside frames.
    @Test func framesDecodedAheadDeliverWhatForEachDelivers() throws {
        let t = TemporaryDirectory()
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 3000, seed: 2)
        let reader = try EventReader(dir)
        let from = reader.endOffset / 3 + 1, to = reader.endOffset * 2 / 3 + 1
        var expected: [String] = []
        var expectedFrames: [FrameContext] = []
        try reader.forEach(from: from, to: to, onFrame: { frame, _ in expectedFrames.append(frame) }) { offset, view in
            expected.append("\(offset) \(try view.materialize())")
            return true
        }
        var got: [String] = []
        var frames: [FrameContext] = []
        try reader.forEachFrameAhead(from: from, to: to) { frame in
            frames.append(frame.context)
            for i in frame.records { got.append("\(frame.offset(of: i)) \(try frame.view(i).materialize())") }
            return true
        }
        #expect(expectedFrames.count > 2)
        #expect(frames == expectedFrames)
        #expect(got.count == Int(to - from))
        let same = got == expected
        #expect(same, "events differ")
    }

    /// Stopping early or throwing from the applying side ends the reader thread (no hang) and throws what was thrown.
    @Test func stoppingOrThrowingEndsTheReaderThread() throws {
        struct Boom: Error {}
        let t = TemporaryDirectory()
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 3000, seed: 3)
        let reader = try EventReader(dir)
        var seen = 0
        try reader.forEachFrameAhead { _ in
            seen += 1
            return seen < 2
        }
        #expect(seen == 2)
        #expect(throws: Boom.self) {
            try reader.forEachFrameAhead { _ in throw Boom() }
        }
        var frames = 0
        try reader.forEachFrameAhead { _ in
            frames += 1
            return true
        }
        #expect(frames > 2, "the reader is usable again after a stop")
    }

    /// A damaged frame in the middle of the log: the pipelined replay applies exactly the frames before it and
    /// throws the error the single-threaded reader throws (the frame's offset named).
    @Test func aDamagedFrameStopsThePipelineWhereTheReferenceStops() throws {
        let t = TemporaryDirectory()
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 6000, seed: 4)
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.logPath).filter { $0.hasSuffix(".seg") }.sorted()
        #expect(segments.count >= 3)
        // Flip a payload byte of the first frame of the second segment file (frames start at byte 0, §2).
        let path = dir.logPath + "/" + segments[1]
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let base = bytes[16..<24].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        bytes[64 + 5] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        let reference = ProfileProjection(rules: settings.rules, config: settings.profile)
        var referenceError: StoreError?
        do { _ = try Self.referenceReplay(reader, settings: settings, into: reference) } catch let e as StoreError { referenceError = e }
        let pipelined = ProfileProjection(rules: settings.rules, config: settings.profile)
        var pipelinedError: StoreError?
        do { _ = try Self.pipelinedReplay(reader, settings: settings, into: pipelined) } catch let e as StoreError { pipelinedError = e }
        #expect(base > 0)
        #expect(referenceError?.kind == .corrupt)
        #expect(pipelinedError?.description == referenceError?.description)
        #expect(reference.nextOffset == base)
        #expect(pipelined.nextOffset == base)
        let same = ProjectionReplayTests.render(pipelined) == ProjectionReplayTests.render(reference)
        #expect(same, "profiles differ")
    }
}
