import Foundation
import Testing
@testable import Daicho

/// docs/event-encoding.md "Worked example", pinned byte for byte: the NDJSON line and the annotated hex dump are
/// read from the doc itself.
@Suite struct EncodingSpecTests {
    /// The example's NDJSON line, its bytes, and the sizes its prose states (of the line, of the encoding).
    static func example() throws -> (line: String, bytes: [UInt8], statedLineBytes: Int, statedCount: Int) {
        let path = repositoryRootURL.appendingPathComponent("docs/event-encoding.md").path
        let doc = try String(contentsOfFile: path, encoding: .utf8)
        let heading = try #require(doc.range(of: "## Worked example"), "docs/event-encoding.md has no worked example")
        let section = doc[heading.upperBound...]
        let text = section[..<(section.range(of: "\n## ")?.lowerBound ?? section.endIndex)]
        let blocks = text.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        try #require(blocks.count == 2, "expected the NDJSON line and the hex dump, found \(blocks.count) blocks")
        let line = blocks[0].trimmingCharacters(in: .newlines)
        let statedLine = try #require(text.firstMatch(of: /(\d+) bytes of NDJSON/), "the prose states the line's size")
        let stated = try #require(text.firstMatch(of: /to these (\d+) bytes/), "the prose states the byte count")
        // Each dump line: hex bytes (one or two spaces apart), then the annotation.
        var bytes: [UInt8] = []
        for dumpLine in blocks[1].split(separator: "\n") {
            let hex = dumpLine.split(separator: " ").prefix { $0.wholeMatch(of: /[0-9a-f]{2}/) != nil }
            try #require(!hex.isEmpty, "a dump line without bytes: \(dumpLine)")
            bytes += try hex.map { try #require(UInt8($0, radix: 16)) }
        }
        return (line, bytes, try #require(Int(statedLine.1)), try #require(Int(stated.1)))
    }

    @Test func workedExampleMatchesSpec() throws {
        let doc = try Self.example()
        #expect(doc.line.utf8.count == doc.statedLineBytes)
        #expect(doc.bytes.count == doc.statedCount)
        let (payload, rejects) = encodeLines([doc.line])
        #expect(rejects == [nil])
        #expect(payload == doc.bytes, "encoded: \(payload.map { String(format: "%02x", $0) }.joined(separator: " "))")
        // And the doc's bytes decode to the doc's event.
        let event = try #require(try decodeAll(doc.bytes).first)
        #expect(event.id == "e1" && event.type == .purchase && event.at == 1_767_225_600_000_000 && event.utcOffsetMinutes == 540)
        #expect(event.identifiers.map(\.normalized) == ["a@b.jp"] && event.identifiers.map(\.raw) == [" A@b.jp"])
        #expect(event.props == .object([JSONMember("order_id", .string("o1")), JSONMember("amount", .int(1980)),
                                        JSONMember("currency", .string("JPY"))]))
    }
}
