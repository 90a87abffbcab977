import DaichoJSON
import Testing

/// Random and mutated input must either parse (with a consistent tape) or throw a JSONError inside the input.
@Suite("JSONParser fuzzing")
struct JSONParserFuzzTests {
    /// Parses `bytes`; on success checks the tape, on failure that the error position is within bounds.
    static func parseMustNotMisbehave(_ bytes: [UInt8], _ context: @autoclosure () -> String) {
        var tape = JSONTape()
        withExactBuffer(bytes) { b in
            do throws(JSONError) {
                try JSONParser().parse(b, into: &tape)
                checkTapeInvariants(tape, b)
            } catch {
                #expect(error.position >= 0 && error.position <= bytes.count, "\(context()): \(error)")
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test("seeded random byte strings over a JSON-heavy alphabet")
    func randomBytes() {
        var rng = SeededGenerator(seed: 0xF022_0001)
        let alphabet = Array("{}[]\"\\,:0123456789-+.eEtrufalsn u\t\n\r".utf8) + [0x00, 0x7F, 0x80, 0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xFF]
        for round in 0..<50_000 {
            let count = Int.random(in: 0...24, using: &rng)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            Self.parseMustNotMisbehave(bytes, "round \(round) \(bytes)")
        }
    }

    @Test("event lines with a bit flipped, a byte inserted, a byte deleted, or cut at every position",
          arguments: sampleEventLines)
    func mutationsAtEveryPosition(_ line: String) {
        var rng = SeededGenerator(seed: 0xF022_0002)
        let original = Array(line.utf8)
        for position in 0..<original.count {
            var flipped = original
            flipped[position] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            Self.parseMustNotMisbehave(flipped, "flip at \(position)")

            var inserted = original
            inserted.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            Self.parseMustNotMisbehave(inserted, "insert at \(position)")

            var deleted = original
            deleted.remove(at: position)
            Self.parseMustNotMisbehave(deleted, "delete at \(position)")

            Self.parseMustNotMisbehave(Array(original[..<position]), "truncate at \(position)")
        }
    }

    @Test("a truncated event line is always rejected, and at the end of input unless a syntax error comes first",
          arguments: sampleEventLines)
    func truncationIsRejected(_ line: String) {
        let original = Array(line.utf8)
        var tape = JSONTape()
        for cut in 0..<original.count {
            let prefix = Array(original[..<cut])
            prefix.withUnsafeBytes { b in
                do throws(JSONError) {
                    try JSONParser().parse(b, into: &tape)
                    Issue.record("accepted a prefix of \(cut) bytes")
                } catch {
                    #expect(error.position == cut, "cut \(cut): \(error)")
                }
            }
        }
    }

    @Test("one tape reused across many documents gives the same tokens as a fresh tape")
    func tapeReuse() throws {
        var shared = JSONTape()
        for line in sampleEventLines + ["1", "[]", sampleEventLines[0]] {
            let bytes = Array(line.utf8)
            try bytes.withUnsafeBytes { b in
                var fresh = JSONTape()
                try JSONParser().parse(b, into: &fresh)
                try JSONParser().parse(b, into: &shared)
                #expect(shared.tokens == fresh.tokens)
            }
        }
    }

    @Test("errors name the problem and the byte offset")
    func errorMessages() {
        let cases: [(String, Int, String)] = [
            (#"{"a":1 "b":2}"#, 7, "expected ',' or '}' after object member"),
            ("[1 2]", 3, "expected ',' or ']' after array element"),
            (#"{"a" 1}"#, 5, "expected ':' after object key"),
            ("01", 1, "leading zero in number"),
            (#""\ud800""#, 1, "lone high surrogate escape"),
            ("[1,", 3, "unexpected end of input, expected a JSON value"),
            ("1 x", 2, "unexpected 'x' after the JSON value"),
        ]
        for (text, position, reason) in cases {
            let result = parseWithTape(Array(text.utf8))
            guard case .failure(let error) = result else {
                Issue.record("accepted \(text)")
                continue
            }
            #expect(error.position == position, "\(text)")
            #expect(error.reason == reason, "\(text)")
            #expect(error.description == "invalid JSON at byte \(position): \(reason)")
        }
    }
}
