import Foundation
import Testing
@testable import Daicho

/// The chunk reader cuts input into whole lines whatever the block size, also while its buffers are recycled.
@Suite struct NDJSONChunkReaderTests {
    /// Writes `bytes` to a fresh temporary file and returns an open descriptor for it.
    static func descriptor(for bytes: [UInt8]) throws -> Int32 {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chunk-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("in.ndjson").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return open(path, O_RDONLY)
    }

    @Test(arguments: [1, 7, 64, 4096])
    func chunksAreWholeLinesInOrderWithTheirLineNumbers(blockBytes: Int) throws {
        var random = SeededGenerator(seed: UInt64(blockBytes))
        var input: [UInt8] = []
        var lines: [[UInt8]] = []
        for i in 0..<300 {
            let length = Int(random.next() % 200)
            let line = Array("\(i):".utf8) + (0..<length).map { _ in UInt8(0x61 + random.next() % 26) }
            lines.append(line)
            input += line + [0x0A]
        }
        input += Array("last line without newline".utf8)
        lines.append(Array("last line without newline".utf8))
        let fd = try Self.descriptor(for: input)
        defer { close(fd) }
        let reader = NDJSONChunkReader(fd: fd, name: "in", blockBytes: blockBytes)
        var seen: [[UInt8]] = []
        while var chunk = try reader.next() {
            var pieces = chunk.bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
            if pieces.last == [] { pieces.removeLast() }
            #expect(chunk.firstLine == seen.count + 1)
            #expect(chunk.bytes.last == 0x0A || seen.count + pieces.count == lines.count)
            seen += pieces
            chunk.recycle() // as the ingest workers do: the next chunks reuse this buffer
        }
        #expect(seen == lines)
        #expect(reader.bytesRead == input.count)
    }

    @Test func aRecycledBufferHeldElsewhereIsNotOverwritten() throws {
        let input = Array(String(repeating: "abcdefghij\n", count: 100).utf8)
        let fd = try Self.descriptor(for: input)
        defer { close(fd) }
        let reader = NDJSONChunkReader(fd: fd, name: "in", blockBytes: 64)
        var kept: [[UInt8]] = []
        while var chunk = try reader.next() {
            kept.append(chunk.bytes) // a second reference: reuse must copy, not write into it
            chunk.recycle()
        }
        #expect(kept.flatMap { $0 } == input)
    }
}
