import DaichoJSON
import Testing

@Suite("UTF8Validator")
struct UTF8ValidatorTests {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validator.isValid($0) }
    }

    /// The standard library's own decoder, the reference.
    static func reference(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    @Test("boundary sequences from the Unicode table of well-formed UTF-8", arguments: [
        ([], true), ([0x7F], true), ([0xC2, 0x80], true), ([0xDF, 0xBF], true), ([0xE0, 0xA0, 0x80], true),
        ([0xED, 0x9F, 0xBF], true), ([0xEE, 0x80, 0x80], true), ([0xF0, 0x90, 0x80, 0x80], true),
        ([0xF4, 0x8F, 0xBF, 0xBF], true), ([0xC0, 0x80], false), ([0xC1, 0xBF], false), ([0xE0, 0x9F, 0xBF], false),
        ([0xED, 0xA0, 0x80], false), ([0xF0, 0x8F, 0xBF, 0xBF], false), ([0xF4, 0x90, 0x80, 0x80], false),
        ([0xF5, 0x80, 0x80, 0x80], false), ([0x80], false), ([0xC2], false), ([0xE2, 0x82], false),
        ([0xF0, 0x9F, 0x98], false), ([0xC2, 0x41], false), ([0xFE], false), ([0xFF], false),
    ] as [([UInt8], Bool)])
    func boundaries(_ bytes: [UInt8], _ valid: Bool) {
        #expect(Self.isValid(bytes) == valid)
        #expect(Self.reference(bytes) == valid)
    }

    @Test("seeded random byte strings, mostly ASCII with multi-byte pieces, agree with String(validating:)")
    func randomAgainstStandardLibrary() {
        var rng = SeededGenerator(seed: 0x0F8_0001)
        let pieces: [[UInt8]] = [[0xC3, 0xA9], [0xE6, 0x9D, 0xB1], [0xF0, 0x9F, 0x98, 0x80], [0x80], [0xED, 0xA0], [0xF4, 0x90]]
        var invalid = 0
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: bytes += pieces.randomElement(using: &rng)!
                case 1: bytes.append(UInt8.random(in: 0x80...0xFF, using: &rng))
                default: bytes.append(UInt8.random(in: 0...0x7F, using: &rng))
                }
            }
            let expected = Self.reference(bytes)
            #expect(Self.isValid(bytes) == expected, "\(bytes)")
            if !expected { invalid += 1 }
        }
        #expect(invalid > 1_000 && invalid < 19_000)
    }
}
