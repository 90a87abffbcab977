import Foundation
import Testing
@testable import DaichoLog

@Suite struct RoundTripTests {
    @Test func framesRoundTripAcrossSegmentRolls() throws {
        let dir = TemporaryDirectory()
        var rng = SeededGenerator(seed: 42)
        var model: [(base: UInt64, count: Int, payload: [UInt8])] = []
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 4096))
        #expect(writer.recovery.droppedBytes == 0)
        for _ in 0..<120 {
            let count = Int.random(in: 1...12, using: &rng)
            let compressible = Bool.random(using: &rng)
            let payload = batchPayload(base: writer.nextOffset, count: count, compressible: compressible)
            let base = try payload.withUnsafeBytes { try writer.append(payload: $0, recordCount: count, firstEventTime: 5, maxEventTime: 9) }
            model.append((base, count, payload))
        }
        let end = writer.nextOffset
        try writer.close()

        #expect(segmentPaths(dir.log).count > 3)
        #expect(segmentPaths(dir.log).first?.hasSuffix("/00000000000000000000.seg") == true)
        let frames = try readAll(dir.log)
        #expect(frames.count == model.count)
        for (got, want) in zip(frames, model) {
            #expect(got.base == want.base && got.count == want.count && got.payload == want.payload)
        }
        let reader = try LogReader(directory: dir.log)
        #expect(reader.endOffset == end)
        #expect(reader.segments.reduce(0) { $0 + $1.records } == Int(end))
        for pair in zip(reader.segments, reader.segments.dropFirst()) {
            #expect(pair.0.baseOffset + UInt64(pair.0.records) == pair.1.baseOffset)
            #expect(pair.1.path.hasSuffix(LogFormat.segmentFileName(base: pair.1.baseOffset)))
        }
        #expect(LogVerifier.verify(directory: dir.log).isClean)
    }

    @Test func appendContinuesAfterReopen() throws {
        let dir = TemporaryDirectory()
        do {
            let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 1024))
            for _ in 0..<10 { try appendBatch(writer, count: 3) }
            try writer.close()
        }
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 1024))
        #expect(writer.nextOffset == 30)
        #expect(try appendBatch(writer, count: 2) == 30)
        try writer.close()
        #expect(try readAll(dir.log).map(\.base) == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30])
        let report = LogVerifier.verify(directory: dir.log)
        #expect(report.isClean && report.frames == 11 && report.records == 32)
    }

    @Test func incompressiblePayloadIsStoredRawAndCompressibleIsShrunk() throws {
        let compressor = FrameCompressor()
        let text = batchPayload(base: 0, count: 100, compressible: true)
        let noise = batchPayload(base: 0, count: 100, compressible: false)
        let small = text.withUnsafeBytes { compressor.prepare(payload: $0, recordCount: 100, firstEventTime: 0, maxEventTime: 0) }
        let raw = noise.withUnsafeBytes { compressor.prepare(payload: $0, recordCount: 100, firstEventTime: 0, maxEventTime: 0) }
        #expect(small.storedBytes < text.count / 2 && small.uncompressedBytes == text.count)
        #expect(raw.storedBytes == noise.count && raw.codec == LogFormat.codecNone)
    }

    @Test func seekByOffsetYieldsWholeFrameContainingTheOffset() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 2048))
        for _ in 0..<20 { try appendBatch(writer, count: 10) }   // frames at 0, 10, …, 190
        try writer.close()
        let reader = try LogReader(directory: dir.log)
        for offset in [UInt64(0), 5, 10, 105, 199] {
            var bases: [UInt64] = []
            try reader.forEachFrame(from: offset) { bases.append($0.baseOffset); return true }
            #expect(bases.first == offset / 10 * 10)
            #expect(bases.count == 20 - Int(offset / 10))
        }
        var bounded: [UInt64] = []
        try reader.forEachFrame(from: 25, to: 41) { bounded.append($0.baseOffset); return true }
        #expect(bounded == [20, 30, 40])
        var stopped = 0
        try reader.forEachFrame(from: 0) { _ in stopped += 1; return stopped < 3 }
        #expect(stopped == 3)
        var none = 0
        try reader.forEachFrame(from: 200) { _ in none += 1; return true }
        #expect(none == 0)
    }

    @Test func seekByTimeMatchesRunningMaximumModel() throws {
        let dir = TemporaryDirectory()
        var rng = SeededGenerator(seed: 99)
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(segmentMaxBytes: 4096))
        var frames: [(base: UInt64, maxTime: Int64)] = []
        var clock: Int64 = 1_000_000
        for _ in 0..<60 {
            clock += Int64.random(in: 0...1000, using: &rng)
            let late = Int64.random(in: 0...5, using: &rng) == 0 ? Int64.random(in: 0...5000, using: &rng) : 0
            let first = clock - late, maxTime = clock - late + Int64.random(in: 0...300, using: &rng)
            let base = try appendBatch(writer, count: Int.random(in: 1...4, using: &rng), time: first, maxTime: maxTime)
            frames.append((base, maxTime))
        }
        let end = writer.nextOffset
        try writer.close()
        let reader = try LogReader(directory: dir.log)
        for t in stride(from: Int64(990_000), through: clock + 1000, by: 397) {
            let expected = frames.first { frame in frames.prefix { $0.base <= frame.base }.map(\.maxTime).max()! >= t }?.base ?? end
            #expect(reader.offset(forTime: t) == expected, "time \(t)")
        }
    }

    @Test func durabilityEndPublishesOnlyOnSync() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log, options: LogOptions(durability: .end))
        for _ in 0..<5 { try appendBatch(writer, count: 2) }
        let reader = try LogReader(directory: dir.log)
        #expect(reader.endOffset == 0)
        try writer.sync()
        try reader.refresh()
        #expect(reader.endOffset == 10)
        try appendBatch(writer, count: 1)
        try writer.close()
        try reader.refresh()
        #expect(reader.endOffset == 11)
    }

    @Test func invalidFramesAreRefusedWithoutFailingTheWriter() throws {
        let dir = TemporaryDirectory()
        let writer = try LogWriter.open(directory: dir.log)
        let payload: [UInt8] = [1, 2, 3]
        #expect(throws: LogError.self) {
            try payload.withUnsafeBytes { try writer.append(payload: $0, recordCount: 0, firstEventTime: 0, maxEventTime: 0) }
        }
        #expect(throws: LogError.self) {
            try payload.withUnsafeBytes { try writer.append(payload: $0, recordCount: 1, firstEventTime: 9, maxEventTime: 0) }
        }
        #expect(try appendBatch(writer, count: 1) == 0)
        try writer.close()
        #expect(throws: LogError.self) { try appendBatch(writer, count: 1) }
    }

    @Test func readerOfDirectoryWithoutHeadSeesEmptyLog() throws {
        let dir = TemporaryDirectory()
        let reader = try LogReader(directory: dir.path)
        #expect(reader.endOffset == 0 && reader.segments.isEmpty)
        #expect(throws: LogError.self) { try LogReader(directory: dir.path + "/missing") }
    }
}
