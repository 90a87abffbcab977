import DaichoJSON
import Foundation
import Testing

@Suite("RFC 3339")
struct RFC3339Tests {
    static func parse(_ text: String) -> (micros: Int64, offsetMinutes: Int16)? {
        Array(text.utf8).withUnsafeBytes { RFC3339.parse($0) }
    }

    @Test("valid date-times and their UTC microseconds and offsets", arguments: [
        ("1970-01-01T00:00:00Z", 0, 0),
        ("1970-01-01T00:00:00.000001Z", 1, 0),
        ("1969-12-31T23:59:59.999999Z", -1, 0),
        ("2026-11-23T09:15:00.123+09:00", 1_795_392_900_123_000, 540),
        ("2026-11-23t00:15:00.123z", 1_795_392_900_123_000, 0),
        ("2026-11-23 00:15:00.123Z", 1_795_392_900_123_000, 0),
        ("2026-11-22T19:45:00.123-04:30", 1_795_392_900_123_000, -270),
        ("2026-11-23T00:15:00.123-00:00", 1_795_392_900_123_000, 0),
        ("2026-11-23T00:15:00.1234567890123Z", 1_795_392_900_123_456, 0),
        ("2026-11-23T00:15:00.1Z", 1_795_392_900_100_000, 0),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000, 0),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999, 0),
        ("2000-02-29T12:00:00Z", 951_825_600_000_000, 0),
        ("2024-02-29T00:00:00+23:59", 1_709_164_800_000_000 - 86_340_000_000, 1_439),
    ] as [(String, Int64, Int16)])
    func valid(_ text: String, _ micros: Int64, _ offset: Int16) throws {
        let parsed = try #require(Self.parse(text), "\(text)")
        #expect(parsed.micros == micros && parsed.offsetMinutes == offset, "\(text)")
    }

    @Test("invalid date-times are rejected", arguments: [
        "", "2026-11-23", "2026-11-23T09:15:00", "2026-11-23T09:15Z", "2026-11-23T09:15:00.Z", "2026-11-23T09:15:00.",
        "0000-01-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:61Z", "2026-01-01T12:00:60Z",
        "2026-01-01T23:59:60+01:00", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
        "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00+01", "2026-01-01T00:00:00 Z", "2026-01-01T00:00:00ZZ",
        "2026-01-01X00:00:00Z", "2026/01/01T00:00:00Z", "2026-1-01T00:00:00Z", "+2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00z ", " 2026-01-01T00:00:00Z", "２０２６-01-01T00:00:00Z", "2026-01-01T0a:00:00Z",
        "2026-01-01T00:00:00.12a4Z", "2026-01-01T00:00:00+01:00:00",
    ])
    func invalid(_ text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    /// Issue 8: `23:59:60` was silently changed to `23:59:59.999999`; a leap second is now refused (Unix time has none).
    @Test("a leap second is refused, not clamped to 23:59:59.999999", arguments: [
        "1990-12-31T23:59:60Z", "1990-12-31T15:59:60-08:00", "1998-12-31T23:59:60.5Z", "2016-12-31T23:59:60.999999z",
    ])
    func leapSecondIsRefused(_ text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    @Test("leap years: 2024-02-29 and 2000-02-29 exist, 2026-02-29 and 1900-02-29 do not")
    func leapYears() {
        #expect(Self.parse("2024-02-29T00:00:00Z") != nil)
        #expect(Self.parse("2000-02-29T00:00:00Z") != nil)
        #expect(Self.parse("2026-02-29T00:00:00Z") == nil)
        #expect(Self.parse("1900-02-29T00:00:00Z") == nil)
        #expect(Self.parse("2100-02-29T00:00:00Z") == nil)
        #expect(RFC3339.isLeapYear(2400) && !RFC3339.isLeapYear(2100))
    }

    @Test("seeded random times in 1970–2100 with offsets agree with Foundation's Calendar and round-trip")
    func randomAgainstCalendar() throws {
        var rng = SeededGenerator(seed: 0x3339_0001)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for _ in 0..<5_000 {
            let year = Int.random(in: 1970...2100, using: &rng), month = Int.random(in: 1...12, using: &rng)
            let day = Int.random(in: 1...RFC3339.daysInMonth(month, year: year), using: &rng)
            let hour = Int.random(in: 0...23, using: &rng), minute = Int.random(in: 0...59, using: &rng)
            let second = Int.random(in: 0...59, using: &rng)
            let micros = [0, Int.random(in: 0...999, using: &rng) * 1_000, Int.random(in: 0...999_999, using: &rng)]
                .randomElement(using: &rng)!
            let offset = Bool.random(using: &rng) ? 0 : Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &rng)
            var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second)
            if micros != 0 { text += String(format: ".%06d", micros) }
            text += offset == 0 ? "Z" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)

            let local = try #require(calendar.date(from: DateComponents(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
            let expected = (Int64(local.timeIntervalSince1970) - Int64(offset) * 60) * 1_000_000 + Int64(micros)
            let parsed = try #require(Self.parse(text), "\(text)")
            #expect(parsed.micros == expected && parsed.offsetMinutes == Int16(offset), "\(text)")

            // format(parse(x)) is canonical: equal to x apart from the fraction's trailing zeros.
            var canonical = text
            if micros != 0 && micros % 1_000 == 0 { canonical = canonical.replacingOccurrences(of: String(format: ".%06d", micros), with: String(format: ".%03d", micros / 1_000)) }
            #expect(RFC3339.string(micros: parsed.micros, offsetMinutes: parsed.offsetMinutes) == canonical)
        }
    }

    @Test("format writes the same local fields as Foundation's Calendar for a fixed offset")
    func formatAgainstCalendar() throws {
        // ISO8601DateFormatter with a fixed-offset zone crashes in swift-corelibs-foundation here, so the
        // reference is Calendar.dateComponents(in:from:).
        var rng = SeededGenerator(seed: 0x3339_0002)
        let calendar = Calendar(identifier: .gregorian)
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: 0...4_102_444_800, using: &rng)
            let offset = Int16.random(in: -(18 * 60)...(18 * 60), using: &rng)  // Foundation's TimeZone limit
            let zone = try #require(TimeZone(secondsFromGMT: Int(offset) * 60))
            let c = calendar.dateComponents(in: zone, from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            var expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            expected += offset == 0 ? "Z" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(Int(offset)) / 60, abs(Int(offset)) % 60)
            #expect(RFC3339.string(micros: seconds * 1_000_000, offsetMinutes: offset) == expected)
        }
    }

    @Test("format writes milliseconds or microseconds only when needed, before the epoch too")
    func formatFractions() {
        #expect(RFC3339.string(micros: 0, offsetMinutes: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(micros: 123_000, offsetMinutes: 0) == "1970-01-01T00:00:00.123Z")
        #expect(RFC3339.string(micros: 123_400, offsetMinutes: 0) == "1970-01-01T00:00:00.123400Z")
        #expect(RFC3339.string(micros: -1, offsetMinutes: 0) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.string(micros: -1_000, offsetMinutes: -90) == "1969-12-31T22:29:59.999-01:30")
        #expect(RFC3339.string(micros: -62_135_596_800_000_000, offsetMinutes: 0) == "0001-01-01T00:00:00Z")
        var out: [UInt8] = Array("t=".utf8)
        RFC3339.format(micros: 1_795_392_900_123_000, offsetMinutes: 540, into: &out)
        #expect(out == Array("t=2026-11-23T09:15:00.123+09:00".utf8))
    }

    @Test("days from civil and back agree for every day from 0001 to 9999")
    func civilDaysRoundTrip() {
        var days = RFC3339.daysFromCivil(year: 1, month: 1, day: 1)
        for year in 1...9999 {
            for month in 1...12 {
                for day in 1...RFC3339.daysInMonth(month, year: year) {
                    guard RFC3339.daysFromCivil(year: year, month: month, day: day) == days,
                          RFC3339.civilFromDays(days) == (year, month, day) else {
                        Issue.record("mismatch at \(year)-\(month)-\(day)")
                        return
                    }
                    days += 1
                }
            }
        }
        #expect(days == RFC3339.daysFromCivil(year: 10000, month: 1, day: 1))
    }

    @Test("mutated date-times never crash; anything accepted is the reference's instant, and formats and parses back to it")
    func mutations() {
        var accepted = 0
        var rng = SeededGenerator(seed: 0x3339_0003)
        let seeds = ["2026-11-23T09:15:00.123+09:00", "1990-12-31T23:59:59Z", "2024-02-29 00:00:00.5-00:00"]
        let alphabet = Array("0123456789-:.+TtZz 6".utf8) + [0x00, 0xFF]
        for _ in 0..<20_000 {
            var bytes = Array(seeds.randomElement(using: &rng)!.utf8)
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes[position] = alphabet.randomElement(using: &rng)!
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            default: bytes.removeSubrange(position...)
            }
            guard let parsed = withExactBuffer(bytes, { RFC3339.parse($0) }) else { continue }
            accepted += 1
            let reference = referenceRFC3339(bytes)
            #expect(reference?.micros == parsed.micros && reference?.offsetMinutes == parsed.offsetMinutes,
                    "\(String(decoding: bytes, as: UTF8.self)): parsed \(parsed), reference \(String(describing: reference))")
            let again = Self.parse(RFC3339.string(micros: parsed.micros, offsetMinutes: parsed.offsetMinutes))
            #expect(again?.micros == parsed.micros && again?.offsetMinutes == parsed.offsetMinutes, "\(bytes)")
        }
        // A digit replaced by a digit keeps most date-times valid: the accepted path runs thousands of times.
        #expect(accepted > 1_000, "only \(accepted) mutated date-times were accepted")
    }
}
