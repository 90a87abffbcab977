import Foundation
import Testing
@testable import DaichoLog

@Suite struct RecoveryTests {
    /// Writes `frames` batches and returns the segment path and the byte where the last frame starts.
    private func buildLog(_ dir: String, frames: Int, compressible: Bool = true) throws -> (segment: String, lastStart: Int, size: Int) {
        let writer = try LogWriter.open(directory: dir)
        for _ in 0..<(frames - 1) { try appendBatch(writer, count: 2, compressible: compressible) }
        try writer.close()
        let segment = segmentPaths(dir)[0]
        let lastStart = fileBytes(segment).count
        let again = try LogWriter.open(directory: dir)
        try appendBatch(again, count: 3, compressible: compressible)
        try again.close()
        return (segment, lastStart, fileBytes(segment).count)
    }

    /// Writes 12 batches of 3 into segments of at most 600 bytes (at least 3 of them) and returns their paths.
    private func multiSegmentLog(_ dir: String) throws -> [String] {
        let writer = try LogWriter.open(directory: dir, options: LogOptions(segmentMaxBytes: 600))
        for _ in 0..<12 { try appendBatch(writer, count: 3) }
        try writer.close()
        let segments = segmentPaths(dir)
        #expect(segments.count >= 3)
        return segments
    }

    /// A crash after the last frame's `pwritev` and before its sync published it: the frame lies beyond the
    /// durable mark, so any prefix of it is a torn tail and is truncated.
    @Test(arguments: [true, false])
    func tornWriteBeyondDurableMarkIsTruncatedAtEveryBytePosition(compressible: Bool) throws {
        let dir = TemporaryDirectory()
        let log = try buildLog(dir.log, frames: 4, compressible: compressible)
        let original = fileBytes(log.segment)
        let intact = try readAll(dir.log).dropLast()
        for cut in log.lastStart..<log.size {
            writeFile(log.segment, Array(original[0..<cut]))
            try publishHead(dir.log, next: 6, activeBase: 0, durableBytes: log.lastStart)
            let writer = try LogWriter.open(directory: dir.log)
            let report = writer.recovery
            #expect(report.droppedBytes == cut - log.lastStart, "cut at \(cut)")
            if cut > log.lastStart {
                #expect(report.truncatedAtByte == log.lastStart && report.truncatedFile == log.segment, "cut at \(cut)")
            } else {
                #expect(report.truncatedFile == nil)
            }
            #expect(writer.nextOffset == 6)
            #expect(try appendBatch(writer, count: 1) == 6)
            try writer.close()
            let frames = try readAll(dir.log)
            #expect(frames.count == intact.count + 1)
            for (got, want) in zip(frames, intact) { #expect(got.base == want.base && got.payload == want.payload) }
        }
    }

    @Test func garbageTailIsTruncatedAndReported() throws {
        let dir = TemporaryDirectory()
        let log = try buildLog(dir.log, frames: 3)
        var rng = SeededGenerator(seed: 3)
        let garbage = (0..<777).map { _ in UInt8.random(in: 0...255, using: &rng) }
        writeFile(log.segment, fileBytes(log.segment) + garbage)
        let writer = try LogWriter.open(directory: dir.log)
        #expect(writer.recovery.truncatedFile == log.segment)
        #expect(writer.recovery.truncatedAtByte == log.size)
        #expect(writer.recovery.droppedBytes == 777)
        #expect(writer.recovery.description.contains("777"))
        #expect(writer.nextOffset == 7)
        try writer.close()
        #expect(fileBytes(log.segment).count == log.size)
        #expect(LogVerifier.verify(directory: dir.log).isClean)
    }

    @Test func garbageTailIsReportedByVerifyBeforeRecovery() throws {
        let dir = TemporaryDirectory()
        let log = try buildLog(dir.log, frames: 2)
        writeFile(log.segment, fileBytes(log.segment) + [UInt8](repeating: 0, count: 100))
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.bytePosition == log.size)
        #expect(report.problems.first?.logOffset == 5)
        #expect(report.problems.first?.message.contains("torn tail") == true)
        #expect(fileBytes(log.segment).count == log.size + 100)   // verify never modifies
    }

    @Test func flippedByteInMiddleFrame() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        var starts: [Int] = []
        for _ in 0..<5 {
            starts.append(try FileManager.default.attributesOfItem(atPath: segmentPaths(dir.log).first ?? dir.log)[.size] as? Int ?? 0)
            try appendBatch(writer, count: 4)
        }
        try writer.close()
        let segment = segmentPaths(dir.log)[0]
        var bytes = fileBytes(segment)
        bytes[starts[2] + 70] ^= 0x40
        writeFile(segment, bytes)

        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.count == 1)
        let problem = try #require(report.problems.first)
        #expect(problem.file == segment && problem.bytePosition == starts[2] && problem.logOffset == 8)
        #expect(problem.message.contains("CRC"))
        #expect(report.frames == 4)

        let error = try #require(throws: LogError.self) { try LogWriter.open(directory: dir.log) }
        #expect(error.kind == .corrupt)
        #expect(error.message.contains("daicho verify"))
        #expect(error.message.contains("byte \(starts[2])"))
        #expect(fileBytes(segment) == bytes)   // nothing dropped

        let reader = try LogReader(directory: dir.log)
        #expect(throws: LogError.self) { try reader.forEachFrame { _ in true } }
    }

    @Test func damagedHeaderInEarlierSegmentRefusesOpen() throws {
        let dir = TemporaryDirectory()
        let segments = try multiSegmentLog(dir.log)
        var bytes = fileBytes(segments[0])
        bytes[16] ^= 1   // base offset of the first frame
        writeFile(segments[0], bytes)
        let error = try #require(throws: LogError.self) { try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 600)) }
        #expect(error.kind == .corrupt && error.message.contains("daicho verify"))
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.contains { $0.file == segments[0] && $0.bytePosition == 0 })
    }

    @Test func missingSegmentIsReportedAsGap() throws {
        let dir = TemporaryDirectory()
        let segments = try multiSegmentLog(dir.log)
        try FileManager.default.removeItem(atPath: segments[1])
        #expect(throws: LogError.self) { try LogWriter.open(directory: dir.log) }
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.contains { $0.file == segments[2] && $0.message.contains("gap") })
    }

    @Test func deletedFirstSegmentIsRefusedNotReadAsAShorterLog() throws {
        let dir = TemporaryDirectory()
        let segments = try multiSegmentLog(dir.log)
        try FileManager.default.removeItem(atPath: segments[0])
        let open = try #require(throws: LogError.self) { try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 600)) }
        #expect(open.kind == .corrupt && open.message.contains("daicho verify"))
        let read = try #require(throws: LogError.self) { _ = try LogReader(directory: dir.log) }
        #expect(read.kind == .corrupt)
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.problems.contains { $0.file == segments[1] && $0.logOffset == 0 && $0.message.contains("gap") })
    }

    @Test func secondWriterGetsClearError() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        let error = try #require(throws: LogError.self) { try LogWriter.open(directory: dir.log) }
        #expect(error.kind == .locked)
        #expect(error.message.contains("pid \(getpid())"))
        #expect(error.message.contains(dir.log))
        try writer.close()
        let next = try LogWriter.open(directory: dir.log)
        try next.close()
    }

    @Test func repairTemporaryOfAKilledRepairIsRemovedByTheNextWriter() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try appendBatch(writer, count: 2)
        try writer.close()
        let stale = dir.log + "/00000000000000000000.seg.repair"
        let other = dir.log + "/notes.repair"
        writeFile(stale, [UInt8](repeating: 7, count: 1_000))
        writeFile(other, [1])
        let next = try LogWriter.open(directory: dir.log)
        #expect(next.nextOffset == 2)
        try next.close()
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: other), "only a segment's repair temporary is removed")
    }

    /// A writer killed during its first open, before `head` was renamed into place, leaves at most a partial
    /// `head.new` beside an empty segment: readers see an empty log, `verify` finds nothing wrong, and the next
    /// writer removes the temporary and creates `head` (docs/log-format.md §6). (Before, `head` was created empty
    /// and filled in place, so a kill in between left a `head` that readers and `verify` refused.)
    @Test(arguments: [0, 17, 40])
    func aKillWhileCreatingHeadLeavesAReadableEmptyLog(temporaryBytes: Int) throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.log, withIntermediateDirectories: true)
        writeFile(dir.log + "/00000000000000000000.seg", [])
        writeFile(dir.log + "/head.new", [UInt8](repeating: 0x5A, count: temporaryBytes))
        #expect(try LogReader(directory: dir.log).endOffset == 0)
        #expect(LogVerifier.verify(directory: dir.log).isClean)
        let writer = try LogWriter.open(directory: dir.log)
        #expect(!FileManager.default.fileExists(atPath: dir.log + "/head.new"))
        try appendBatch(writer, count: 3)
        try writer.close()
        #expect(try LogReader(directory: dir.log).endOffset == 3)
        #expect(LogVerifier.verify(directory: dir.log).isClean)
    }

    /// The first open creates `head` whole, holding the empty log's mark, with no temporary left behind.
    @Test func theFirstOpenCreatesAWholeHead() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        #expect(fileBytes(dir.log + "/head").count == 40)
        #expect(try HeadRecord.read(directory: dir.log) == .record(HeadRecord(nextOffset: 0, activeSegmentBase: 0, durableBytes: 0)))
        #expect(!FileManager.default.fileExists(atPath: dir.log + "/head.new"))
        try writer.close()
    }

    /// `LogDirectory.replace` (head's install, repair's first segment): a write that fails leaves the old file as
    /// it was and no temporary; one that succeeds replaces the file whole.
    @Test func replacingAFileKeepsTheOldOneWhenTheWriteFails() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.log, withIntermediateDirectories: true)
        let path = dir.log + "/head", temporary = dir.log + "/head.new"
        writeFile(path, [1, 2, 3])
        #expect(throws: LogError.self) {
            try LogDirectory.replace(path, through: temporary, in: dir.log) { (file) throws(LogError) in
                try file.write([9, 9, 9, 9], at: 0)
                throw LogError(.io, "disk full", path: temporary)
            }
        }
        #expect(fileBytes(path) == [1, 2, 3])
        #expect(!FileManager.default.fileExists(atPath: temporary))
        let written = try LogDirectory.replace(path, through: temporary, in: dir.log) { (file) throws(LogError) in
            try file.write([7, 7], at: 0)
            return 2
        }
        #expect(written == 2 && fileBytes(path) == [7, 7])
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    @Test func deletedLockFileDoesNotLetASecondWriterIn() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try appendBatch(writer, count: 2)
        // Someone "cleans up a stale lock" while the writer runs.
        try FileManager.default.removeItem(atPath: dir.log + "/LOCK")
        let error = try #require(throws: LogError.self) { try LogWriter.open(directory: dir.log) }
        #expect(error.kind == .locked)
        #expect(error.message.contains(dir.log))
        try appendBatch(writer, count: 2)
        try writer.close()
        let next = try LogWriter.open(directory: dir.log)
        #expect(next.nextOffset == 4)
        try next.close()
    }

    /// A child forked just before our writer closed shares the LOCK file until it execs; reopening in that
    /// moment waits for it instead of reporting our own pid as "another writer". Simulated with a dup.
    @Test func reopenWaitsForAForkedChildStillSharingTheLock() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        let lockFD = try #require(openDescriptors(of: dir.log + "/LOCK").first)
        let childCopy = dup(lockFD)
        try writer.close()
        let closer = Thread { usleep(100_000); close(childCopy) }
        closer.start()
        let started = Date()
        let next = try LogWriter.open(directory: dir.log)
        #expect(Date().timeIntervalSince(started) >= 0.05)
        try next.close()
    }

    @Test func lockIsReleasedWhenWriterIsDropped() throws {
        let dir = TemporaryDirectory()
        do { _ = try LogWriter.open(directory: dir.log) }
        let writer = try LogWriter.open(directory: dir.log)
        try writer.close()
    }

    @Test func failedWriteIsFatalAndReopenRecovers() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        try appendBatch(writer, count: 2)
        // Replace the writer's segment descriptor with a read-only one: the next write fails with EBADF.
        let segment = segmentPaths(dir.log)[0]
        let fd = try #require(openDescriptors(of: segment).first)
        let readOnly = open(segment, O_RDONLY)
        #expect(dup2(readOnly, fd) == fd)
        close(readOnly)

        let first = try #require(throws: LogError.self) { try appendBatch(writer, count: 1) }
        #expect(first.kind == .io && first.errno == EBADF)
        #expect(first.message.contains(segment) && first.message.contains("at byte"))
        let later = try #require(throws: LogError.self) { try appendBatch(writer, count: 1) }
        #expect(later.kind == .writerFailed && later.message.contains("reopen"))
        #expect(throws: LogError.self) { try writer.sync() }
        #expect(throws: LogError.self) { try writer.close() }

        let reopened = try LogWriter.open(directory: dir.log)
        #expect(reopened.nextOffset == 2)
        #expect(try appendBatch(reopened, count: 1) == 2)
        try reopened.close()
        #expect(try readAll(dir.log).map(\.base) == [0, 2])
    }

    /// Descriptors of this process open on `path` (via /proc/self/fd).
    private func openDescriptors(of path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap { name in
            guard let fd = Int32(name),
                  let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name),
                  target == GrowthNotifier.canonical(path) else { return nil }
            return fd
        }
    }
}
