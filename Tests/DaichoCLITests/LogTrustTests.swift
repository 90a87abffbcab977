import Foundation
import Testing

/// No acknowledged event is dropped and no answer comes from a log that is not what it claims
/// (docs/log-format.md §6 and §8, docs/profile.md "Snapshots").
@Suite struct LogTrustTests {
    private func lines(_ ids: [String]) -> String { ids.map { eventLine($0) }.joined(separator: "\n") + "\n" }

    private func segment(_ data: String) -> String { data + "/log/00000000000000000000.seg" }

    private func bytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

    /// A pid that is not running: that of a child that has already exited.
    private func finishedProcessID() throws -> Int32 {
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        return gone.processIdentifier
    }

    @Test func flippedByteInLastAcknowledgedFrameRefusesAppendAndKeepsEveryEvent() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", lines((0..<22).map { "e\($0)" }))]).status == 0)
        var damaged = bytes(segment(data))
        damaged[damaged.count - 5] ^= 0x10
        #expect(FileManager.default.createFile(atPath: segment(data), contents: Data(damaged)))

        let append = try daicho(["append", "--data", data, t.write("b.ndjson", lines(["new"]))])
        #expect(append.status == 2)
        #expect(append.stderr.contains("daicho verify"))
        #expect(bytes(segment(data)) == damaged, "nothing is truncated")
        let verify = try daicho(["verify", "--data", data])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("below the durable mark"))
        #expect(try daicho(["stats", "--data", data]).status == 2)
    }

    @Test func cutSegmentIsRefusedWithTheTrueBytePosition() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        var starts: [Int] = []
        for part in 0..<6 {
            starts.append(bytes(segment(data)).count)
            #expect(try daicho(["append", "--data", data, "--no-snapshot", t.write("p\(part).ndjson", lines((0..<50).map { "p\(part)-\($0)" }))]).status == 0)
        }
        let original = bytes(segment(data))
        // Inside the fourth frame, past its header: two more frames were published after it.
        let cut = starts[3] + 80
        #expect(FileManager.default.createFile(atPath: segment(data), contents: Data(original[0..<cut])))
        for command in [["stats"], ["export"], ["profiles"]] {
            let r = try daicho(command + ["--data", data])
            #expect(r.status == 2, "\(command)")
            let position = r.stderr.firstMatch(of: /byte (\d+)/).map { Int($0.1)! }
            #expect(position.map { $0 <= cut } == true, "\(command): \(r.stderr)")
        }
        let append = try daicho(["append", "--data", data, t.write("n.ndjson", lines(["n1"]))])
        #expect(append.status == 2)
        #expect(bytes(segment(data)).count == cut, "nothing is truncated or appended")
        let verify = try daicho(["verify", "--data", data])
        for match in verify.stdout.matches(of: /"byte":(\d+)/) { #expect(Int(match.1)! <= cut, "\(verify.stdout)") }
    }

    @Test func deletedHeadIsRefusedByQueriesAndRebuiltByAppend() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", lines((0..<30).map { "e\($0)" }))]).status == 0)
        try FileManager.default.removeItem(atPath: data + "/log/head")
        for command in [["stats"], ["profiles"], ["export"]] {
            let r = try daicho(command + ["--data", data])
            #expect(r.status == 2, "\(command) answered from a log without head: \(r.stdout.prefix(200))")
            #expect(r.stderr.contains("head"), "\(command)")
        }
        let append = try daicho(["append", "--data", data], stdin: Data())
        #expect(append.status == 0)
        #expect(append.stderr.contains("rebuilt"))
        #expect(try exportedIDs(data: data).count == 30)
    }

    @Test func snapshotOfAnotherLogIsRebuiltNotTrusted() throws {
        let t = TemporaryDirectory()
        let a = t.path + "/a", b = t.path + "/b"
        #expect(try daicho(["append", "--data", a, t.write("a.ndjson", lines((0..<20).map { "a\($0)" }))]).status == 0)
        #expect(try daicho(["profile", "--data", a, "--user-id", "u-a7"]).status == 0)
        #expect(try daicho(["append", "--data", b, "--no-snapshot", t.write("b.ndjson", lines((0..<40).map { "b\($0)" }))]).status == 0)
        // The log of `a` is replaced by a longer, different one; its snapshot (20 events) stays.
        try FileManager.default.removeItem(atPath: a + "/log")
        try FileManager.default.copyItem(atPath: b + "/log", toPath: a + "/log")
        let ghost = try daicho(["profile", "--data", a, "--user-id", "u-a7"])
        #expect(ghost.status == 3, "a customer who is in no event was returned: \(ghost.stdout.prefix(200))")
        #expect(ghost.stderr.contains("does not belong to this log"))
        let stats = try daicho(["stats", "--data", a])
        #expect((stats.json["profiles"] as? Int) == 40)
        #expect(try daicho(["profile", "--data", a, "--user-id", "u-b39"]).status == 0)
    }

    @Test func snapshotOfALogCutAndGrownPastItAgainIsRebuilt() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", lines((0..<20).map { "a\($0)" }))]).status == 0)
        let cut = bytes(segment(data)).count
        #expect(try daicho(["append", "--data", data, t.write("b.ndjson", lines((0..<20).map { "b\($0)" }))]).status == 0)
        // The snapshot now reflects 40 events (a0…a19, b0…b19).
        #expect(try daicho(["profile", "--data", data, "--user-id", "u-b3"]).status == 0)
        // The log is cut back to the first frame and its head deleted, so the cut is taken for the whole log;
        // then it grows past the snapshot's offset with other events.
        #expect(FileManager.default.createFile(atPath: segment(data), contents: Data(bytes(segment(data))[0..<cut])))
        try FileManager.default.removeItem(atPath: data + "/log/head")
        #expect(try daicho(["append", "--data", data, "--no-snapshot", t.write("c.ndjson", lines((0..<30).map { "c\($0)" }))]).status == 0)
        let ghost = try daicho(["profile", "--data", data, "--user-id", "u-b3"])
        #expect(ghost.status == 3, "a customer who is in no event was returned: \(ghost.stdout.prefix(200))")
        #expect((try daicho(["stats", "--data", data]).json["profiles"] as? Int) == 50)
    }

    @Test func snapshotOfALogRepairedBelowItsLastFrameIsRebuiltNotTrusted() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        var starts: [Int] = []
        for part in ["a", "b", "c"] {
            starts.append(bytes(segment(data)).count)
            #expect(try daicho(["append", "--data", data, t.write("\(part).ndjson", lines((0..<20).map { "\(part)\($0)" }))]).status == 0)
        }
        // The snapshot reflects all 60 events; keep a copy, as a repair killed after rewriting the log but before
        // removing the snapshot leaves it (or a snapshot restored from a backup).
        let snapshot = data + "/snapshots/profiles.snap"
        let saved = bytes(snapshot)
        #expect(!saved.isEmpty)
        var damaged = bytes(segment(data))
        damaged[starts[1] + 80] ^= 0x01   // inside the middle frame (b0…b19); the last frame stays as it was
        #expect(FileManager.default.createFile(atPath: segment(data), contents: Data(damaged)))
        let repair = try daicho(["repair", "--data", data])
        #expect(repair.status == 0 && (repair.json["events_lost"] as? Int) == 20, "\(repair.stdout)")
        #expect(FileManager.default.createFile(atPath: snapshot, contents: Data(saved)))
        let ghost = try daicho(["profile", "--data", data, "--user-id", "u-b3"])
        #expect(ghost.status == 3, "a customer whose events were quarantined was returned: \(ghost.stdout.prefix(200))")
        #expect(ghost.stderr.contains("does not belong to this log"), "\(ghost.stderr)")
        #expect((try daicho(["stats", "--data", data]).json["profiles"] as? Int) == 40)
    }

    @Test func snapshotDirectoryThatIsAFileIsNamedWithItsErrno() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, "--no-snapshot", t.write("a.ndjson", lines(["e1"]))]).status == 0)
        #expect(FileManager.default.createFile(atPath: data + "/snapshots", contents: Data("x".utf8)))
        let r = try daicho(["append", "--data", data, t.write("b.ndjson", lines(["e2"]))])
        #expect(r.status == 2)
        #expect(r.json["appended"] as? Int == 1)
        #expect(r.stderr.contains(data + "/snapshots") && r.stderr.contains("Not a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
    }

    @Test func snapshotTemporaryOfAKilledWriterIsRemovedOnNextOpen() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", lines(["e1"]))]).status == 0)
        let gone = try finishedProcessID()
        let stale = data + "/snapshots/profiles.snap.tmp-\(gone)"
        let live = data + "/snapshots/profiles.snap.tmp-\(getpid())"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data(repeating: 1, count: 100)))
        #expect(FileManager.default.createFile(atPath: live, contents: Data(repeating: 1, count: 100)))
        #expect(try daicho(["stats", "--data", data]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live), "a running writer's temporary is left alone")
    }

    @Test func appendFailingOnAFullLogDiskLeavesNoRejectsTemporary() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        // One rejected line first (its rejects temporary is created), then events that do not compress, so the
        // segment reaches the file size limit of 256 KiB long before the rejects file does (EFBIG, like a full disk).
        let good = incompressibleEventLines(12_000, seed: 7)
        let input = t.write("in.ndjson", #"{"id":"bad","type":"nosuch"}"# + "\n" + good.joined(separator: "\n") + "\n")
        let run = try daichoOnAFullDisk(["append", "--data", data, "--no-snapshot", input])
        let message = run.stderr
        #expect(run.status == 2)
        #expect(message.contains("00000000000000000000.seg"), "the log write failed: \(message)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: data + "/rejects")) ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func rejectsTemporaryOfAKilledAppendIsRemovedByTheNextAppend() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", lines(["e1"]))]).status == 0)
        let gone = try finishedProcessID()
        try FileManager.default.createDirectory(atPath: data + "/rejects", withIntermediateDirectories: true)
        let stale = data + "/rejects/.append-20260501T000000Z-\(gone).ndjson.tmp"
        let live = data + "/rejects/.append-20260501T000000Z-\(getpid()).ndjson.tmp"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("{}\n".utf8)))
        #expect(FileManager.default.createFile(atPath: live, contents: Data("{}\n".utf8)))
        #expect(try daicho(["append", "--data", data, t.write("b.ndjson", lines(["e2"]))]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live), "a running append's temporary is left alone")
    }

    @Test func rejectsFileIsNeverLeftHalfWrittenWhenTheDiskFills() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        let bad = String(repeating: "x", count: 2_000)
        let input = t.write("in.ndjson", lines(["ok1"]) + (0..<1_500).map { "{\"id\":\"r\($0)\",\"type\":\"nosuch\",\"pad\":\"\(bad)\"}" }.joined(separator: "\n") + "\n")
        let run = try daichoOnAFullDisk(["append", "--data", data, "--no-snapshot", input])
        let message = run.stderr
        #expect(run.status == 2)
        #expect(message.contains("rejects file"), "\(message)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: data + "/rejects")) ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
