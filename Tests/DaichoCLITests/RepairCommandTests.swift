import Foundation
import Testing

/// `daicho repair`: quarantine damaged frames verbatim, keep every intact frame, never reuse an offset
/// (docs/log-format.md §13).
@Suite struct RepairCommandTests {
    /// Four appends of 30 events (offsets 0..<120, one frame each); returns the data dir and each frame's start byte.
    private func fourFrames(_ t: TemporaryDirectory) throws -> (data: String, starts: [Int], segment: String) {
        let data = t.path + "/d"
        var starts: [Int] = []
        let segment = data + "/log/00000000000000000000.seg"
        for p in 0..<4 {
            starts.append((try? FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int) ?? 0)
            let text = (0..<30).map { eventLine("p\(p)-\($0)") }.joined(separator: "\n") + "\n"
            #expect(try daicho(["append", "--data", data, t.write("p\(p).ndjson", text)]).status == 0)
        }
        return (data, starts, segment)
    }

    /// `fourFrames` with a bit flipped in the last frame's payload (offsets 90..<120, acknowledged).
    private func fourFramesWithTheLastDamaged(_ t: TemporaryDirectory) throws -> (data: String, starts: [Int], segment: String) {
        let log = try fourFrames(t)
        var damaged = bytes(log.segment)
        damaged[damaged.count - 3] ^= 0x80
        #expect(FileManager.default.createFile(atPath: log.segment, contents: Data(damaged)))
        return log
    }

    private func bytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

    /// After a repair: verify accepts the log, the next append gets offset 120 (nothing reused), and the
    /// exported events are exactly the intact ones plus the new one.
    private func expectRepairedLog(_ t: TemporaryDirectory, _ data: String, lostParts: Set<Int>) throws {
        let verify = try daicho(["verify", "--data", data])
        #expect(verify.status == 0, "\(verify.stdout)")
        let append = try daicho(["append", "--data", data, t.write("new.ndjson", eventLine("new") + "\n")])
        #expect(append.status == 0, "\(append.stderr)")
        #expect(append.json["first_offset"] as? Int == 120)
        let want = (0..<4).filter { !lostParts.contains($0) }.flatMap { p in (0..<30).map { "p\(p)-\($0)" } } + ["new"]
        #expect(try exportedIDs(data: data) == want)
    }

    @Test func repairQuarantinesDamagedMiddleFrameVerbatimAndKeepsItsOffsetsUsed() throws {
        let t = TemporaryDirectory()
        let log = try fourFrames(t)
        let original = bytes(log.segment)
        var damaged = original
        damaged[log.starts[2] + 100] ^= 0x04
        #expect(FileManager.default.createFile(atPath: log.segment, contents: Data(damaged)))
        #expect(try daicho(["append", "--data", log.data], stdin: Data()).status == 2)

        let r = try daicho(["repair", "--data", log.data])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["repaired"] as? Bool == true)
        #expect(r.json["frames_lost"] as? Int == 1)
        #expect(r.json["events_lost"] as? Int == 30)
        #expect(r.json["lost_offsets"] as? [[Int]] == [[60, 90]])
        let region = (r.json["quarantined"] as? [[String: Any]])?.first
        #expect(region?["byte"] as? Int == log.starts[2])
        let file = region?["file"] as? String ?? ""
        #expect(bytes(file) == Array(damaged[log.starts[2]..<log.starts[3]]), "the damaged frame's bytes, verbatim")
        #expect(FileManager.default.fileExists(atPath: file.replacingOccurrences(of: ".frames", with: ".json")))
        try expectRepairedLog(t, log.data, lostParts: [2])
        #expect(try daicho(["repair", "--data", log.data]).json["message"] as? String == "nothing to repair")
    }

    @Test func repairOfDamagedLastAcknowledgedFrameKeepsItsOffsetsUsed() throws {
        let t = TemporaryDirectory()
        let log = try fourFramesWithTheLastDamaged(t)
        let r = try daicho(["repair", "--data", log.data])
        #expect(r.json["lost_offsets"] as? [[Int]] == [[90, 120]], "\(r.stdout)")
        try expectRepairedLog(t, log.data, lostParts: [3])
    }

    @Test func inputEventWithAnOffsetsLostIDIsRejectedNotTakenForADuplicate() throws {
        let t = TemporaryDirectory()
        let log = try fourFramesWithTheLastDamaged(t)
        #expect(try daicho(["repair", "--data", log.data]).status == 0)
        // offsets_lost:95 is now the id of a repair record; an input event of that id must not vanish as a duplicate.
        let r = try daicho(["append", "--data", log.data, t.write("x.ndjson", eventLine("offsets_lost:95") + "\n" + eventLine("offsets_lost:7") + "\n")])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.json["duplicates"] as? Int == 0 && r.json["rejected"] as? Int == 2, "\(r.stdout)")
        #expect(r.stderr.contains("reserved"), "\(r.stderr)")
    }

    @Test func repairOfSegmentCutInTheMiddleKeepsThePublishedOffsetsUsed() throws {
        let t = TemporaryDirectory()
        let log = try fourFrames(t)
        let cut = log.starts[1] + 40
        #expect(FileManager.default.createFile(atPath: log.segment, contents: Data(bytes(log.segment)[0..<cut])))
        let r = try daicho(["repair", "--data", log.data])
        #expect(r.status == 0)
        #expect(r.json["lost_offsets"] as? [[Int]] == [[30, 120]], "\(r.stdout)")
        #expect(r.json["events_lost"] as? Int == 90)
        try expectRepairedLog(t, log.data, lostParts: [1, 2, 3])
    }

    @Test func profilesAndSegmentsAfterRepairHoldExactlyTheIntactEvents() throws {
        let t = TemporaryDirectory()
        let log = try fourFrames(t)
        #expect(try daicho(["segment", "define", "tracked", "count(track) >= 1", "--data", log.data]).status == 0)
        var damaged = bytes(log.segment)
        damaged[log.starts[1] + 70] ^= 0x40
        #expect(FileManager.default.createFile(atPath: log.segment, contents: Data(damaged)))
        let r = try daicho(["repair", "--data", log.data])
        #expect(r.json["lost_offsets"] as? [[Int]] == [[30, 60]])
        #expect(r.json["snapshot_removed"] as? Bool == true)
        let members = try daicho(["segment", "members", "tracked", "--data", log.data])
        #expect(members.status == 0, "\(members.stderr)")
        #expect(members.stdout.split(separator: "\n").count == 90)
        #expect(try daicho(["stats", "--data", log.data]).json["profiles"] as? Int == 90)
        #expect(try daicho(["profile", "--data", log.data, "--user-id", "u-p1-3"]).status == 3)
        #expect(try daicho(["profile", "--data", log.data, "--user-id", "u-p2-3"]).status == 0)
    }

    @Test func repairOnAFullDiskLeavesTheLogAsItWasAndNoPartialFile() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        // One frame (under append's 2 MiB chunk) of events that do not compress, larger than the file size limit below.
        let text = incompressibleEventLines(8_000, seed: 11).joined(separator: "\n") + "\n"
        #expect(try daicho(["append", "--data", data, "--no-snapshot", t.write("g.ndjson", text)]).status == 0)
        let segment = data + "/log/00000000000000000000.seg"
        var damaged = bytes(segment)
        #expect(damaged.count > 300_000, "\(damaged.count) bytes")
        #expect(text.utf8.count < 2 << 20, "one chunk, so one frame")
        damaged[1_000] ^= 0x01
        #expect(FileManager.default.createFile(atPath: segment, contents: Data(damaged)))
        // Quarantining the damaged frame fails with EFBIG, as on a full disk.
        let run = try daichoOnAFullDisk(["repair", "--data", data])
        #expect(run.status == 2, "\(run.stderr)")
        let unchanged = bytes(segment) == damaged
        #expect(unchanged, "the log is unchanged")
        let quarantined = (try? FileManager.default.contentsOfDirectory(atPath: data + "/quarantine")) ?? []
        #expect(quarantined.isEmpty, "partial quarantine files left: \(quarantined)")
        let log = (try? FileManager.default.contentsOfDirectory(atPath: data + "/log")) ?? []
        #expect(!log.contains { $0.hasSuffix(".repair") }, "\(log)")
        // With room again, the repair completes under the first name.
        let again = try daicho(["repair", "--data", data])
        #expect(again.status == 0, "\(again.stderr)")
        let quarantinedVerbatim = bytes(data + "/quarantine/00000000000000000000.seg-0.frames") == damaged
        #expect(quarantinedVerbatim, "the damaged frame (the whole segment) is quarantined under the first name")
        #expect(try daicho(["verify", "--data", data]).status == 0)
    }

    /// A checkpoint after the lost frame still proves its own frame, so it must go with the snapshot: an as-of
    /// query after the repair holds exactly the intact events.
    @Test func repairRemovesTheAsOfCheckpointsHoldingLostEvents() throws {
        let t = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: t.path + "/d", withIntermediateDirectories: true)
        t.write("d/daicho.json", #"{"checkpoint_every": 30}"#)
        let log = try fourFrames(t)
        let checkpoints = log.data + "/snapshots/checkpoints"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []).filter { $0.hasSuffix(".snap") }.count == 4)
        #expect(try daicho(["profile", "--data", log.data, "--user-id", "u-p1-3", "--as-of", "2030-01-01"]).status == 0)
        var damaged = bytes(log.segment)
        damaged[log.starts[1] + 70] ^= 0x40
        #expect(FileManager.default.createFile(atPath: log.segment, contents: Data(damaged)))
        #expect(try daicho(["repair", "--data", log.data]).json["lost_offsets"] as? [[Int]] == [[30, 60]])
        #expect(!FileManager.default.fileExists(atPath: checkpoints))
        #expect(try daicho(["profile", "--data", log.data, "--user-id", "u-p1-3", "--as-of", "2030-01-01"]).status == 3)
        #expect(try daicho(["profile", "--data", log.data, "--user-id", "u-p3-3", "--as-of", "2030-01-01"]).status == 0)
    }

    @Test func repairOfCleanLogChangesNothing() throws {
        let t = TemporaryDirectory()
        let log = try fourFrames(t)
        let before = bytes(log.segment)
        let r = try daicho(["repair", "--data", log.data])
        #expect(r.status == 0)
        #expect(r.json["repaired"] as? Bool == false)
        #expect(r.json["message"] as? String == "nothing to repair")
        #expect(bytes(log.segment) == before)
        #expect(!FileManager.default.fileExists(atPath: log.data + "/quarantine"))
    }
}
