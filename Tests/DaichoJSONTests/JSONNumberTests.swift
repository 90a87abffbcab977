import DaichoJSON
import Foundation
import Testing

@Suite("JSONTape numbers")
struct JSONNumberTests {
    /// Parses a single number literal and returns (int64, double).
    static func read(_ literal: String) throws -> (Int64?, Double) {
        let bytes = Array(literal.utf8)
        var tape = JSONTape()
        return try bytes.withUnsafeBytes { b in
            try JSONParser().parse(b, into: &tape)
            #expect(tape[0].kind == .number)
            return (tape.int64(0, in: b), tape.double(0, in: b))
        }
    }

    @Test("int64 at and beyond the Int64 boundaries", arguments: [
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ("9223372036854775806", Int64.max - 1), ("-9223372036854775807", Int64.min + 1),
        ("999999999999999999", 999_999_999_999_999_999), ("-999999999999999999", -999_999_999_999_999_999),
        ("0", 0), ("-0", 0), ("1", 1), ("-1", -1),
    ] as [(String, Int64)])
    func int64Boundaries(_ literal: String, _ expected: Int64) throws {
        #expect(try Self.read(literal).0 == expected)
    }

    @Test("int64 is nil when the value does not fit", arguments: [
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999",
        "1e19", "-1e19", "9.3e18", "1e400", "123456789012345678901234567890",
    ])
    func int64Overflow(_ literal: String) throws {
        #expect(try Self.read(literal).0 == nil)
    }

    @Test("int64 accepts integral values written with a fraction or exponent", arguments: [
        ("1.0", 1), ("1e3", 1_000), ("1E+3", 1_000), ("1.5e1", 15), ("-2.50e2", -250), ("0.0", 0), ("0e-5", 0),
        ("100e-2", 1), ("9.223372036854775807e18", Int64.max), ("-9.223372036854775808e18", Int64.min),
        ("12345678901234567890e-1", 1_234_567_890_123_456_789),
    ] as [(String, Int64)])
    func int64Integral(_ literal: String, _ expected: Int64) throws {
        #expect(try Self.read(literal).0 == expected)
    }

    @Test("int64 is nil for fractional values", arguments: ["0.5", "1.0000000000000000001", "1e-1", "15e-1", "-0.1"])
    func int64Fractional(_ literal: String) throws {
        #expect(try Self.read(literal).0 == nil)
    }

    @Test("double matches Double(String) on hard and boundary literals", arguments: [
        "0", "-0", "0.1", "0.3", "1e23", "8.98846567431158e307", "1.7976931348623157e308", "1.7976931348623158e308",
        "1.7976931348623159e308", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "9007199254740993", "9007199254740992.5",
        "123456789012345678901234567890", "0.000000000000000000000000000000000000001", "1e-400", "1e400", "-1e400",
        "7.038531e-26", "1448997445238699", "3.0e-44", "100000000000000000000000", "9007199254740991e22",
        "1" + String(repeating: "0", count: 400) + "e-400", "0." + String(repeating: "0", count: 30) + "1e30",
    ])
    func doubleHardCases(_ literal: String) throws {
        #expect(try Self.read(literal).1.bitPattern == Double(literal)!.bitPattern, "\(literal)")
    }

    @Test("double round-trips the shortest text of seeded random Double bit patterns")
    func doubleRoundTrip() throws {
        var rng = SeededGenerator(seed: 0xD0B1_E001)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            let (_, parsed) = try Self.read(value.description.replacingOccurrences(of: "+", with: ""))
            #expect(parsed.bitPattern == value.bitPattern, "\(value)")
        }
    }

    @Test("double matches Double(String) on seeded random decimal literals of 1–25 digits")
    func doubleRandomDecimals() throws {
        var rng = SeededGenerator(seed: 0xD0B1_E002)
        for _ in 0..<20_000 {
            var literal = Bool.random(using: &rng) ? "-" : ""
            let digits = Int.random(in: 1...25, using: &rng)
            let point = Int.random(in: 0...digits, using: &rng)
            for k in 0..<digits {
                if k == point && k > 0 { literal += "." }
                literal += String(k == 0 ? Int.random(in: 1...9, using: &rng) : Int.random(in: 0...9, using: &rng))
            }
            if Bool.random(using: &rng) { literal += "e\(Int.random(in: -330...310, using: &rng))" }
            let (_, parsed) = try Self.read(literal)
            #expect(parsed.bitPattern == Double(literal)!.bitPattern, "\(literal)")
        }
    }

    @Test("int64 matches Int64(String) on seeded random integers of every length")
    func int64Random() throws {
        var rng = SeededGenerator(seed: 0xD0B1_E003)
        for _ in 0..<20_000 {
            let value = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
            #expect(try Self.read(String(value)).0 == value)
        }
    }
}
