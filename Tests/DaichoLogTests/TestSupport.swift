import Foundation
@testable import DaichoLog
@_exported import DaichoTestSupport

extension TemporaryDirectory {
    /// The log directory inside (not created: the writer creates it).
    var log: String { path + "/log" }
}




/// A batch whose bytes depend only on its base offset and size: compressible text-like records
/// when `compressible`, otherwise random bytes.
func batchPayload(base: UInt64, count: Int, compressible: Bool) -> [UInt8] {
    var rng = SeededGenerator(seed: base &* 31 &+ UInt64(count))
    if !compressible { return (0..<(count * 24)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    var bytes: [UInt8] = []
    for i in 0..<count {
        bytes += Array("{\"offset\":\(base + UInt64(i)),\"type\":\"page\",\"customer\":\"c\(rng.next() % 50)\"}".utf8)
    }
    return bytes
}

/// Appends one batch and returns its base offset.
@discardableResult
func appendBatch(_ writer: LogWriter, count: Int, compressible: Bool = true, time: Int64 = 1_767_225_600_000_000, maxTime: Int64? = nil) throws -> UInt64 {
    let payload = batchPayload(base: writer.nextOffset, count: count, compressible: compressible)
    return try payload.withUnsafeBytes { raw in
        try writer.append(payload: raw, recordCount: count, firstEventTime: time, maxEventTime: maxTime ?? time)
    }
}

/// Every frame of the log as (base, count, payload).
func readAll(_ directory: String, from offset: UInt64 = 0) throws -> [(base: UInt64, count: Int, payload: [UInt8])] {
    let reader = try LogReader(directory: directory)
    var frames: [(base: UInt64, count: Int, payload: [UInt8])] = []
    try reader.forEachFrame(from: offset) { frame in
        frames.append((frame.baseOffset, frame.recordCount, Array(frame.payload)))
        return true
    }
    return frames
}

/// The segment files of a log, sorted.
func segmentPaths(_ directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".seg") }.sorted().map { directory + "/" + $0 }
}

func fileBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeFile(_ path: String, _ bytes: [UInt8]) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// Publishes `head` directly (as a writer in another process would).
func publishHead(_ directory: String, next: UInt64, activeBase: UInt64, durableBytes: Int) throws {
    let file = try PosixFile.open(directory + "/head", flags: O_RDWR | O_CREAT)
    try HeadRecord(nextOffset: next, activeSegmentBase: activeBase, durableBytes: UInt64(durableBytes)).write(to: file)
}
