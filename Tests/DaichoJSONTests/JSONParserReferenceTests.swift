import DaichoJSON
import Foundation
import Testing

/// Accept/reject decisions and values compared with JSONSerialization, the slow reference.
///
/// Deliberate differences (each has its own test below):
/// - Trailing commas (`[1,]`, `{"a":1,}`): JSONSerialization accepts them, RFC 8259 and JSONParser do not.
/// - A UTF-8 byte order mark before the value: JSONSerialization skips it, JSONParser rejects it.
/// - Numbers beyond the Double range (`1e400`): JSONSerialization rejects them, JSONParser accepts the grammar
///   and `double` gives ±infinity.
/// - Nesting: JSONSerialization allows 512 levels, JSONParser `maxDepth` (64 by default); the comparisons use 512.
/// - UTF-16/UTF-32: JSONSerialization guesses them from NUL bytes among the first four; JSONParser is UTF-8 only.
/// - Number values: JSONSerialization does not round long literals correctly, so values are compared within
///   1e-14 relative, and every number on every tape is checked bit-exactly against `Double(String)`.
/// - Duplicate keys are allowed by both (the tape keeps every member; the validator upstream rejects them).
@Suite("JSONParser against JSONSerialization")
struct JSONParserReferenceTests {
    static let valid: [String] = [
        "0", "-0", "1", "-1", "0.5", "-0.0", "1e5", "1E+5", "1e-5", "123.456e-7", "9223372036854775807",
        "-9223372036854775808", "1.7976931348623157e308", "5e-324", "true", "false", "null", "\"\"", "\"a\"",
        " \t\n\r1 \t\n\r", "[]", "{}", "[ ]", "{ }", "[1,2,3]", "[[[]]]", "{\"a\":{\"b\":{\"c\":[]}}}",
        "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u0000\"", "\"\\u00e9\\u00E9\"", "\"\\ud83d\\ude00\"",
        "\"\\uDBFF\\uDFFF\"", "\"\\uFFFF\"", "\"é東😀\u{10FFFF}\"", "\"\u{7F}\"", "{\"a\":1,\"a\":2}",
        "[true,false,null,\"x\",1.5,{}]", "{\"\":\"\"}", "{\"k\" : [ 1 , { \"x\" : null } ] }",
    ]

    static let invalid: [String] = [
        "", " ", "[", "]", "{", "}", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "{1:2}", "{\"a\" 1}",
        "{\"a\":1 \"b\":2}", "[1 2]", "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "1.e5", "-.5",
        "NaN", "Infinity", "-Infinity", "tru", "truee", "nul", "fals", "True", "\"abc", "\"\\\"",
        "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"\\ud800\\ud800\"", "\"\\ud800x\"", "\"\t\"", "\"\n\"", "\"\u{1F}\"", "1 2", "[] []", "{}x", "'a'",
        "[1]]", "{\"a\":1}}", "\u{0B}1", "\u{0C}1", "[,1]", "{,}", "{\"a\":1,,\"b\":2}",
    ]

    static let invalidUTF8: [[UInt8]] = [
        [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
        [0x22, 0xC1, 0xBF, 0x22],              // overlong
        [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong 3-byte
        [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],  // overlong 4-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // encoded surrogate U+D800
        [0x22, 0xED, 0xBF, 0xBF, 0x22],        // encoded surrogate U+DFFF
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // U+110000
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // lead byte above F4
        [0x22, 0xE2, 0x82, 0x22],              // truncated
        [0x22, 0xE2, 0x82],                    // truncated at end of input
        [0x22, 0x80, 0x22],                    // stray continuation
        [0x22, 0xFF, 0x22],
        [0x22, 0xC3, 0x28, 0x22],              // bad continuation
    ]

    @Test("hand-written valid documents parse to the same values as JSONSerialization",
          arguments: valid)
    func validCorpus(_ text: String) throws {
        let ours = try parseWithTape(Array(text.utf8)).get()
        let reference = try parseWithFoundation(Array(text.utf8)).get()
        #expect(ours.matches(reference))
    }

    @Test("hand-written invalid documents are rejected by both, at a position within the input",
          arguments: invalid)
    func invalidCorpus(_ text: String) {
        let bytes = Array(text.utf8)
        let ours = parseWithTape(bytes)
        guard case .failure(let error) = ours else {
            Issue.record("accepted invalid JSON \(String(reflecting: text))")
            return
        }
        #expect(error.position >= 0 && error.position <= bytes.count)
        if case .success = parseWithFoundation(bytes) { Issue.record("JSONSerialization accepts \(text)") }
    }

    @Test("malformed UTF-8 inside strings is rejected at the offending byte", arguments: invalidUTF8)
    func invalidUTF8Corpus(_ bytes: [UInt8]) {
        guard case .failure(let error) = parseWithTape(bytes) else {
            Issue.record("accepted \(bytes)")
            return
        }
        #expect(error.position == 1 || error.position == bytes.count)
        if case .success = parseWithFoundation(bytes) { Issue.record("JSONSerialization accepts \(bytes)") }
    }

    @Test("seeded random valid documents parse to the same values as JSONSerialization")
    func randomDocuments() throws {
        var generator = DocumentGenerator(rng: SeededGenerator(seed: 0xDA1C_0001))
        for round in 0..<3_000 {
            let document = generator.document()
            let ours = parseWithTape(document)
            let reference = parseWithFoundation(document)
            switch (ours, reference) {
            case (.success(let a), .success(let b)):
                #expect(a.matches(b), "round \(round): \(String(decoding: document, as: UTF8.self))")
            case (.success, .failure(let error)):
                // The only documented reason: a number beyond the Double range.
                #expect(error.description.contains("not representable"), "round \(round): \(error)")
            case (.failure(let error), _):
                Issue.record("round \(round): rejected valid \(String(decoding: document, as: UTF8.self)): \(error)")
            }
        }
    }

    @Test("byte-level mutations of random documents get the same accept/reject decision as JSONSerialization")
    func mutatedDocuments() {
        var generator = DocumentGenerator(rng: SeededGenerator(seed: 0xDA1C_0002))
        var rng = SeededGenerator(seed: 0xDA1C_0003)
        let alphabet = Array("{}[]\",:0123456789-+.eEtrufalsn \\u\t\n".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xE2, 0xF0]
        var differences = 0
        for round in 0..<20_000 {
            var document = generator.document(maxDepth: 3)
            let position = Int.random(in: 0...document.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where position < document.count: document[position] = alphabet.randomElement(using: &rng)!
            case 1: document.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where position < document.count: document.remove(at: position)
            default: document.removeSubrange(position...)
            }
            let ours = parseWithTape(document, maxDepth: 512)
            let reference = parseWithFoundation(document)
            let text = String(decoding: document, as: UTF8.self)
            switch (ours, reference) {
            case (.success(let a), .success(let b)):
                #expect(a.matches(b), "round \(round): \(text)")
            case (.failure, .failure):
                break
            case (.failure(let error), .success):
                #expect(Self.isTrailingComma(error, document) || Self.looksLikeUTF16or32(document), "round \(round): \(document): \(error)")
                differences += 1
            case (.success, .failure(let error)):
                #expect(error.description.contains("not representable"), "round \(round): \(document): \(error)")
                differences += 1
            }
        }
        #expect(differences < 2_000)
    }

    /// Whether our rejection is JSONSerialization's trailing-comma leniency: a ']' or '}' right after ','.
    static func isTrailingComma(_ error: JSONError, _ document: [UInt8]) -> Bool {
        guard error.position < document.count,
              document[error.position] == UInt8(ascii: "]") || document[error.position] == UInt8(ascii: "}")
        else { return false }
        var k = error.position - 1
        while k >= 0 && [0x20, 0x09, 0x0A, 0x0D].contains(document[k]) { k -= 1 }
        return k >= 0 && document[k] == UInt8(ascii: ",")
    }

    /// Whether JSONSerialization would read the bytes as UTF-16 or UTF-32: it guesses the encoding from NUL bytes
    /// among the first four (the RFC 4627 scheme); JSONParser reads UTF-8 only (RFC 8259).
    static func looksLikeUTF16or32(_ document: [UInt8]) -> Bool {
        document.prefix(4).contains(0)
    }

    @Test("UTF-16 text: rejected by JSONParser (UTF-8 only), decoded by JSONSerialization",
          arguments: [[0x31, 0x00], [0x00, 0x31], [0x5B, 0x00, 0x31, 0x00, 0x5D, 0x00]] as [[UInt8]])
    func utf16Text(_ bytes: [UInt8]) {
        guard case .failure(let error) = parseWithTape(bytes) else {
            Issue.record("accepted UTF-16 \(bytes)")
            return
        }
        #expect(bytes[error.position] == 0)
        #expect(Self.looksLikeUTF16or32(bytes))
        #expect((try? parseWithFoundation(bytes).get()) != nil)
    }

    @Test("trailing commas: rejected by JSONParser, accepted by JSONSerialization (deliberate difference)",
          arguments: ["[1,]", "{\"a\":1,}", "[1 , ]"])
    func trailingCommas(_ text: String) {
        guard case .failure(let error) = parseWithTape(Array(text.utf8)) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(Self.isTrailingComma(error, Array(text.utf8)))
        #expect((try? parseWithFoundation(Array(text.utf8)).get()) != nil)
    }

    @Test("byte order mark: rejected by JSONParser, skipped by JSONSerialization (deliberate difference)")
    func byteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0x31]
        guard case .failure(let error) = parseWithTape(bytes) else {
            Issue.record("accepted a BOM")
            return
        }
        #expect(error.position == 0)
        #expect((try? parseWithFoundation(bytes).get()) == .number(1))
    }

    @Test("numbers beyond the Double range: accepted by JSONParser as ±infinity, rejected by JSONSerialization")
    func outOfRangeNumbers() throws {
        #expect(try parseWithTape(Array("[1e400,-1e400,1e-400]".utf8)).get()
            == .array([.number(.infinity), .number(-.infinity), .number(0)]))
        #expect((try? parseWithFoundation(Array("1e400".utf8)).get()) == nil)
    }

    @Test("duplicate keys are allowed; the tape keeps both members and member(_:_:) finds the first")
    func duplicateKeys() throws {
        let bytes = Array(#"{"a":1,"a":2}"#.utf8)
        var tape = JSONTape()
        try bytes.withUnsafeBytes { b in
            try JSONParser().parse(b, into: &tape)
            #expect(tape[0].length == 2)
            #expect(tape.member(0, "a", in: b).map { tape.int64($0, in: b) } == 1)
        }
    }

    @Test("depth limit: maxDepth levels parse, one more is an error at the opening bracket")
    func depthLimit() throws {
        for maxDepth in [1, 2, 64] {
            let ok = Array((String(repeating: "[", count: maxDepth) + String(repeating: "]", count: maxDepth)).utf8)
            #expect(throws: Never.self) { try parseWithTape(ok, maxDepth: maxDepth).get() }
            let deep = Array((String(repeating: "{\"a\":", count: maxDepth) + "[1]" + String(repeating: "}", count: maxDepth)).utf8)
            guard case .failure(let error) = parseWithTape(deep, maxDepth: maxDepth) else {
                Issue.record("accepted depth \(maxDepth + 1)")
                continue
            }
            #expect(error.position == deep.firstIndex(of: UInt8(ascii: "["))!)
            #expect(error.reason.contains("nesting"))
        }
        // Far deeper than any limit must fail quickly, without recursion.
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONError.self) { try parseWithTape(huge).get() }
    }
}
