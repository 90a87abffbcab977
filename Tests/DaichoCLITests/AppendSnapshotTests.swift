import Foundation
import Testing

/// `daicho append` brings the snapshot up to date beside the ingest and writes it only when enough has changed
/// (docs/profile.md "When append writes the snapshot"); the snapshot it writes is the one a replay writes.
@Suite struct AppendSnapshotTests {
    /// The lines of a generated log (seed 23): merges, late events, a few bad lines.
    static func generatedLines(_ t: TemporaryDirectory, events: Int) throws -> [Substring] {
        let input = t.path + "/generated.ndjson"
        #expect(try daicho(["generate", "--events", String(events), "--customers", String(events / 8), "--seed", "23",
                            "--end", "2026-06-01", "--out", input]).status == 0)
        return try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
    }

    /// `lines` cut into `parts` files.
    static func parts(_ t: TemporaryDirectory, _ lines: [Substring], _ parts: Int) -> [String] {
        let size = (lines.count + parts - 1) / parts
        return (0..<parts).map { p in
            t.write("part\(p).ndjson", lines[(p * size)..<min(lines.count, (p + 1) * size)].joined(separator: "\n") + "\n")
        }
    }

    static func snapshotBytes(_ d: String) -> Data? { FileManager.default.contents(atPath: d + "/snapshots/profiles.snap") }

    @Test func appendsInChunksWriteTheSnapshotAReplayWrites() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let files = Self.parts(t, try Self.generatedLines(t, events: 8_000), 4)
        for (i, file) in files.enumerated() {
            let r = try daicho(["append", "--data", d, file])
            #expect(r.status <= 1, "\(r.stderr)") // the generator's few bad lines: exit 1
            #expect(r.json["snapshot"] as? String == "written", "part \(i): \(r.stdout)")
            if i == 1 { // segment state in the snapshot from here on
                #expect(try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"]).status == 0)
            }
        }
        let appended = try #require(Self.snapshotBytes(d))
        let replay = try daicho(["replay", "--data", d])
        #expect(replay.status == 0, "\(replay.stderr)")
        let replayed = try #require(Self.snapshotBytes(d))
        #expect(appended.count > 1000)
        #expect(appended == replayed, "the snapshot written beside the appends differs from the replay's")
    }

    @Test func aSmallAppendDefersTheSnapshotAndQueriesCatchUp() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let lines = try Self.generatedLines(t, events: 4_000)
        let big = t.write("big.ndjson", lines[..<3_900].joined(separator: "\n") + "\n")
        let small = t.write("small.ndjson", lines[3_900...].joined(separator: "\n") + "\n")
        #expect(try daicho(["append", "--data", d, big]).json["snapshot"] as? String == "written")
        let before = try #require(Self.snapshotBytes(d))
        // 100 events behind a snapshot of ~3,900: fewer than snapshot_min_events (10,000) and than 3,900 / 16.
        let r = try daicho(["append", "--data", d, small])
        #expect(r.json["snapshot"] as? String == "deferred", "\(r.stdout)")
        #expect(Self.snapshotBytes(d) == before, "a deferred snapshot was rewritten")
        // Nothing appended: the snapshot is left as it is.
        #expect(try daicho(["append", "--data", d, small]).json["snapshot"] as? String == "unchanged")
        // The query catches up from the older snapshot and prints what a replay prints.
        let caughtUp = try daicho(["profiles", "--data", d])
        #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
        try FileManager.default.removeItem(atPath: d + "/snapshots")
        let replayed = try daicho(["profiles", "--data", d])
        #expect(caughtUp.stdout.count > 1000 && caughtUp.stdout == replayed.stdout)
        // 0 rewrites it after every append; the changed settings also retire the old snapshot (their hash).
        _ = t.write("d/daicho.json", #"{"snapshot_min_events": 0}"#)
        #expect(try daicho(["append", "--data", d, small]).json["snapshot"] as? String == "unchanged")
        let again = t.write("again.ndjson", eventLine("late-1") + "\n")
        #expect(try daicho(["append", "--data", d, again]).json["snapshot"] as? String == "written")
        _ = t.write("d/daicho.json", #"{"snapshot_min_events": -1}"#)
        let refused = try daicho(["append", "--data", d, again])
        #expect(refused.status == 2 && refused.stderr.contains("snapshot_min_events"), "\(refused.stderr)")
    }

    /// SIGKILL at random moments of appends whose snapshot is written beside the ingest: no acknowledged event is
    /// lost or doubled, the log verifies, and what `profiles` prints from the snapshot left behind is what a
    /// replay prints (a snapshot is never trusted wrongly).
    @Test func sigkilledAppendsLeaveNoWrongSnapshot() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let lines = try Self.generatedLines(t, events: 12_000)
        let files = Self.parts(t, lines, 6)
        // The ids a complete ingest holds (the generator's bad lines are rejected, so not every id of a part is).
        let reference = t.path + "/reference"
        for file in files { #expect(try daicho(["append", "--data", reference, "--no-snapshot", file]).status <= 1) }
        let held = Set(try exportedIDs(data: reference))
        let script = files.map { "\"\(daichoPath)\" append --data \"\(d)\" \"\($0)\" >/dev/null; [ $? -le 1 ] && echo ACK \"\($0)\"" }
            .joined(separator: "\n")
        var rng = SeededGenerator(seed: 0x5A9)
        var acknowledged = Set<String>()
        var killedWhileWriting = 0
        for round in 0..<8 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let pid = p.processIdentifier
            usleep(UInt32(30_000 + rng.next() % 900_000))
            kill(pid, SIGSTOP) // as in CrashTests: no new child between the listing and the kills
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            for c in children.split(separator: " ") { kill(pid_t(c)!, SIGKILL) }
            if !children.isEmpty { killedWhileWriting += 1 }
            kill(pid, SIGKILL)
            p.waitUntilExit()
            let acks = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in acks.split(separator: "\n") where line.hasPrefix("ACK ") { acknowledged.insert(String(line.dropFirst(4))) }

            // A kill inside the write of a frame may leave part of it beyond the durable mark: a torn tail, which
            // `verify` names and the next writer truncates (docs/log-format.md §8). Nothing else may be wrong.
            let verify = try daicho(["verify", "--data", d])
            let problems = verify.json["problems"] as? [[String: Any]] ?? []
            #expect(verify.status == 0 || (verify.status == 1 && !problems.isEmpty && problems.allSatisfy {
                ($0["message"] as? String)?.contains("a torn tail beyond the durable mark") == true
            }), "round \(round): \(verify.stdout) \(verify.stderr)")
            let ids = try exportedIDs(data: d)
            #expect(Set(ids).count == ids.count, "round \(round): an event is in the log twice")
            let present = Set(ids)
            for file in acknowledged {
                let expected = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap {
                    ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["id"] as? String
                }.filter { held.contains($0) }
                #expect(!expected.isEmpty && expected.allSatisfy { present.contains($0) },
                        "round \(round): an acknowledged event of \(file) is lost")
            }
            // The snapshot left behind (whatever the kill interrupted) against a replay from offset 0.
            let fromSnapshot = try daicho(["profiles", "--data", d])
            let copy = t.path + "/copy\(round)"
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
            try FileManager.default.copyItem(atPath: d + "/log", toPath: copy + "/log")
            let replayed = try daicho(["profiles", "--data", copy])
            #expect(fromSnapshot.status == 0 && replayed.status == 0, "round \(round): \(fromSnapshot.stderr) \(replayed.stderr)")
            #expect(fromSnapshot.stdout == replayed.stdout, "round \(round): profiles from the snapshot differ from a replay")
            try FileManager.default.removeItem(atPath: copy)
        }
        // Kills landed in appends, and after some parts were acknowledged (else the loss check above checked nothing).
        #expect(killedWhileWriting > 0 && !acknowledged.isEmpty, "\(killedWhileWriting) kills in an append, \(acknowledged.count) parts acknowledged")
        // Completing the input afterwards appends every event once.
        for file in files { #expect(try daicho(["append", "--data", d, file]).status <= 1) }
        let ids = try exportedIDs(data: d)
        #expect(Set(ids).count == ids.count && Set(ids) == held, "\(ids.count) events, \(held.count) in a complete ingest")
    }
}
