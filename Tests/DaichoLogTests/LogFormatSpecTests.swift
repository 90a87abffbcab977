import Foundation
import Testing
@testable import DaichoLog

/// docs/log-format.md "Worked example", pinned byte for byte: the hex dumps are read from the doc itself.
@Suite struct LogFormatSpecTests {
    /// The example's fields as its prose states them.
    static let firstEventTime: Int64 = 1_767_225_600_000_000 // 2026-01-01T00:00:00Z
    static let maxEventTime = firstEventTime + 1_500_000
    static let appendTime = firstEventTime + 5_000_000
    static let payload = Array("hello".utf8)

    /// The two hex dumps of the worked example (the segment, then `head`), and the CRC and segment size its prose names.
    static func example() throws -> (frame: [UInt8], head: [UInt8], statedCRC: UInt32, statedSize: Int) {
        let path = repositoryRootURL.appendingPathComponent("docs/log-format.md").path
        let doc = try String(contentsOfFile: path, encoding: .utf8)
        let heading = try #require(doc.range(of: "Worked example"), "docs/log-format.md has no worked example")
        let section = doc[heading.upperBound...]
        let text = section[..<(section.range(of: "\n## ")?.lowerBound ?? section.endIndex)]
        let blocks = text.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        try #require(blocks.count == 2, "expected two hex dumps in the worked example, found \(blocks.count)")
        let crcText = try #require(text.firstMatch(of: /CRC32C `0x([0-9a-f]{8})`/), "the prose names the frame's CRC")
        let sizeText = try #require(text.firstMatch(of: /is these (\d+) bytes/), "the prose names the segment's size")
        return (try hexDump(blocks[0]), try hexDump(blocks[1]), try #require(UInt32(crcText.1, radix: 16)),
                try #require(Int(sizeText.1)))
    }

    /// The bytes of a dump whose lines read `OOOO  hh hh ...  comment`, checking each line's offset column.
    static func hexDump(_ block: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for line in block.split(separator: "\n") where !line.isEmpty {
            let match = try #require(line.wholeMatch(of: /([0-9a-f]{4})  ((?:[0-9a-f]{2} )*[0-9a-f]{2})(?: .*)?/),
                                     "not a hex dump line: \(line)")
            #expect(Int(match.1, radix: 16) == bytes.count, "offset column of: \(line)")
            bytes += try match.2.split(separator: " ").map { try #require(UInt8($0, radix: 16)) }
        }
        return bytes
    }

    @Test func frameBytesAreWhatTheEncoderWrites() throws {
        let doc = try Self.example()
        #expect(doc.frame.count == doc.statedSize)
        var encoded = [UInt8](repeating: 0, count: 64) + Self.payload
        encoded.withUnsafeMutableBytes { raw in
            var header = FrameHeader(crc: 0, codec: 0, recordCount: 1, baseOffset: 0, firstEventTime: Self.firstEventTime,
                                     maxEventTime: Self.maxEventTime, appendTime: Self.appendTime, storedLength: 5,
                                     uncompressedLength: 5)
            header.encode(into: raw)
            header.crc = FrameHeader.computeCRC(header: UnsafeRawBufferPointer(raw), payload: UnsafeRawBufferPointer(rebasing: raw[64...]))
            raw.storeBytes(of: header.crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
        #expect(encoded == doc.frame)
        #expect(littleEndianBytes(doc.statedCRC) == Array(doc.frame[4..<8]), "the CRC the prose names is the one in the dump")
        // The spec's table, laid out by the reference encoder, gives the same bytes.
        #expect(rawFrame(base: 0, count: 1, codec: 0, stored: Self.payload, uncompressedLength: 5, time: Self.firstEventTime,
                         maxTime: Self.maxEventTime, appendTime: Self.appendTime) == doc.frame)
    }

    @Test func headBytesAreWhatTheEncoderWrites() throws {
        let doc = try Self.example()
        var encoded = [UInt8](repeating: 0, count: LogFormat.headSize)
        encoded.withUnsafeMutableBytes {
            HeadRecord(nextOffset: 1, activeSegmentBase: 0, durableBytes: UInt64(doc.statedSize)).encode(into: $0)
        }
        #expect(encoded == doc.head)
    }

    /// A real writer appending "hello" leaves the example's segment (its own append time and CRC aside) and head.
    @Test func aWriterProducesTheExampleFiles() throws {
        let doc = try Self.example()
        let t = TemporaryDirectory()
        let before = Int64(Date().timeIntervalSince1970 * 1_000_000) - 1_000_000
        let writer = try LogWriter.open(directory: t.log)
        try Self.payload.withUnsafeBytes {
            _ = try writer.append(payload: $0, recordCount: 1, firstEventTime: Self.firstEventTime, maxEventTime: Self.maxEventTime)
        }
        try writer.close()
        let segment = fileBytes(t.log + "/00000000000000000000.seg")
        try #require(segment.count == doc.frame.count)
        let appended = segment[40..<48].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        #expect(appended >= before && appended <= Int64(Date().timeIntervalSince1970 * 1_000_000) + 1_000_000)
        var expected = doc.frame
        expected.replaceSubrange(40..<48, with: segment[40..<48])
        expected.replaceSubrange(4..<8, with: littleEndianBytes(referenceCRC32C(Array(expected[8...]))))
        #expect(segment == expected)
        #expect(fileBytes(t.log + "/head") == doc.head)
    }

    /// The example's files, written verbatim, read back as the frame the prose describes.
    @Test func theExampleFilesReadBack() throws {
        let doc = try Self.example()
        let t = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: t.log, withIntermediateDirectories: true)
        writeFile(t.log + "/00000000000000000000.seg", doc.frame)
        writeFile(t.log + "/head", doc.head)
        let reader = try LogReader(directory: t.log)
        #expect(reader.endOffset == 1)
        var frames: [(base: UInt64, count: Int, first: Int64, max: Int64, appended: Int64, payload: [UInt8])] = []
        try reader.forEachFrame(from: 0) { frame in
            frames.append((frame.baseOffset, frame.recordCount, frame.firstEventTime, frame.maxEventTime, frame.appendTime,
                           Array(frame.payload)))
            return true
        }
        try #require(frames.count == 1)
        #expect(frames[0].base == 0 && frames[0].count == 1)
        #expect(frames[0].first == Self.firstEventTime && frames[0].max == Self.maxEventTime && frames[0].appended == Self.appendTime)
        #expect(frames[0].payload == Self.payload)
    }
}
