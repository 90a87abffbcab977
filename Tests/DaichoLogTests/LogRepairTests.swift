import Foundation
import Testing
@testable import DaichoLog

/// `LogRepair.repair` at the log level (docs/log-format.md §13); the CLI tests cover the report and the events.
@Suite struct LogRepairTests {
    /// Filler frames whose payload names their offsets, so the test can check where they went.
    private func filler(_ base: UInt64, _ count: Int, _ time: Int64, _ file: String?) -> PreparedFrame {
        let payload = Array("lost \(base) \(count)".utf8)
        return payload.withUnsafeBytes { FrameCompressor(level: 1).prepare(payload: $0, recordCount: count, firstEventTime: time, maxEventTime: time) }
    }

    /// Writes `batches` incompressible batches of 3 into segments of at most 200 bytes, one frame each, and
    /// returns the segment paths.
    private func segmentPerBatch(_ dir: String, batches: Int) throws -> [String] {
        let writer = try LogWriter.open(directory: dir, options: LogOptions(segmentMaxBytes: 200))
        for _ in 0..<batches { try appendBatch(writer, count: 3, compressible: false) }
        try writer.close()
        let segments = segmentPaths(dir)
        #expect(segments.count == batches)
        return segments
    }

    @Test func tornTailBeyondTheDurableMarkIsQuarantinedWithoutLostOffsets() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        for _ in 0..<3 { try appendBatch(writer, count: 2) }
        try writer.close()
        let segment = segmentPaths(dir.log)[0]
        let size = fileBytes(segment).count
        writeFile(segment, fileBytes(segment) + [UInt8](repeating: 9, count: 50))
        let report = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
        #expect(report.regions.count == 1)
        #expect(report.regions.first?.beyondDurableMark == true)
        #expect(report.regions.first?.lostOffsets.isEmpty == true)
        #expect(report.fillerFrames == 0)
        #expect(fileBytes(segment).count == size)
        #expect(fileBytes(dir.path + "/q/00000000000000000000.seg-\(size).frames") == [UInt8](repeating: 9, count: 50))
        #expect(LogVerifier.verify(directory: dir.log).isClean)
    }

    @Test func missingMiddleSegmentKeepsItsOffsetsUsed() throws {
        let dir = TemporaryDirectory()
        let segments = try segmentPerBatch(dir.log, batches: 4)
        try FileManager.default.removeItem(atPath: segments[1])
        #expect(throws: LogError.self) { try LogWriter.open(directory: dir.log).close() }
        let report = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
        #expect(report.regions.map(\.lostOffsets) == [3..<6])
        #expect(report.endOffset == 12)
        #expect(LogVerifier.verify(directory: dir.log).isClean)
        let frames = try readAll(dir.log)
        #expect(frames.map(\.base) == [0, 3, 6, 9])
        #expect(frames[1].payload == Array("lost 3 3".utf8))
        let reopened = try LogWriter.open(directory: dir.log)
        #expect(reopened.nextOffset == 12)
        try reopened.close()
    }

    @Test func deletedFirstSegmentKeepsItsOffsetsUsedAfterRepair() throws {
        let dir = TemporaryDirectory()
        let segments = try segmentPerBatch(dir.log, batches: 3)
        try FileManager.default.removeItem(atPath: segments[0])
        let report = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
        #expect(report.regions.map(\.lostOffsets) == [0..<3])
        #expect(report.endOffset == 9)
        #expect(LogVerifier.verify(directory: dir.log).isClean)
        let frames = try readAll(dir.log)
        #expect(frames.map(\.base) == [0, 3, 6])
        #expect(frames.first?.payload == Array("lost 0 3".utf8))
    }

    @Test func repairRunTwiceOnTheSameByteKeepsTheFirstQuarantineFile() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        for _ in 0..<3 { try appendBatch(writer, count: 2) }
        try writer.close()
        let segment = segmentPaths(dir.log)[0]
        let second = try #require(try readAll(dir.log).count == 3 ? fileBytes(segment).count / 3 : nil)
        var bytes = fileBytes(segment)
        bytes[second + 70] ^= 0xFF   // inside the second frame (the three frames are about the same size)
        writeFile(segment, bytes)
        let first = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
        let region = try #require(first.regions.first)
        let firstFile = try #require(region.quarantineFile)
        let quarantined = fileBytes(firstFile)
        #expect(quarantined.count == region.bytes && !quarantined.isEmpty)
        // The filler frame now starts at the same byte; damage it and repair again.
        bytes = fileBytes(segment)
        bytes[region.byte + 70] ^= 0xFF
        writeFile(segment, bytes)
        let again = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
        let secondFile = try #require(again.regions.first?.quarantineFile)
        #expect(again.regions.first?.byte == region.byte)
        #expect(secondFile != firstFile)
        #expect(fileBytes(firstFile) == quarantined, "the first repair's quarantined bytes were overwritten")
        #expect(fileBytes(secondFile).count == again.regions.first?.bytes)
        #expect(FileManager.default.fileExists(atPath: String(secondFile.dropLast(".frames".count)) + ".json"))
        #expect(LogVerifier.verify(directory: dir.log).isClean)
    }

    @Test func repairWaitsForNoWriterAndRefusesWhileOneHoldsTheLock() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try appendBatch(writer, count: 1)
        do {
            _ = try LogRepair.repair(directory: dir.log, quarantine: dir.path + "/q", filler: filler)
            Issue.record("repair ran beside a writer")
        } catch {
            #expect(error.kind == .locked)
        }
        try writer.close()
    }
}
