import Daicho
import DaichoLog
import DaichoWorkload
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// `--as-of` from checkpoints (docs/profile.md "Checkpoints"): the view restored from a checkpoint and caught up
/// with the event-time filter equals the as-of view replayed from offset 0.
@Suite struct CheckpointAsOfTests {
    /// A data directory filled by `parts` appends of one generated workload (late events included), each followed
    /// by the snapshot refresh `daicho append` does, under `daicho.json` = `settings` (and `identity.json` =
    /// `identity` when given). With `crossLinks`, every 40th event is followed by a `link` of its identifiers with
    /// those of the event 7 lines on (mostly another customer's): merges, and conflicts under tight limits.
    static func appendedInParts(_ t: TemporaryDirectory, name: String = "data", parts: Int = 12, seed: UInt64 = 5,
                                settings: String = #"{"checkpoint_every": 400, "checkpoints_kept": 5}"#,
                                identity: String? = nil, crossLinks: Bool = false) throws -> DataDirectory {
        let dir = DataDirectory(t.path + "/" + name)
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        try Data(settings.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        if let identity { try Data(identity.utf8).write(to: URL(fileURLWithPath: dir.identityConfigPath)) }
        let file = t.path + "/\(name)-all.ndjson"
        _ = try WorkloadGenerator.write(WorkloadConfig(events: 6000, customers: 700, seed: seed, lateRate: 0.08), toPath: file)
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        if crossLinks { lines = Self.withCrossLinks(lines) }
        let per = (lines.count + parts - 1) / parts
        for part in 0..<parts {
            let chunk = lines[min(lines.count, part * per)..<min(lines.count, (part + 1) * per)]
            let path = t.write("\(name)-part\(part).ndjson", chunk.joined(separator: "\n") + "\n")
            let store = try EventStore.open(dir, options: LogOptions(segmentMaxBytes: 64 << 10, durability: .end))
            _ = try store.ingest(file: path, chunkBytes: 16 << 10)
            try store.close()
            try ProjectionLoader.refreshSnapshot(dir)
        }
        return dir
    }

    /// `lines` with a `link` event after every 40th, joining its identifiers with those of the line 7 further on.
    static func withCrossLinks(_ lines: [Substring]) -> [Substring] {
        func object(_ line: Substring) -> [String: Any]? {
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        var out: [Substring] = []
        for (i, line) in lines.enumerated() {
            out.append(line)
            guard i % 40 == 0, i + 7 < lines.count, let a = object(line), let b = object(lines[i + 7]),
                  let idsA = a["ids"] as? [String: Any], let idsB = b["ids"] as? [String: Any], let at = a["at"] as? String
            else { continue }
            let ids = idsA.merging(idsB) { first, _ in first }
            let link: [String: Any] = ["id": "link-\(i)", "type": "link", "at": at, "ids": ids]
            guard let data = try? JSONSerialization.data(withJSONObject: link, options: [.sortedKeys]) else { continue }
            out.append(Substring(String(decoding: data, as: UTF8.self)))
        }
        return out
    }

    /// Every event's time, in offset order.
    static func eventTimes(_ dir: DataDirectory) throws -> [Int64] {
        var times: [Int64] = []
        try EventReader(dir).forEach { _, e in
            times.append(e.at)
            return true
        }
        return times
    }

    /// The as-of view built from offset 0 with the event-time filter, ignoring every snapshot and checkpoint.
    static func replayedFromZero(_ dir: DataDirectory, asOf: Int64) throws -> ProfileProjection {
        let settings = try ProjectionSettings.load(dir)
        let projection = ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        try projection.catchUp(EventReader(dir))
        return projection
    }

    @Test func asOfThroughACheckpointEqualsAFullReplayAtRandomTimes() throws {
        let t = TemporaryDirectory()
        let dir = try Self.appendedInParts(t)
        let times = try Self.eventTimes(dir)
        var newest = Int64.min, late = 0
        for at in times {
            if at < newest { late += 1 }
            newest = max(newest, at)
        }
        #expect(late > 100, "the log holds late events")
        let checkpoints = Checkpoints.list(in: dir.snapshotsPath)
        #expect(checkpoints.count >= 3 && checkpoints.count <= 5, "\(checkpoints.map(\.offset))")

        var rng = SeededGenerator(seed: 9)
        let low = times.min()!, high = times.max()!
        var instants = (0..<30).map { _ in Int64.random(in: low...high, using: &rng) }
        instants += [low - 1, low, high, high + 1] + times.shuffled(using: &rng).prefix(6) // at event times exactly too
        var restored = Set<UInt64>(), skipped = 0
        for asOf in instants {
            let (viaCheckpoint, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
            let reference = try Self.replayedFromZero(dir, asOf: asOf)
            if let from = viaCheckpoint.checkpointOffset { restored.insert(from) }
            skipped += viaCheckpoint.eventsSkipped
            #expect(ProjectionReplayTests.render(viaCheckpoint, now: asOf) == ProjectionReplayTests.render(reference, now: asOf),
                    "as of \(asOf), from checkpoint \(String(describing: viaCheckpoint.checkpointOffset))")
            #expect(viaCheckpoint.snapshotSections() == reference.snapshotSections(), "projection state as of \(asOf)")
            #expect(viaCheckpoint.logClock == reference.logClock)
        }
        #expect(restored.count >= 2, "several checkpoints served (\(restored.sorted()))")
        #expect(skipped > 1000, "frames holding only later events were passed over unread")
    }

    /// `frame-times` lists every frame of the log, in order, with its oldest event time.
    @Test func frameTimesListTheOldestEventOfEveryFrame() throws {
        let t = TemporaryDirectory()
        let dir = try Self.appendedInParts(t)
        let reader = try EventReader(dir)
        var ends: [UInt64] = [], oldest: [Int64] = []
        try reader.forEach(onFrame: { frame, _ in
            ends.append(frame.baseOffset + UInt64(frame.recordCount))
            oldest.append(.max)
        }) { _, e in
            oldest[oldest.count - 1] = min(oldest[oldest.count - 1], e.at)
            return true
        }
        let listed = try #require(FrameTimesFile.read(dir.snapshotsPath + "/" + Checkpoints.directoryName,
                                                      proving: { try reader.frameChecksum(containing: $0) }))
        #expect(ends.count > 20)
        #expect(listed.ends == ends)
        #expect(listed.oldest == oldest)
    }

    /// Only a checkpoint whose events are all at or before T serves T: the newest one whose frames' newest event
    /// time is at most T.
    @Test func theChosenCheckpointIsTheNewestWhoseEventsAreAllAtOrBeforeTheTime() throws {
        let t = TemporaryDirectory()
        let dir = try Self.appendedInParts(t)
        let times = try Self.eventTimes(dir)
        let offsets = Checkpoints.list(in: dir.snapshotsPath).map(\.offset)
        for (i, o) in offsets.enumerated() {
            let newest = times[0..<Int(o)].max()!
            #expect(try ProjectionLoader.load(dir, asOf: newest).0.checkpointOffset == o)
            let before = try ProjectionLoader.load(dir, asOf: newest - 1).0.checkpointOffset
            #expect((before ?? 0) < o, "one microsecond earlier, the checkpoint at \(o) (\(i)) cannot serve")
        }
    }

    /// A snapshot written inside a frame lists only the frames applied whole: the part of a frame after the
    /// cut may hold its oldest event (a late one), which must not be skipped for a time before the rest.
    @Test func aSnapshotInsideAFrameListsOnlyWholeFrames() throws {
        let t = TemporaryDirectory()
        let dir = try Self.appendedInParts(t, settings: #"{"checkpoint_every": 0}"#)
        try Data(#"{"checkpoint_every": 100}"#.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        #expect(!FileManager.default.fileExists(atPath: dir.snapshotsPath + "/" + Checkpoints.directoryName))
        let reader = try EventReader(dir)
        // A frame whose oldest event is not its first: cut just before that event.
        var frames: [[(offset: UInt64, at: Int64)]] = []
        try reader.forEach(onFrame: { _, _ in frames.append([]) }) { offset, e in
            frames[frames.count - 1].append((offset, e.at))
            return true
        }
        let frame = try #require(frames.dropFirst().first { f in f.firstIndex { $0.at == f.map(\.at).min()! }! > 0 })
        let late = frame.min { $0.at < $1.at }!
        let settings = try ProjectionSettings.load(dir)
        let partial = try ProjectionLoader.replay(reader, settings: settings, asOf: nil, to: late.offset)
        try ProjectionSnapshot.write(partial, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let listed = FrameTimesFile.read(dir.snapshotsPath + "/" + Checkpoints.directoryName,
                                         proving: { try reader.frameChecksum(containing: $0) })
        #expect(listed?.ends.last == frame[0].offset, "listed up to the frame that was cut")
        let view = try ProjectionLoader.load(dir, asOf: late.at).0
        #expect(ProjectionReplayTests.render(view, now: late.at)
                == ProjectionReplayTests.render(try Self.replayedFromZero(dir, asOf: late.at), now: late.at))
        #expect(view.snapshotSections() == (try Self.replayedFromZero(dir, asOf: late.at)).snapshotSections())
    }

    @Test func aCheckpointOfAnotherLogIsNotUsed() throws {
        let t = TemporaryDirectory()
        let original = try Self.appendedInParts(t, name: "a")
        // The same events appended the same way again (same frames and offsets, other append times): a log that
        // was replaced. The first log's checkpoints are eligible by offset and event time, not by their proof.
        let replaced = try Self.appendedInParts(t, name: "b", settings: #"{"checkpoint_every": 0}"#)
        try Data(#"{"checkpoint_every": 400, "checkpoints_kept": 5}"#.utf8).write(to: URL(fileURLWithPath: replaced.settingsPath))
        #expect(Checkpoints.list(in: replaced.snapshotsPath).isEmpty)
        try FileManager.default.copyItem(atPath: original.snapshotsPath + "/" + Checkpoints.directoryName,
                                         toPath: replaced.snapshotsPath + "/" + Checkpoints.directoryName)
        let reader = try EventReader(replaced)
        let newest = try Self.eventTimes(replaced).max()!
        let eligible = Checkpoints.list(in: replaced.snapshotsPath).filter { reader.maxEventTime(before: $0.offset) != nil }
        #expect(!eligible.isEmpty, "the copied checkpoints end where the replaced log's frames end")
        let (view, _, _) = try ProjectionLoader.load(replaced, asOf: newest)
        #expect(view.checkpointOffset == nil)
        let early = try Self.eventTimes(replaced).min()!
        #expect(try ProjectionLoader.load(replaced, asOf: early).0.eventsSkipped == 0, "nor its frame-times")
        #expect(ProjectionReplayTests.render(view, now: newest)
                == ProjectionReplayTests.render(try Self.replayedFromZero(replaced, asOf: newest), now: newest))
        // The next snapshot written there drops them (it may keep itself as a checkpoint of this log).
        let hash = try ProjectionSettings.load(replaced).hash
        func holds(_ c: (offset: UInt64, path: String)) throws -> Bool {
            Checkpoints.holds(c.path, offset: c.offset, settingsHash: hash, reader: try LogReader(directory: replaced.logPath))
        }
        #expect(try eligible.allSatisfy { try !holds($0) })
        try ProjectionLoader.refreshSnapshot(replaced)
        #expect(try Checkpoints.list(in: replaced.snapshotsPath).allSatisfy { try holds($0) })
        #expect(Checkpoints.list(in: replaced.snapshotsPath).count <= 1)
    }

    @Test func aCheckpointBuiltUnderOtherSettingsIsNotUsed() throws {
        let t = TemporaryDirectory()
        let dir = try Self.appendedInParts(t)
        #expect(!Checkpoints.list(in: dir.snapshotsPath).isEmpty)
        try Data(#"{"checkpoint_every": 400, "checkpoints_kept": 5, "session_gap_minutes": 5}"#.utf8)
            .write(to: URL(fileURLWithPath: dir.settingsPath))
        let newest = try Self.eventTimes(dir).max()!
        let (view, _, _) = try ProjectionLoader.load(dir, asOf: newest)
        #expect(view.checkpointOffset == nil)
        #expect(ProjectionReplayTests.render(view, now: newest)
                == ProjectionReplayTests.render(try Self.replayedFromZero(dir, asOf: newest), now: newest))
    }

    @Test func pruningKeepsTheBoundAndTheSeriesSpread() throws {
        let t = TemporaryDirectory()
        let kept = 4, every = 150
        let dir = try Self.appendedInParts(t, parts: 30, settings: #"{"checkpoint_every": \#(every), "checkpoints_kept": \#(kept)}"#)
        let end = try EventReader(dir).endOffset
        let offsets = Checkpoints.list(in: dir.snapshotsPath).map(\.offset)
        #expect(offsets.count >= 2 && offsets.count <= kept, "\(offsets)")
        // Spread: no gap (from offset 0, between checkpoints, to the end) is more than three times the even
        // spacing, and the newest is near the end.
        let gaps = zip([0] + offsets, offsets + [end]).map { $1 - $0 }
        #expect(gaps.max()! <= 3 * max(UInt64(every), end / UInt64(kept)), "gaps \(gaps) over \(end) events")
        #expect(Checkpoints.list(in: dir.snapshotsPath).allSatisfy { (try? EventReader(dir).maxEventTime(before: $0.offset)) != nil })
    }

    @Test func thinningRemovesTheCheckpointLeavingTheSmallestGapNeverTheNewest() {
        let t = TemporaryDirectory()
        var offsets: [UInt64] = [100, 200, 250, 400, 800]
        for o in offsets {
            #expect(FileManager.default.createFile(atPath: t.path + "/" + Checkpoints.name(offset: o), contents: Data([1])))
        }
        Checkpoints.thin(&offsets, to: 3, in: t.path)
        // Removing 200 leaves the gap 100…250 (150), the smallest; then removing 100 leaves 0…250 (250), less than
        // 250 going (100…400, 300).
        #expect(offsets == [250, 400, 800])
        let left = (try? FileManager.default.contentsOfDirectory(atPath: t.path))?.sorted() ?? []
        #expect(left == offsets.map { Checkpoints.name(offset: $0) })
    }

    @Test func checkpointSettingsAreChecked() throws {
        let t = TemporaryDirectory()
        for (text, reason) in [(#"{"checkpoint_every": -1}"#, "checkpoint_every must be"),
                               (#"{"checkpoints_kept": 0}"#, "checkpoints_kept must be"),
                               (#"{"checkpoints_kept": "8"}"#, "checkpoints_kept must be")] {
            let dir = DataDirectory(t.path + "/d")
            try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
            do {
                _ = try ProjectionSettings.load(dir)
                Issue.record("\(text) was accepted")
            } catch {
                #expect("\(error)".contains(reason) && "\(error)".contains("daicho.json"), "\(error)")
            }
        }
        let dir = DataDirectory(t.path + "/ok")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        try Data(#"{"checkpoint_every": 0, "checkpoints_kept": 3}"#.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        let settings = try ProjectionSettings.load(dir)
        #expect(settings.profile.checkpointEvery == 0 && settings.profile.checkpointsKept == 3)
    }
}

/// `daicho replay`'s snapshot spacing (`Checkpoints.replayStep`): every snapshot it writes is far enough from the one
/// before to become a checkpoint, none is more than `snapshotEvery` after the last, and a log takes about
/// `checkpoints_kept` writes, not one per growth of the log by a seventh.
@Suite struct ReplayStepTests {
    @Test(arguments: [(UInt64(1_000), 100, 8), (989_685, 100_000, 8), (9_895_001, 100_000, 8), (50_000, 400, 5), (3_000_000, 1, 3)])
    func eachSnapshotBecomesACheckpointAndTheyAreFew(last: UInt64, every: Int, kept: Int) {
        var config = ProfileConfig()
        config.checkpointEvery = every
        config.checkpointsKept = kept
        let snapshotEvery = 1_000_000
        let step = Checkpoints.replayStep(to: last, snapshotEvery: snapshotEvery, config: config)
        var previous: UInt64 = 0, writes = 0
        while previous < last {
            let n = min(last, previous + step)
            #expect(n - previous <= UInt64(snapshotEvery))
            // Capped by `snapshotEvery` (a log of more than `kept` million events), a snapshot may be a resume point only.
            #expect(n - previous >= max(UInt64(every), n / UInt64(kept)) || n == last || step == UInt64(snapshotEvery),
                    "snapshot at \(n) after \(previous)")
            previous = n
            writes += 1
        }
        #expect(writes <= max(kept, Int((last + UInt64(snapshotEvery) - 1) / UInt64(snapshotEvery))) + 1, "\(writes) writes")
    }
}
