import Foundation
import Testing

/// The CLI maps an error's kind to its exit status and says what to do, in one place (Failure.swift).
@Suite struct ErrorKindTests {
    @Test func aBadSettingsFileIsNamedWithWhatToDo() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        #expect(try daicho(["append", "--data", d, t.write("a.ndjson", eventLine("e1"))]).status == 0)
        try Data(#"{"session_gap_minutes": -1}"#.utf8).write(to: URL(fileURLWithPath: d + "/daicho.json"))
        let r = try daicho(["stats", "--data", d])
        #expect(r.status == 2)
        #expect(r.stderr.contains("daicho stats: \(d)/daicho.json: session_gap_minutes must be a number > 0"), "\(r.stderr)")
        #expect(r.stderr.contains("hint: fix \(d)/daicho.json"), "\(r.stderr)")
    }

    /// An unreadable settings file used to mean the defaults, silently (`FileManager.contents` gave nil).
    @Test func anUnreadableSettingsFileIsAnErrorNotTheDefaults() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        #expect(try daicho(["append", "--data", d, t.write("a.ndjson", eventLine("e1"))]).status == 0)
        try FileManager.default.createDirectory(atPath: d + "/identity.json", withIntermediateDirectories: false)
        let r = try daicho(["stats", "--data", d])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read settings file \(d)/identity.json: Is a directory"), "\(r.stderr)")
    }

    /// The data directory could not be created: the reason was "The operation could not be completed".
    @Test func aDataDirectoryThatCannotBeCreatedSaysWhy() throws {
        let t = TemporaryDirectory()
        let file = t.write("file", "not a directory")
        let r = try daicho(["append", "--data", file + "/d"], stdin: Data(eventLine("e1").utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot create data directory \(file)/d: Not a directory"), "\(r.stderr)")
    }

    @Test func aDamagedLogSaysToRunVerify() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        for batch in 0..<3 {
            #expect(try daicho(["append", "--data", d, t.write("b\(batch).ndjson", (0..<50).map { eventLine("e\(batch)-\($0)") }.joined(separator: "\n"))]).status == 0)
        }
        let segment = d + "/log/00000000000000000000.seg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let r = try daicho(["export", "--data", d])
        #expect(r.status == 2)
        #expect(r.stderr.contains("daicho verify"), "\(r.stderr)")
    }
}
