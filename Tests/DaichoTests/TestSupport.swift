import Foundation
@testable import Daicho

/// A fresh temporary directory per test, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "daicho-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var data: DataDirectory { DataDirectory(path + "/data") }
}

/// The repository's Tests/Fixtures directory.
let fixturesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path


/// The lines of a fixture file (no '#' comment lines when `skipComments`).
func fixtureLines(_ name: String, skipComments: Bool = false) -> [String] {
    let text = try! String(contentsOfFile: fixturesPath + "/" + name, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return skipComments ? lines.filter { !$0.hasPrefix("#") } : lines
}

/// A seeded generator (SplitMix64) so failures replay.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Encodes NDJSON lines into one batch payload; returns the payload and the reasons of rejected lines.
func encodeLines(_ lines: [String]) -> (payload: [UInt8], rejects: [String?]) {
    var encoder = EventLineEncoder()
    var builder = BatchBuilder()
    var reasons: [String?] = []
    for l in lines {
        var bytes = Array(l.utf8)
        reasons.append(bytes.withUnsafeMutableBytes { encoder.encode(line: UnsafeRawBufferPointer($0), into: &builder) })
    }
    var payload: [UInt8] = []
    builder.makePayload(into: &payload)
    return (payload, reasons)
}

/// Decodes every event of a payload.
func decodeAll(_ payload: [UInt8]) throws -> [Event] {
    var events: [Event] = []
    try payload.withUnsafeBytes { p in
        try BatchDecoder().forEach(in: p) { events.append(try $0.materialize()) }
    }
    return events
}
