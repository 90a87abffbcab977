import Foundation
import Testing

/// Tests that cannot pass without checking: a test that lacks what it needs says so to the runner
/// (`.enabled(if:)`, `PythonCrossCheck`), it does not print a note and return as passed.
@Suite struct TestHygieneTests {
    @Test func noTestPrintsASkipNoteInsteadOfBeingSkipped() throws {
        let tests = repositoryRootURL.appendingPathComponent("Tests")
        let files = try #require(FileManager.default.enumerator(atPath: tests.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        try #require(files.count > 30, "found only \(files.count) test sources")
        let printCall = "print("
        let skipWord = "SKIP" // kept apart from printCall so no line of this file matches both
        for file in files {
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(printCall) && line.uppercased().contains(skipWord) {
                Issue.record("Tests/\(file):\(number + 1) prints a skip note; use .enabled(if:) so the runner reports it skipped")
            }
        }
    }
}
