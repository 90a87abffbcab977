import Foundation
import Testing
@testable import Daicho

/// The validation corpus of Tests/Fixtures/events: what ingest accepts, and why it rejects the rest.
@Suite struct EventValidationTests {
    @Test func everyAcceptedSampleIsEncoded() throws {
        let lines = fixtureLines("events/accepted.ndjson")
        try #require(lines.count > 10)
        let (_, rejects) = encodeLines(lines)
        for (i, r) in rejects.enumerated() { #expect(r == nil, "accepted.ndjson line \(i + 1): \(r ?? "")") }
    }

    @Test(arguments: ["rejected", "swift-only"])
    func everyRejectedSampleGivesItsExactReason(corpus: String) throws {
        let reasons = fixtureLines("events/\(corpus).reasons", skipComments: true)
        // swift-only holds raw bytes (invalid UTF-8), so read it as bytes, not String.
        let raw = try! Data(contentsOf: URL(fileURLWithPath: fixturesPath + "/events/\(corpus).ndjson"))
        var byteLines = raw.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if byteLines.last == [] { byteLines.removeLast() }
        try #require(byteLines.count == reasons.count && !reasons.isEmpty)
        var encoder = EventLineEncoder()
        var builder = BatchBuilder()
        for (i, line) in byteLines.enumerated() {
            let reason = line.withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
            #expect(reason == reasons[i], "\(corpus).ndjson line \(i + 1)")
        }
        #expect(builder.count == 0, "a rejected line left a record behind")
    }

    @Test func rejectionReasonsNeverShowIdentifierValues() {
        let lines = [
            #"{"id":"p1","type":"track","at":"2026-01-01T00:00:00Z","ids":{"email":"secret.person.example.com"},"props":{"event":"x"}}"#,
            #"{"id":"p2","type":"track","at":"2026-01-01T00:00:00Z","ids":{"phone":"090-SECRET-99"},"props":{"event":"x"}}"#,
        ]
        for r in encodeLines(lines).rejects {
            let reason = try! #require(r)
            #expect(!reason.contains("secret"))
            #expect(!reason.contains("SECRET"))
        }
    }

    @Test func overlongLinesAreRejectedWithTheLimit() {
        var encoder = EventLineEncoder(maxLineBytes: 100)
        var builder = BatchBuilder()
        let line = Array(#"{"id":"x","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"event":"\#(String(repeating: "a", count: 200))"}}"#.utf8)
        let reason = line.withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
        #expect(reason == "line is \(line.count) bytes, longer than the maximum of 100")
    }

    @Test func exportAnnotationsAreAcceptedAndIgnored() throws {
        let line = #"{"offset":12,"profile":"p-1","id":"x","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"event":"E"}}"#
        let (payload, rejects) = encodeLines([line])
        #expect(rejects == [nil])
        #expect(try decodeAll(payload).first?.id == "x")
    }

    /// The JSON Schemas in schemas/ and the Swift validator agree on every sample (python3 + jsonschema; skipped
    /// when they are missing, except in CI: see `PythonCrossCheck`).
    @Test(.enabled(if: PythonCrossCheck.canRun("jsonschema", "referencing"),
                   "needs python3 with jsonschema (make test installs it)"),
          arguments: ["accepted", "rejected"])
    func schemasAndSwiftValidatorAgreeOnTheCorpus(corpus: String) throws {
        let path = fixturesPath + "/events/\(corpus).ndjson"
        let check = try PythonCrossCheck.run([repositoryRootURL.appendingPathComponent("schemas/check.py").path, path])
        try #require(check.status == 0, "schemas/check.py exited \(check.status): \(check.stderr)")
        let verdicts = try check.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "check.py printed \($0)")
        }
        let swift = encodeLines(fixtureLines("events/\(corpus).ndjson")).rejects
        try #require(!swift.isEmpty)
        try #require(verdicts.count == swift.count)
        for (i, (v, s)) in zip(verdicts, swift).enumerated() {
            #expect(v["line"] as? Int == i + 1)
            let schemaValid = try #require(v["valid"] as? Bool, "\(corpus).ndjson line \(i + 1): \(v)")
            #expect(schemaValid == (s == nil), "\(corpus).ndjson line \(i + 1): schema \(v["error"] ?? "valid"), swift \(s ?? "valid")")
        }
    }
}
