import Foundation
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
    let p = Process()
    p.executableURL = URL(fileURLWithPath: daichoPath)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    // Read both pipes concurrently so a large output cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !errThread.isFinished { usleep(1000) }
    return RunResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
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
