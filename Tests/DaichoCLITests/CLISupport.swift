import Foundation
import Testing
@_exported import DaichoTestSupport

/// The `daicho` executable built beside the test bundle.
let daichoPath: String = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = besideTests.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("daicho").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/daicho").path
}()

/// What a finished `daicho` run printed.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The stdout parsed as one JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Runs `daicho` with `arguments`, feeding `stdin`, and waits for it.
func daicho(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws -> RunResult {
    let r = try runChild(daichoPath, arguments, stdin: stdin, environment: environment)
    return RunResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
}


/// Runs `daicho` under a file size limit of 256 KiB with SIGXFSZ ignored, so its writes past that size fail with
/// EFBIG as they would on a full disk.
func daichoOnAFullDisk(_ arguments: [String]) throws -> RunResult {
    let r = try runChild("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f 512; exec \"$0\" \"$@\"", daichoPath] + arguments)
    return RunResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
}

/// `count` valid event lines (ids g0, g1, …) whose props carry random hex, so a frame of them does not compress.
func incompressibleEventLines(_ count: Int, seed: UInt64) -> [String] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { i in
        let noise = (0..<4).map { _ in String(rng.next(), radix: 16) }.joined()
        return #"{"id":"g\#(i)","type":"track","at":"2026-05-01T10:00:00+09:00","ids":{"user_id":"u\#(i)"},"props":{"event":"x","n":"\#(noise)"}}"#
    }
}

/// A valid event line with id `id`.
func eventLine(_ id: String, type: String = "track", at: String = "2026-05-01T10:00:00+09:00") -> String {
    #"{"id":"\#(id)","type":"\#(type)","at":"\#(at)","ids":{"user_id":"u-\#(id)"},"props":{"event":"Coupon Redeemed"}}"#
}

/// The ids of every exported event, in offset order.
func exportedIDs(data: String) throws -> [String] {
    let r = try daicho(["export", "--data", data])
    return r.stdout.split(separator: "\n").map {
        ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["id"] as? String ?? "?"
    }
}

/// A purchase event line (order o-ID, 1000 JPY) by the customer with e-mail `email`.
func purchaseLine(_ id: String, _ email: String, at: String) -> String {
    #"{"id":"\#(id)","type":"purchase","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"order_id":"o-\#(id)","amount":1000,"currency":"JPY"}}"#
}

/// A data directory in `t` with `lines` appended; the append must succeed.
func dataDirectory(_ t: TemporaryDirectory, appending lines: [String]) throws -> String {
    let d = t.path + "/d"
    let r = try daicho(["append", "--data", d, t.write("in.ndjson", lines.joined(separator: "\n"))])
    #expect(r.status == 0, "\(r.stderr)")
    return d
}

/// A data directory in `t` with one purchase (a1, by a@example.jp) and the segment `buyers` (commerce.orders >= 1),
/// whose backfill made feed record 1.
func dataDirectoryWithABuyer(_ t: TemporaryDirectory) throws -> String {
    let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z")])
    let r = try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"])
    #expect(r.status == 0, "\(r.stderr)")
    return d
}

/// Waits up to `seconds` for `p` to end; one still running then is terminated (SIGTERM) and waited for.
/// - Returns: whether `p` had to be terminated.
func waitForExit(_ p: Process, within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    let hung = p.isRunning
    if hung { p.terminate() }
    p.waitUntilExit()
    return hung
}
