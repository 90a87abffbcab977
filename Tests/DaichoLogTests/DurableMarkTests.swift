import Foundation
import Testing
@testable import DaichoLog

/// Damage at or below the durable mark in `head` is corruption, never a torn tail (docs/log-format.md §8).
@Suite struct DurableMarkTests {
    /// Four acknowledged frames (2, 2, 2 and 3 records); returns the segment and each frame's start byte.
    private func acknowledgedLog(_ dir: String, compressible: Bool) throws -> (segment: String, starts: [Int], size: Int) {
        let writer = try LogWriter.open(directory: dir)
        var starts: [Int] = []
        for count in [2, 2, 2, 3] {
            starts.append(fileBytes(segmentPaths(dir)[0]).count)
            try appendBatch(writer, count: count, compressible: compressible)
        }
        try writer.close()
        let segment = segmentPaths(dir)[0]
        return (segment, starts, fileBytes(segment).count)
    }

    /// Opening for writing must refuse with `.corrupt` naming `daicho verify`, and leave the file as it was.
    private func expectRefusal(_ dir: String, segment: String, _ context: String) {
        let before = fileBytes(segment)
        do {
            let writer = try LogWriter.open(directory: dir)
            try? writer.close()
            Issue.record("open for writing succeeded after \(context)")
        } catch {
            #expect(error.kind == .corrupt, "\(context)")
            #expect(error.message.contains("daicho verify"), "\(context)")
        }
        #expect(fileBytes(segment) == before, "nothing is truncated after \(context)")
    }

    @Test(arguments: [true, false])
    func flippedByteAtEveryPositionOfLastAcknowledgedFrameRefusesOpen(compressible: Bool) throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: compressible)
        let original = fileBytes(log.segment)
        let lastStart = log.starts[3]
        for position in lastStart..<log.size {
            var damaged = original
            damaged[position] ^= 0x20
            writeFile(log.segment, damaged)
            expectRefusal(dir.log, segment: log.segment, "a flipped byte at \(position)")
            let report = LogVerifier.verify(directory: dir.log)
            #expect(report.problems.first?.bytePosition == lastStart && report.problems.first?.logOffset == 6, "flip at \(position)")
            #expect(report.problems.first?.message.contains("below the durable mark") == true, "flip at \(position)")
            #expect(throws: LogError.self, "flip at \(position)") { _ = try readAll(dir.log) }
        }
    }

    @Test(arguments: [true, false])
    func flippedByteAtEveryPositionOfMiddleFrameRefusesOpen(compressible: Bool) throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: compressible)
        let original = fileBytes(log.segment)
        for position in log.starts[1]..<log.starts[2] {
            var damaged = original
            damaged[position] ^= 0x01
            writeFile(log.segment, damaged)
            expectRefusal(dir.log, segment: log.segment, "a flipped byte at \(position)")
            let report = LogVerifier.verify(directory: dir.log)
            #expect(report.problems.first?.bytePosition == log.starts[1] && report.problems.first?.logOffset == 2, "flip at \(position)")
        }
    }

    @Test func truncationInsideAcknowledgedFrameRefusesOpen() throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: true)
        let original = fileBytes(log.segment)
        for cut in (log.starts[2] + 1)..<log.size {
            writeFile(log.segment, Array(original[0..<cut]))
            expectRefusal(dir.log, segment: log.segment, "a cut at byte \(cut)")
            let problem = LogVerifier.verify(directory: dir.log).problems.first
            let frameStart = cut < log.starts[3] ? log.starts[2] : log.starts[3]
            #expect(problem?.bytePosition == frameStart && problem.map { $0.bytePosition <= cut } == true, "cut at \(cut)")
            // The reader names the true byte of the cut frame, which lies inside the file.
            do {
                _ = try readAll(dir.log)
                Issue.record("reader read a log cut at \(cut)")
            } catch let error as LogError {
                #expect(error.kind == .corrupt)
                #expect(error.message.contains("byte \(frameStart)"), "cut at \(cut): \(error.message)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func truncationAtTheEndOfAcknowledgedFrameRefusesOpen(frames: Int) throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: true)
        let cut = frames < 4 ? log.starts[frames] : log.starts[3]
        writeFile(log.segment, Array(fileBytes(log.segment)[0..<cut]))
        expectRefusal(dir.log, segment: log.segment, "a cut at frame boundary \(cut)")
        let problem = LogVerifier.verify(directory: dir.log).problems.first
        #expect(problem?.bytePosition == cut)
        #expect(problem?.message.contains("durable mark") == true)
        #expect(throws: LogError.self) { _ = try readAll(dir.log) }
    }

    @Test func garbageBeyondDurableMarkWithAValidFrameAfterIsStillATornTail() throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: true)
        let unsynced = rawFrame(base: 10, count: 1, codec: 0, stored: Array("late".utf8), uncompressedLength: 4)
        writeFile(log.segment, fileBytes(log.segment) + [UInt8](repeating: 7, count: 90) + unsynced)
        let writer = try LogWriter.open(directory: dir.log)
        #expect(writer.recovery.truncatedAtByte == log.size)
        #expect(writer.recovery.droppedBytes == 90 + unsynced.count)
        #expect(writer.nextOffset == 9)
        try writer.close()
    }

    @Test func missingHeadIsRebuiltByTheWriterAndRefusedByReaders() throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: true)
        unlink(dir.log + "/head")
        #expect(LogVerifier.verify(directory: dir.log).problems.map(\.file) == [dir.log + "/head"])
        do {
            _ = try LogReader(directory: dir.log)
            Issue.record("a reader answered from a log without head")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.message.contains("missing") && error.message.contains("daicho repair"))
        }
        let writer = try LogWriter.open(directory: dir.log)
        #expect(writer.recovery.rebuiltHead)
        #expect(writer.recovery.description.contains("rebuilt"))
        #expect(writer.nextOffset == 9)
        try writer.close()
        #expect(try LogReader(directory: dir.log).endOffset == 9)
        #expect(fileBytes(log.segment).count == log.size)
    }

    @Test func missingHeadWithDamagedLastFrameRefusesOpen() throws {
        let dir = TemporaryDirectory()
        let log = try acknowledgedLog(dir.log, compressible: true)
        unlink(dir.log + "/head")
        var damaged = fileBytes(log.segment)
        damaged[log.size - 1] ^= 0xFF
        writeFile(log.segment, damaged)
        expectRefusal(dir.log, segment: log.segment, "a flipped byte without head")
    }

    @Test func unreadableHeadIsRefusedByReadersReportedByVerifyAndRebuiltByTheWriter() throws {
        let dir = TemporaryDirectory()
        _ = try acknowledgedLog(dir.log, compressible: true)
        writeFile(dir.log + "/head", [UInt8](repeating: 0x55, count: 40))
        #expect(throws: LogError.self) { _ = try LogReader(directory: dir.log) }
        #expect(LogVerifier.verify(directory: dir.log).problems.first?.message.contains("does not decode") == true)
        let writer = try LogWriter.open(directory: dir.log)
        #expect(writer.recovery.rebuiltHead)
        #expect(writer.recovery.description.hasPrefix("head did not decode"))
        try writer.close()
        #expect(try LogReader(directory: dir.log).endOffset == 9)
    }
}
