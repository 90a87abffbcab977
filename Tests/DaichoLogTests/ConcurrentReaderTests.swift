import Foundation
import Synchronization
import Testing
@testable import DaichoLog

@Suite struct ConcurrentReaderTests {
    @Test func readerBesideWriterSeesOnlyCompleteFrames() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 8192))
        let total = 300
        let failure = Mutex<String?>(nil)
        let appender = Thread {
            do {
                for i in 0..<total { try appendBatch(writer, count: 1 + i % 5, compressible: i % 3 != 0) }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        appender.start()
        let reader = try LogReader(directory: dir.log)
        var seen: UInt64 = 0
        var frames = 0
        while frames < total {
            guard try reader.waitForGrowth(beyond: seen, timeout: .seconds(10)) else { break }
            try reader.forEachFrame(from: seen) { frame in
                #expect(frame.baseOffset == seen)
                #expect(Array(frame.payload) == batchPayload(base: frame.baseOffset, count: frame.recordCount, compressible: frames % 3 != 0))
                seen = frame.baseOffset + UInt64(frame.recordCount)
                frames += 1
                return true
            }
            #expect(seen == reader.endOffset)
        }
        try writer.close()
        #expect(frames == total)
        #expect(failure.withLock { $0 } == nil)
    }

    @Test func halfWrittenFrameWithoutHeadIsNotReturned() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        for _ in 0..<3 { try appendBatch(writer, count: 2) }
        let segment = segmentPaths(dir.log)[0]
        let size = fileBytes(segment).count
        let frame = rawFrame(base: 6, count: 1, codec: 0, stored: Array("half".utf8), uncompressedLength: 4)
        let file = try PosixFile.open(segment, flags: O_RDWR)
        try file.write(Array(frame[0..<40]), at: size)

        let reader = try LogReader(directory: dir.log)
        #expect(reader.endOffset == 6)
        var count = 0
        try reader.forEachFrame { _ in count += 1; return true }
        #expect(count == 3)
        #expect(reader.segments.first?.bytes == size)
        #expect(try reader.waitForGrowth(beyond: 6, timeout: .milliseconds(20)) == false)
    }

    @Test func tailSeesNewFramesFromWriterInThisProcess() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try appendBatch(writer, count: 1)
        let reader = try LogReader(directory: dir.log)
        #expect(try reader.waitForGrowth(beyond: 1, timeout: .milliseconds(30)) == false)
        let failure = Mutex<String?>(nil)
        let appender = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            do { try appendBatch(writer, count: 2) } catch { failure.withLock { $0 = "\(error)" } }
        }
        appender.start()
        let started = ContinuousClock.now
        #expect(try reader.waitForGrowth(beyond: 1, timeout: .seconds(10)))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(reader.endOffset == 3)
        #expect(failure.withLock { $0 } == nil)
        try writer.close()
    }

    /// A writer in another process never signals this process: the reader must see its frames by
    /// polling `head`. Simulated by writing a frame and `head` with plain file writes.
    @Test func tailSeesNewFramesFromAnotherProcessByPollingHead() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try writer.close()
        let reader = try LogReader(directory: dir.log)
        #expect(reader.endOffset == 0)
        let segment = segmentPaths(dir.log)[0]
        let frame = rawFrame(base: 0, count: 2, codec: 0, stored: Array("other process".utf8), uncompressedLength: 13)
        let logPath = dir.log
        let failure = Mutex<String?>(nil)
        let outsider = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            writeFile(segment, frame)
            do { try publishHead(logPath, next: 2, activeBase: 0, durableBytes: frame.count) } catch { failure.withLock { $0 = "\(error)" } }
        }
        outsider.start()
        #expect(try reader.waitForGrowth(beyond: 0, timeout: .seconds(10)))
        #expect(failure.withLock { $0 } == nil)
        #expect(reader.endOffset == 2)
        var payload: [UInt8] = []
        try reader.forEachFrame { payload = Array($0.payload); return true }
        #expect(payload == Array("other process".utf8))
    }

    @Test func decompressionCapRefused() throws {
        let dir = TemporaryDirectory()
        try LogWriter.open(directory: dir.log).close()
        let segment = segmentPaths(dir.log)[0]
        // 1 MiB of zeros compresses to a few bytes; the header claims 1 KiB uncompressed.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let bomb = zeros.withUnsafeBytes { FrameCompressor().prepare(payload: $0, recordCount: 1, firstEventTime: 0, maxEventTime: 0) }
        #expect(bomb.codec == LogFormat.codecZstd && bomb.storedBytes < 1024)
        let lying = rawFrame(base: 0, count: 1, codec: 1, stored: bomb.stored, uncompressedLength: 1024)
        // A header declaring more than 64 MiB is not a plausible frame at all.
        let huge = rawFrame(base: 1, count: 1, codec: 1, stored: bomb.stored, uncompressedLength: UInt32((64 << 20) + 1))
        writeFile(segment, lying + huge)
        try publishHead(dir.log, next: 1, activeBase: 0, durableBytes: lying.count)

        let reader = try LogReader(directory: dir.log)
        let error = try #require(throws: LogError.self) { try reader.forEachFrame { _ in true } }
        #expect(error.kind == .corrupt)
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.count == 2)
        #expect(report.problems.first?.message.contains("zstd") == true)
        #expect(report.problems.last?.bytePosition == lying.count)

        try publishHead(dir.log, next: 2, activeBase: 0, durableBytes: lying.count + huge.count)
        #expect(throws: LogError.self) { try reader.refresh() }
    }

    @Test func payloadAboveCapIsRefusedByAppend() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        let big = UnsafeMutableRawBufferPointer.allocate(byteCount: (64 << 20) + 1, alignment: 8)
        defer { big.deallocate() }
        let error = try #require(throws: LogError.self) {
            try writer.append(payload: UnsafeRawBufferPointer(big), recordCount: 1, firstEventTime: 0, maxEventTime: 0)
        }
        #expect(error.kind == .invalidArgument)
        try writer.close()
    }
}
