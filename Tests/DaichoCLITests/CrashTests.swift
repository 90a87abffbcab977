import Foundation
import Testing

/// A writer killed with SIGKILL at random moments never loses an acknowledged event nor duplicates one.
@Suite struct CrashTests {
    @Test func sigkilledAppendsLoseNoAcknowledgedEventAndDuplicateNone() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        // 40 parts of 250 events; a child shell appends them one `daicho append` at a time and acknowledges each.
        var parts: [String] = []
        var allIDs: [String] = []
        for p in 0..<40 {
            let ids = (0..<250).map { "c\(p)-\($0)" }
            allIDs += ids
            parts.append(t.write(String(format: "part%02d.ndjson", p), ids.map { eventLine($0) }.joined(separator: "\n") + "\n"))
        }
        let script = parts.map { "\"\(daichoPath)\" append --data \"\(data)\" \"\($0)\" >/dev/null && echo ACK \"\($0)\"" }
            .joined(separator: "\n")
        var rng = SeededGenerator(seed: 0xC0FFEE)
        var acknowledged = Set<String>()
        for round in 0..<12 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "set -e\n" + script]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let pid = p.processIdentifier
            usleep(UInt32(20_000 + rng.next() % 400_000))
            // Kill the shell and its running `daicho append` child at once. The shell is stopped first, so it cannot
            // start the next child between the listing of its children and the kills (that child would outlive
            // the round and hold the writer lock).
            kill(pid, SIGSTOP)
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            for c in children.split(separator: " ") { kill(pid_t(c)!, SIGKILL) }
            kill(pid, SIGKILL)
            p.waitUntilExit()
            let acks = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in acks.split(separator: "\n") where line.hasPrefix("ACK ") { acknowledged.insert(String(line.dropFirst(4))) }
            // Reopen (recovery truncates a torn tail), then check: acknowledged parts present, nothing twice.
            let reopen = try daicho(["append", "--data", data], stdin: Data())
            #expect(reopen.status == 0, "round \(round): \(reopen.stderr)")
            let ids = try exportedIDs(data: data)
            #expect(Set(ids).count == ids.count, "round \(round): an event is in the log twice")
            let present = Set(ids)
            for part in acknowledged {
                let n = Int(part.suffix(9).prefix(2))!
                for i in 0..<250 { #expect(present.contains("c\(n)-\(i)"), "round \(round): acknowledged c\(n)-\(i) lost") }
            }
            #expect(try daicho(["verify", "--data", data]).status == 0)
        }
        // The kills landed after some parts were acknowledged (else the loss check above checked nothing) and before all.
        #expect(!acknowledged.isEmpty && acknowledged.count < parts.count, "\(acknowledged.count) parts acknowledged")
        // Re-running the whole ingest completes the log exactly once; running it again appends nothing.
        for part in parts { #expect(try daicho(["append", "--data", data, part]).status == 0) }
        let ids = try exportedIDs(data: data)
        #expect(ids.count == allIDs.count)
        #expect(Set(ids) == Set(allIDs))
        var appendedAgain = 0
        for part in parts { appendedAgain += try daicho(["append", "--data", data, part]).json["appended"] as? Int ?? -1 }
        #expect(appendedAgain == 0)
    }
}

