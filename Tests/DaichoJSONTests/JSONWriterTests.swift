import DaichoJSON
import Foundation
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    static func written(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("strings: quotes, backslashes and control characters escaped; '/' and non-ASCII kept")
    func stringEscaping() {
        #expect(Self.written { JSONWriter.appendString("plain", to: &$0) } == #""plain""#)
        #expect(Self.written { JSONWriter.appendString("", to: &$0) } == #""""#)
        #expect(Self.written { JSONWriter.appendString("a\"b\\c/d é😀", to: &$0) } == #""a\"b\\c/d é😀""#)
        #expect(Self.written { JSONWriter.appendString("\u{8}\u{9}\u{A}\u{C}\u{D}", to: &$0) } == #""\b\t\n\f\r""#)
        #expect(Self.written { JSONWriter.appendString("\u{0}\u{1}\u{1F}\u{7F}", to: &$0) } == "\"\\u0000\\u0001\\u001f\u{7F}\"")
    }

    @Test("seeded random strings written and parsed back are unchanged")
    func stringRoundTrip() throws {
        var rng = SeededGenerator(seed: 0x3217_0001)
        let pool: [Unicode.Scalar] = (0...0x7F).map { Unicode.Scalar($0)! } + ["é", "東", "😀", "\u{10FFFF}", "\u{2028}"]
        var tape = JSONTape()
        for _ in 0..<2_000 {
            let original = String(String.UnicodeScalarView((0..<Int.random(in: 0...40, using: &rng)).map { _ in
                pool.randomElement(using: &rng)!
            }))
            var out: [UInt8] = []
            JSONWriter.appendString(original, to: &out)
            var decoded: [UInt8] = []
            try out.withUnsafeBytes { b in
                try JSONParser().parse(b, into: &tape)
                tape.appendString(0, in: b, to: &decoded)
            }
            #expect(decoded == Array(original.utf8))
            #expect(try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String == original)
        }
    }

    @Test("integers at the boundaries", arguments: [Int64.min, Int64.min + 1, -1, 0, 1, 9, 10, Int64.max])
    func integers(_ value: Int64) {
        #expect(Self.written { JSONWriter.appendInt(value, to: &$0) } == String(value))
    }

    @Test("doubles in shortest round-trip form, integral values keeping their \".0\"", arguments: [
        (12.0, "12.0"), (-0.0, "-0.0"), (-3.0, "-3.0"), (9_007_199_254_740_991.0, "9007199254740991.0"),
        (9_007_199_254_740_992.0, "9007199254740992.0"), (1e16, "1e+16"), (0.1, "0.1"), (-1.5, "-1.5"), (1e-5, "1e-05"),
        (1e300, "1e+300"), (.nan, "null"), (.infinity, "null"), (-.infinity, "null"),
    ] as [(Double, String)])
    func doubles(_ value: Double, _ text: String) {
        #expect(Self.written { JSONWriter.appendDouble(value, to: &$0) } == text)
    }

    @Test("seeded random doubles written and parsed back are bit-identical, and stay non-integer literals")
    func doubleRoundTrip() throws {
        var rng = SeededGenerator(seed: 0x3217_0002)
        var tape = JSONTape()
        for _ in 0..<10_000 {
            let value = Bool.random(using: &rng)
                ? Double(bitPattern: rng.next())
                : Double(Int64.random(in: -1_000_000...1_000_000, using: &rng)) / [1, 10, 100, 1000].randomElement(using: &rng)!
            guard value.isFinite else { continue }
            var out: [UInt8] = []
            JSONWriter.appendDouble(value, to: &out)
            try out.withUnsafeBytes { b in
                try JSONParser().parse(b, into: &tape)
                #expect(tape.double(0, in: b) == value, "\(value)")
                #expect(tape[0].flags & JSONToken.isInteger == 0, "a double must not read back as an integer literal")
            }
        }
    }
}
