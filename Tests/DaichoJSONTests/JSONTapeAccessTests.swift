import DaichoJSON
import Foundation
import Testing

@Suite("JSONTape accessors")
struct JSONTapeAccessTests {
    /// Parses `text` and runs `body` with the tape and bytes.
    static func withTape(_ text: String, _ body: (JSONTape, UnsafeRawBufferPointer) throws -> Void) throws {
        let bytes = Array(text.utf8)
        var tape = JSONTape()
        try bytes.withUnsafeBytes { b in
            try JSONParser().parse(b, into: &tape)
            try body(tape, b)
        }
    }

    @Test("tape layout of an object: kinds, starts, lengths, ends and flags")
    func layout() throws {
        try Self.withTape(#"{"a":[1,2.5],"b\n":"é","c":{}}"#) { tape, b in
            let kinds = tape.tokens.map(\.kind)
            #expect(kinds == [.object, .string, .array, .number, .number, .string, .string, .string, .object])
            #expect(tape[0].length == 3 && tape[0].end == 9)
            #expect(tape[2].length == 2 && tape[2].end == 5)
            #expect(tape[3].flags == JSONToken.isInteger && tape[4].flags == 0)
            #expect(tape[4].start == 8 && tape[4].length == 3)
            #expect(tape[5].flags == JSONToken.hasEscapes && tape[5].length == 3)
            #expect(tape[6].flags == JSONToken.nonASCII && tape[6].length == 2)
            #expect(tape[8].length == 0 && tape[8].end == 9)
        }
    }

    @Test("member finds keys, including escaped ones, and skips nested values")
    func member() throws {
        try Self.withTape(#"{"x":{"userId":"no"},"us\u0065rId":"yes","list":[1,[2]],"n":null}"#) { tape, b in
            let userId = try #require(tape.member(0, "userId", in: b))
            #expect(tape.string(userId, in: b) == "yes")
            #expect(tape.member(0, "n", in: b).map { tape[$0].kind } == .null)
            #expect(tape.member(0, "missing", in: b) == nil)
            #expect(tape.member(0, "user", in: b) == nil)
            #expect(tape.member(tape.member(0, "list", in: b)!, "x", in: b) == nil)  // not an object
        }
    }

    @Test("string equality with and without escapes, and against non-strings")
    func stringEquals() throws {
        try Self.withTape(#"["track","tr\u0061ck","tra","\/","\u00e9","é","\ud83d\ude00",1,""]"#) { tape, b in
            #expect(tape.string(1, in: b, equals: "track"))
            #expect(!tape.string(1, in: b, equals: "trac"))
            #expect(!tape.string(1, in: b, equals: "tracks"))
            #expect(tape.string(2, in: b, equals: "track"))
            #expect(!tape.string(2, in: b, equals: "trace"))
            #expect(!tape.string(2, in: b, equals: "trackX"))
            #expect(!tape.string(3, in: b, equals: "track"))
            #expect(tape.string(4, in: b, equals: "/"))
            #expect(tape.string(5, in: b, equals: "é"))
            #expect(tape.string(6, in: b, equals: "é"))
            #expect(tape.string(7, in: b, equals: "😀"))
            #expect(!tape.string(8, in: b, equals: "1"))
            #expect(tape.string(9, in: b, equals: ""))
        }
    }

    @Test("appendString unescapes every escape form to UTF-8")
    func appendString() throws {
        let text = #"["a\"b\\c\/d\be\ff\ng\rh\ti", "\u0000\u001F\u00e9\u20AC\uFFFF\ud83d\ude00\uDBFF\uDFFF", "plain é"]"#
        try Self.withTape(text) { tape, b in
            var out: [UInt8] = []
            tape.appendString(1, in: b, to: &out)
            #expect(out == Array("a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti".utf8))
            out.removeAll()
            tape.appendString(2, in: b, to: &out)
            #expect(out == Array("\u{0}\u{1F}é€\u{FFFF}😀\u{10FFFF}".utf8))
            out = [0x41]
            tape.appendString(3, in: b, to: &out)
            #expect(out == Array("Aplain é".utf8))
        }
    }

    @Test("bool reads true and false, nil for other kinds")
    func bool() throws {
        try Self.withTape("[true,false,null,0]") { tape, _ in
            #expect(tape.bool(1) == true && tape.bool(2) == false && tape.bool(3) == nil && tape.bool(4) == nil)
        }
    }
}
