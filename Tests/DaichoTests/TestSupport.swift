import Foundation
@testable import Daicho
@_exported import DaichoTestSupport

extension TemporaryDirectory {
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
