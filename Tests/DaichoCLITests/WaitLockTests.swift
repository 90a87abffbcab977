import Foundation
import Testing

/// `--wait-lock SECONDS` lets a second writer wait for the first (docs/log-format.md §7).
@Suite struct WaitLockTests {
    /// Holds the log's LOCK with flock(1) for `seconds`; returns once it is held.
    private func holdLock(_ data: String, seconds: Double) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = [data + "/log/LOCK", "-c", "echo held; sleep \(seconds)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        _ = out.fileHandleForReading.availableData   // "held": the lock is taken
        return p
    }

    @Test func secondWriterWaitsForTheLockWithWaitLock() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", eventLine("e1") + "\n")]).status == 0)
        let holder = try holdLock(data, seconds: 1.0)
        let refused = try daicho(["append", "--data", data, t.write("b.ndjson", eventLine("e2") + "\n")])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("locked by another writer"))
        #expect(refused.stderr.contains("--wait-lock"))
        let waited = try daicho(["append", "--data", data, "--wait-lock", "10", t.write("c.ndjson", eventLine("e3") + "\n")])
        #expect(waited.status == 0, "\(waited.stderr)")
        holder.waitUntilExit()
        #expect(try exportedIDs(data: data) == ["e1", "e3"])
    }

    @Test func waitLockGivesUpAfterSecondsNamingTheHolder() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("a.ndjson", eventLine("e1") + "\n")]).status == 0)
        let holder = try holdLock(data, seconds: 3)
        let start = Date()
        let r = try daicho(["segment", "define", "vip", "count(purchase) >= 1", "--data", data, "--wait-lock", "0.5"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("after waiting 0.5 s"))
        #expect(Date().timeIntervalSince(start) >= 0.5)
        holder.waitUntilExit()
        #expect(try daicho(["append", "--data", data, "--wait-lock", "x"]).stderr.contains("--wait-lock: \"x\""))
    }
}
