import Foundation
import Testing

@Suite struct AppendCommandTests {
    @Test func goodLinesAreAppendedAndTheSummaryCountsThem() throws {
        let t = TemporaryDirectory()
        let file = t.write("in.ndjson", (0..<5).map { eventLine("e\($0)") }.joined(separator: "\n") + "\n")
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 0)
        let j = r.json
        #expect(j["read"] as? Int == 5)
        #expect(j["appended"] as? Int == 5)
        #expect(j["duplicates"] as? Int == 0)
        #expect(j["rejected"] as? Int == 0)
        #expect(j["first_offset"] as? Int == 0)
        #expect(j["last_offset"] as? Int == 4)
        #expect(j["rejects_file"] is NSNull)
        #expect(j["seconds"] is Double || j["seconds"] is Int)
    }

    /// The malformed-input corpus: each bad line is rejected with its line number and reason, kept verbatim,
    /// and the good lines around them are appended.
    @Test func malformedLinesAreRejectedWithReasonsAndKeptVerbatim() throws {
        let t = TemporaryDirectory()
        var lines: [[UInt8]] = []
        var expected: [Int: String] = [:]
        func good() { lines.append(Array(eventLine("g\(lines.count)").utf8)) }
        func bad(_ line: String, _ reason: String) { bad(Array(line.utf8), reason) }
        func bad(_ line: [UInt8], _ reason: String) { lines.append(line); expected[lines.count] = reason }
        good()
        bad(#"{"id":"b1","type":"track""#, "invalid JSON at byte 25: unexpected end of input, expected ',' or '}' after object member")
        good()
        bad(#"{"id":7,"type":"track","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u"},"props":{"event":"E"}}"#, #""id": expected a non-empty string"#)
        bad(#"{"id":"b3","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u"}}"#, #"missing field "type""#)
        bad(#"{"id":"b4","type":"track","at":"yesterday","ids":{"user_id":"u"},"props":{"event":"E"}}"#, #""at": "yesterday" is not an RFC 3339 time"#)
        bad(#"{"id":"b5","type":"teleport","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u"}}"#, #"unknown type "teleport""#)
        bad(#"{"id":"b6","type":"track","at":"2026-05-01T10:00:00Z","ids":{},"props":{"event":"E"}}"#, #""ids" names no identifier"#)
        good()
        bad(Array(#"{"id":"b7","type":"track","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u"},"props":{"event":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8),
            "not valid UTF-8 (at byte 94)")
        let long = eventLine("b8").replacingOccurrences(of: "Coupon Redeemed", with: String(repeating: "x", count: 1 << 20 + 10))
        bad(long, "line is \(long.utf8.count) bytes, longer than the maximum of 1048576")
        good()
        var input: [UInt8] = []
        for l in lines { input += l + [0x0A] }
        let file = t.path + "/in.ndjson"
        try Data(input).write(to: URL(fileURLWithPath: file))
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 1)
        #expect(r.json["appended"] as? Int == 4)
        #expect(r.json["rejected"] as? Int == expected.count)
        let rejectsPath = try #require(r.json["rejects_file"] as? String)
        let rejects = try String(contentsOfFile: rejectsPath, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(rejects.count == expected.count)
        for rej in rejects {
            let n = rej["line"] as! Int
            #expect(rej["input"] as? String == file)
            let reason = rej["reason"] as! String
            #expect(reason == expected[n]!, "line \(n)")
            // Kept verbatim: the raw text (or base64 for bytes that are not UTF-8) is the input line exactly.
            if let raw = rej["raw"] as? String { #expect(Array(raw.utf8) == lines[n - 1]) }
            else { #expect(Data(base64Encoded: rej["raw_base64"] as! String).map(Array.init) == lines[n - 1]) }
        }
        #expect(try exportedIDs(data: t.path + "/d") == ["g0", "g2", "g8", "g11"])
    }

    @Test func duplicatesAreSkippedAcrossRestarts() throws {
        let t = TemporaryDirectory()
        let file = t.write("in.ndjson", (0..<50).map { eventLine("e\($0)") }.joined(separator: "\n"))
        let again = t.write("again.ndjson", (40..<60).map { eventLine("e\($0)") }.joined(separator: "\n") + "\n" + eventLine("e59"))
        #expect(try daicho(["append", "--data", t.path + "/d", file]).json["appended"] as? Int == 50)
        let r = try daicho(["append", "--data", t.path + "/d", again])
        #expect(r.json["appended"] as? Int == 10)
        #expect(r.json["duplicates"] as? Int == 11)
        #expect(r.json["first_offset"] as? Int == 50)
        #expect(try exportedIDs(data: t.path + "/d").count == 60)
    }

    @Test func standardInputIsReadWhenNoFileOrDashIsGiven() throws {
        let t = TemporaryDirectory()
        let r = try daicho(["append", "--data", t.path + "/d"], stdin: Data((eventLine("s1") + "\n" + eventLine("s2") + "\n").utf8))
        #expect(r.json["appended"] as? Int == 2)
        let dash = try daicho(["append", "--data", t.path + "/d", "-"], stdin: Data((eventLine("s3") + "\r\n\n").utf8))
        #expect(dash.json["appended"] as? Int == 1)
        #expect(dash.json["read"] as? Int == 1)
    }

    @Test func dataDirectoryComesFromTheEnvironment() throws {
        let t = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["DAICHO_DATA"] = t.path + "/env-data"
        let r = try daicho(["append"], stdin: Data(eventLine("x").utf8), environment: env)
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: t.path + "/env-data/log"))
    }

    @Test func aWrongOptionIsNamedWithTheUsage() throws {
        let r = try daicho(["append", "--dta", "x"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown option '--dta'"))
        #expect(r.stderr.contains("Usage: daicho append"))
        let missing = try daicho(["append", "/nonexistent/file.ndjson", "--data", TemporaryDirectory().path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/file.ndjson"))
    }

    @Test func everyCommandExplainsItsOptions() throws {
        let top = try daicho(["--help"])
        #expect(top.status == 0)
        for command in ["append", "export", "stats", "verify", "generate"] {
            #expect(top.stdout.contains(command))
            let h = try daicho([command, "--help"])
            #expect(h.status == 0)
            #expect(h.stdout.contains("Usage: daicho \(command)"))
        }
        #expect(try daicho(["frobnicate"]).status == 2)
    }

    @Test func aSecondWriterGetsAClearErrorNamingTheHolder() throws {
        let t = TemporaryDirectory()
        // A first writer that keeps the lock: a slow stdin ingest.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: daichoPath)
        p.arguments = ["append", "--data", t.path + "/d"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { try? input.fileHandleForWriting.close(); p.waitUntilExit() }
        // Only once it holds the lock (LOCK names its pid, docs/log-format.md §7) does a second writer start: one
        // started earlier could take the lock first and make the first writer give up.
        let lockFile = t.path + "/d/log/LOCK"
        func holder() -> String? {
            (try? String(contentsOfFile: lockFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for _ in 0..<2_000 where p.isRunning && holder() != "\(p.processIdentifier)" { usleep(10_000) }
        try #require(p.isRunning, "the first writer exited with status \(p.terminationStatus)")
        try #require(holder() == "\(p.processIdentifier)")
        let r = try daicho(["append", "--data", t.path + "/d"], stdin: Data(eventLine("x").utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(p.processIdentifier)"), "\(r.stderr)")
    }
}
