import Foundation
import Testing

/// Every command that writes to stdout ends quietly when the reader has gone (`daicho … | head -1`).
@Suite struct ClosedPipeTests {
    /// Runs `daicho ARGS` with a stdout pipe whose reading end is already closed, so its first write fails with
    /// EPIPE. Returns how it ended and its stderr; a run that does not end within 30 s is killed and fails.
    func runIntoClosedPipe(_ arguments: [String]) throws -> (reason: Process.TerminationReason, status: Int32, stderr: String) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: daichoPath)
        p.arguments = arguments
        p.standardOutput = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        let err = Pipe()
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let hung = waitForExit(p, within: 30)
        #expect(!hung, "daicho \(arguments.joined(separator: " ")) did not end")
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationReason, p.terminationStatus, stderr)
    }

    /// `daicho watch --from 0 | head -1` crashed (exit 132, a trap inside FileHandle.write).
    @Test func watchIntoAClosedPipeEndsQuietlyAndReportsItsCursor() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectoryWithABuyer(t)
        let r = try runIntoClosedPipe(["watch", "--data", d, "--from", "0"])
        #expect(r.reason == .exit && r.status == 0, "\(r.stderr)")
        // Nothing was delivered, so resuming goes on from where it started.
        #expect(r.stderr == "{\"cursor\":0}\n")
    }

    /// `daicho watch --from 0 | head -1` on a quiet log: head reads the first record and leaves while watch waits
    /// for the next one; watch notices the reader is gone and ends, instead of waiting for a write that fails.
    @Test func idleWatchWhoseReaderLeftEndsWithoutAnotherRecord() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectoryWithABuyer(t)
        let out = Pipe()
        let err = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: daichoPath)
        p.arguments = ["watch", "--data", d, "--from", "0"]
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read the first record, as head -1 does, then close the reading end.
        var first: [UInt8] = []
        while !first.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first += chunk
        }
        #expect(String(decoding: first, as: UTF8.self).contains("\"entered\""))
        try out.fileHandleForReading.close()
        let hung = waitForExit(p, within: 10)
        #expect(!hung, "watch kept waiting after its reader left")
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.hasSuffix("{\"cursor\":1}\n"), "\(stderr)")
    }

    /// A failed write to stdout (a full disk) is an error (exit 2), never a silent exit 0.
    @Test func aFullDiskOnStdoutIsAnError() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        #expect(try daicho(["append", "--data", d, t.write("a.ndjson", eventLine("e1"))]).status == 0)
        for command in [["stats", "--data", d], ["export", "--data", d], ["profile", "--data", d, "--user-id", "u-e1"]] {
            let r = try runWithStdoutOnDevFull(command)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("cannot write to standard output: No space left on device"), "\(command): \(r.stderr)")
        }
    }

    /// `daicho --version` and `daicho --help` exited 0 although their output was lost on a full disk.
    @Test func versionAndHelpOnAFullDiskAreAnError() throws {
        for command in [["--version"], ["--help"], ["help", "export"]] {
            let r = try runWithStdoutOnDevFull(command)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("cannot write to standard output: No space left on device"), "\(command): \(r.stderr)")
        }
    }

    /// Runs `daicho ARGS` with standard output on /dev/full, where every write fails with ENOSPC.
    func runWithStdoutOnDevFull(_ arguments: [String]) throws -> ChildResult {
        try runChild("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", daichoPath] + arguments)
    }

    @Test func everyStdoutCommandEndsQuietlyOnAClosedPipe() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        #expect(try daicho(["append", "--data", d, t.write("a.ndjson", eventLine("e1"))]).status == 0)
        for command in [["export", "--data", d], ["stats", "--data", d], ["profiles", "--data", d],
                        ["profile", "--data", d, "--user-id", "u-e1"], ["timeline", "--data", d, "--user-id", "u-e1"],
                        ["generate", "--events", "100", "--end", "2026-06-01"], ["--version"], ["segment", "list", "--data", d]] {
            let r = try runIntoClosedPipe(command)
            #expect(r.reason == .exit && r.status == 0, "\(command): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "\(command): \(r.stderr)")
        }
    }
}
