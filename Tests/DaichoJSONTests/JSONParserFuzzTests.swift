import DaichoJSON
import Testing

/// Random and mutated input must either parse to the value JSONSerialization reads (with a consistent tape), or
/// throw a JSONError inside the input where JSONSerialization also fails (except its documented leniencies).
@Suite("JSONParser fuzzing")
struct JSONParserFuzzTests {
    /// Parses `bytes` and checks the outcome against JSONSerialization (the deliberate differences are listed on
    /// `JSONParserReferenceTests`). - Returns: whether JSONParser accepted the bytes.
    @discardableResult
    static func parseMustNotMisbehave(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> Bool {
        switch (parseWithTape(bytes), parseWithFoundation(bytes)) {
        case (.success(let ours), .success(let reference)):
            #expect(ours.matches(reference), "\(context()): \(ours) != \(reference)")
            return true
        case (.success, .failure(let error)):
            #expect(error.description.contains("not representable"), "\(context()): only JSONParser accepts: \(error)")
            return true
        case (.failure(let error), let reference):
            #expect(error.position >= 0 && error.position <= bytes.count, "\(context()): \(error)")
            #expect(!error.reason.isEmpty)
            if case .success = reference {
                #expect(JSONParserReferenceTests.isTrailingComma(error, bytes) || JSONParserReferenceTests.looksLikeUTF16or32(bytes)
                        || bytes.starts(with: [0xEF, 0xBB, 0xBF]), "\(context()): only JSONSerialization accepts: \(error)")
            }
            return false
        }
    }

    @Test("seeded random byte strings over a JSON-heavy alphabet")
    func randomBytes() {
        var rng = SeededGenerator(seed: 0xF022_0001)
        let alphabet = Array("{}[]\"\\,:0123456789-+.eEtrufalsn u\t\n\r".utf8) + [0x00, 0x7F, 0x80, 0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xFF]
        var accepted = 0
        for round in 0..<50_000 {
            let count = Int.random(in: 0...24, using: &rng)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            if Self.parseMustNotMisbehave(bytes, "round \(round) \(bytes)") { accepted += 1 }
        }
        #expect(accepted > 100, "the accepted path was exercised only \(accepted) times")
    }

    @Test("event lines with a bit flipped, a byte inserted, a byte deleted, or cut at every position",
          arguments: sampleEventLines)
    func mutationsAtEveryPosition(_ line: String) {
        var rng = SeededGenerator(seed: 0xF022_0002)
        let original = Array(line.utf8)
        var accepted = 0, rejected = 0
        for position in 0..<original.count {
            var flipped = original
            flipped[position] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            var inserted = original
            inserted.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            var deleted = original
            deleted.remove(at: position)
            let cut = Array(original[..<position])
            for (bytes, what) in [(flipped, "flip"), (inserted, "insert"), (deleted, "delete"), (cut, "truncate")] {
                if Self.parseMustNotMisbehave(bytes, "\(what) at \(position)") { accepted += 1 } else { rejected += 1 }
            }
        }
        // A flipped bit inside a string or a digit keeps the line valid; most other damage does not.
        #expect(accepted > original.count / 4 && rejected > original.count, "accepted \(accepted), rejected \(rejected)")
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
