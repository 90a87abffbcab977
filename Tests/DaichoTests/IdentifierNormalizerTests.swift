import Foundation
import Testing
@testable import Daicho


/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Identifier kinds")
struct IdentifierKindTests {
    @Test func codesAreIndicesAndTheFirstElevenKeepTheirOrder() {
        for (index, kind) in IdentifierKind.all.enumerated() { #expect(Int(kind.code) == index) }
        #expect(IdentifierKind.all.prefix(11).map(\.name) == [
            "user_id", "email", "phone", "anonymous_id", "device_id",
            "x", "instagram", "line", "youtube", "facebook", "tiktok",
        ])
        #expect(Set(IdentifierKind.all.map(\.name)).count == IdentifierKind.all.count)
    }

    @Test func lookupFromBytesFindsEveryKindByName() {
        for kind in IdentifierKind.all {
            var name = kind.name
            let found = name.withUTF8 { IdentifierKind.lookup(UnsafeRawBufferPointer($0)) }
            #expect(found == kind)
            #expect(found?.name == kind.name)
            #expect(found?.identifierClass == kind.identifierClass)
            #expect(IdentifierKind.named(kind.name) == kind)
            #expect(IdentifierKind.withCode(kind.code) == kind)
        }
    }

    @Test(arguments: ["", "Email", "EMAIL", "emai", "emails", "mail", "y", "userid", "user-id", "anonymous_ie",
                      "linee", "passport", "wechaT", "kakaotalK", "note "])
    func lookupRejectsUnknownNames(name: String) {
        #expect(IdentifierKind.named(name) == nil)
    }

    @Test func unknownCodeHasNoKind() {
        #expect(IdentifierKind.withCode(UInt8(IdentifierKind.all.count)) == nil)
        #expect(IdentifierKind.withCode(255) == nil)
    }

    @Test func schemaEnumListsTheSameKindsInTheSameOrder() throws {
        let url = repositoryRoot.appendingPathComponent("schemas/identifiers.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let names = (schema["propertyNames"] as? [String: Any])?["enum"] as? [String]
        #expect(names == IdentifierKind.all.map(\.name))
    }

    @Test func socialKindsAreHandles() {
        for kind in IdentifierKind.all.dropFirst(5) { #expect(kind.identifierClass == .socialHandle) }
    }
}

@Suite("Phone countries")
struct PhoneCountryTests {
    @Test func tableHasAtLeastFifteenDistinctWellFormedCountries() {
        let known = PhoneCountry.known
        #expect(known.count >= 15)
        #expect(Set(known.map(\.isoCode)).count == known.count)
        let digits = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        for country in known {
            #expect(country.isoCode.count == 2 && country.isoCode == country.isoCode.uppercased())
            #expect(digits(country.callingCode) && !country.callingCode.hasPrefix("0"))
            #expect(digits(country.internationalPrefix))
            #expect(country.trunkPrefix.map(digits) ?? true)
            #expect(country.trunkPrefix != nil || country.bareNumbersAreNational, "\(country.isoCode)")
        }
    }

    @Test func lookupByISOCodeIgnoresCase() {
        #expect(PhoneCountry.byISOCode("JP") == .japan)
        #expect(PhoneCountry.byISOCode("us")?.callingCode == "1")
        #expect(PhoneCountry.byISOCode("ZZ") == nil)
        #expect(PhoneCountry.japan.callingCode == "81" && PhoneCountry.japan.trunkPrefix == "0")
    }
}

@Suite("Identifier normalization")
struct IdentifierNormalizerTests {
    let japan = IdentifierNormalizer()

    /// Normalizes through the byte API, checking that `out` keeps what it held before.
    func normalizeBytes(_ raw: [UInt8], kind: IdentifierKind, with normalizer: IdentifierNormalizer? = nil)
        -> Result<[UInt8], NormalizationFailure> {
        let prefix: [UInt8] = Array("prefix|".utf8)
        var out = prefix
        let failure = raw.withUnsafeBytes { (normalizer ?? japan).normalize($0, kind: kind, into: &out) }
        #expect(Array(out.prefix(prefix.count)) == prefix)
        if let failure {
            #expect(out == prefix, "a failure must leave out unchanged")
            return .failure(failure)
        }
        return .success(Array(out.dropFirst(prefix.count)))
    }

    static let examples: [(IdentifierKind, String, String)] = [
        (.email, " Taro.Yamada@Example.CO.JP ", "taro.yamada@example.co.jp"),
        (.email, "ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "taro@example.com"),
        (.email, "\u{3000}hanako@example.com\u{3000}", "hanako@example.com"),
        (.email, "\u{FEFF}a@b.jp\t", "a@b.jp"),
        (.email, "Customer.Support+jp@Example.com", "customer.support+jp@example.com"),
        (.email, "ÉLODIE@Exemple.FR", "élodie@exemple.fr"),
        (.email, "山田@例え.jp", "山田@例え.jp"),
        (.phone, "090-1234-5678", "+819012345678"),
        (.phone, "０９０－１２３４－５６７８", "+819012345678"),
        (.phone, "+81 90 1234 5678", "+819012345678"),
        (.phone, "(090) 1234-5678", "+819012345678"),
        (.phone, "+81-90-1234-5678", "+819012345678"),
        (.phone, "+81 (0)90-1234-5678", "+819012345678"),
        (.phone, "+81 090 1234 5678", "+819012345678"),
        (.phone, "010-81-90-1234-5678", "+819012345678"),
        (.phone, "090ー1234ー5678", "+819012345678"),
        (.phone, "090.1234.5678", "+819012345678"),
        (.phone, "090/1234/5678", "+819012345678"),
        (.phone, "＋８１　９０　１２３４　５６７８", "+819012345678"),
        (.phone, "٠٩٠١٢٣٤٥٦٧٨", "+819012345678"),
        (.phone, "03-1234-5678", "+81312345678"),
        (.phone, "0120-123-456", "+81120123456"),
        (.phone, "+1 (212) 555-0123", "+12125550123"),
        (.phone, "010-1-212-555-0123", "+12125550123"),
        (.phone, "+44 (0)20 7946 0958", "+442079460958"),
        (.phone, "+39 06 1234 5678", "+390612345678"),
        (.x, "@Taro_Yamada", "taro_yamada"),
        (.instagram, "＠hanako.style", "hanako.style"),
        (.youtube, "  KenjiVlog ", "kenjivlog"),
        (.line, "Ｔａｒｏ＿Ｌｉｎｅ", "taro_line"),
        (.weibo, "微博用户", "微博用户"),
        (.userID, " U-000123 ", "U-000123"),
        (.userID, "AbC-Def", "AbC-Def"),
        (.anonymousID, "\u{3000}ユーザー１\u{3000}", "ユーザー１"),
        (.deviceID, "iPhone 15 Pro", "iPhone 15 Pro"),
    ]

    @Test(arguments: examples)
    func normalizesTheDocumentedExamples(kind: IdentifierKind, raw: String, expected: String) {
        #expect(japan.normalize(raw, kind: kind) == .success(expected))
        #expect(normalizeBytes(Array(raw.utf8), kind: kind) == .success(Array(expected.utf8)))
    }

    @Test(arguments: [
        ("(212) 555-0123", "+12125550123"), ("1-212-555-0123", "+12125550123"),
        ("212.555.0123", "+12125550123"), ("011 81 90 1234 5678", "+819012345678"),
        ("+81 (0)90 1234 5678", "+819012345678"),
    ])
    func usesTheDefaultCountrysPrefixes(raw: String, expected: String) throws {
        let us = IdentifierNormalizer(defaultCountry: try #require(PhoneCountry.byISOCode("US")))
        #expect(us.normalize(raw, kind: .phone) == .success(expected))
    }

    @Test func countriesWithoutTrunkPrefixReadBareNumbersAsNational() throws {
        let italy = IdentifierNormalizer(defaultCountry: try #require(PhoneCountry.byISOCode("IT")))
        #expect(italy.normalize("06 1234 5678", kind: .phone) == .success("+390612345678"))
        #expect(italy.normalize("00 81 90 1234 5678", kind: .phone) == .success("+819012345678"))
    }

    static let failures: [(IdentifierKind, String, NormalizationFailure)] = [
        (.email, "taro.example.com", .emailWithoutAt),
        (.email, "a@b@c", .emailTooManyAt),
        (.email, "taro＠＠example.com", .emailTooManyAt),
        (.email, "@example.com", .emailEmptyPart),
        (.email, "taro@", .emailEmptyPart),
        (.email, "taro yamada@example.com", .invalidCharacter),
        (.email, "taro\u{3000}yamada@example.com", .invalidCharacter),
        (.email, "a\u{0}@b", .invalidCharacter),
        (.email, "   ", .empty),
        (.email, "", .empty),
        (.phone, "090-ABCD-5678", .invalidCharacter),
        (.phone, "090-1234-5678 ext. 12", .invalidCharacter),
        (.phone, "090-1234-5678 内線12", .invalidCharacter),
        (.phone, "090+1234", .invalidCharacter),
        (.phone, "03-1234", .phoneTooShort),
        (.phone, "+81 1234", .phoneTooShort),
        (.phone, "9012345678", .phoneNoCountryCode),
        (.phone, "81 90 1234 5678", .phoneNoCountryCode),
        (.phone, "+81 90 1234 5678 9012 3456", .phoneTooLong),
        (.phone, String(repeating: "9", count: 40), .phoneTooLong),
        (.phone, "+0 90 1234 5678", .phoneBadCountryCode),
        (.phone, "070-0123-4567", .phoneUnallocated),
        (.phone, "+81 70 0123 4567", .phoneUnallocated),
        (.phone, "02-1234-5678", .phoneUnallocated),
        (.phone, "090-1234-567", .phoneImpossibleLength),
        (.phone, "03-1234-56789", .phoneImpossibleLength),
        (.phone, "0120-123-4567", .phoneImpossibleLength),
        (.phone, "+81 90 1234 5678 901", .phoneImpossibleLength),
        (.phone, "010 0 1234 5678", .phoneBadCountryCode),
        (.phone, "--", .phoneNoDigits),
        (.phone, "+", .phoneNoDigits),
        (.phone, " ", .empty),
        (.x, "@", .handleEmpty),
        (.instagram, " ＠ ", .handleEmpty),
        (.line, "taro line", .invalidCharacter),
        (.tiktok, "@@double", .invalidCharacter),
        (.note, "", .empty),
        (.userID, "   ", .empty),
        (.userID, "a\tb", .invalidCharacter),
        (.deviceID, "dev\u{7}ice", .invalidCharacter),
        (.anonymousID, String(repeating: "a", count: 513), .tooLong),
        (.email, String(repeating: "ａ", count: 501) + "@example.com", .tooLong),
    ]

    @Test(arguments: failures)
    func rejectsWithTheRightFailure(kind: IdentifierKind, raw: String, failure: NormalizationFailure) {
        #expect(japan.normalize(raw, kind: kind) == .failure(failure))
    }

    @Test func longestAcceptedValueIsMaximumLength() {
        let value = String(repeating: "a", count: IdentifierNormalizer.maximumLength)
        #expect(japan.normalize(value, kind: .userID) == .success(value))
    }

    @Test func invalidUTF8IsRejected() {
        for kind in [IdentifierKind.email, .phone, .x, .userID] {
            #expect(normalizeBytes([0x61, 0xFF, 0x40, 0x62], kind: kind) == .failure(.invalidUTF8))
        }
    }

    @Test func reasonsAreDistinctAndNeverContainTheValue() {
        var reasons = Set<String>()
        for (kind, raw, failure) in Self.failures {
            let reason = failure.reason
            reasons.insert(reason)
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.count >= 3 { #expect(!reason.contains(trimmed), "\(kind): \(reason)") }
        }
        let all: [NormalizationFailure] = [
            .empty, .tooLong, .invalidUTF8, .invalidCharacter, .emailWithoutAt, .emailTooManyAt, .emailEmptyPart,
            .phoneNoDigits, .phoneTooShort, .phoneTooLong, .phoneNoCountryCode, .phoneBadCountryCode, .handleEmpty,
            .phoneImpossibleLength, .phoneUnallocated,
        ]
        #expect(Set(all.map(\.reason)).count == all.count)
        #expect(reasons.isSubset(of: Set(all.map(\.reason))))
    }

    @Test func randomFormattingsOfOneNumberNormalizeEqual() {
        var random = SeededGenerator(seed: 0x0819_0123_4567_8)
        let separators = [" ", "-", ".", "/", "　", "－", "ー", "‐", "−", "\t", ""]
        let national = Array("09012345678")
        let international = Array("819012345678")
        for _ in 0..<2_000 {
            let form = Int.random(in: 0..<4, using: &random)
            var digits: [Character]
            var prefix = ""
            switch form {
            case 0: digits = national
            case 1: digits = international; prefix = "+"
            case 2: digits = Array("81") + ["(", "0", ")"] + Array("9012345678"); prefix = "+"
            default: digits = Array("010") + international
            }
            var text = prefix
            for (i, d) in digits.enumerated() {
                if i > 0 && Int.random(in: 0..<3, using: &random) == 0 {
                    text += separators.randomElement(using: &random)!
                }
                let fullWidth = Bool.random(using: &random)
                if fullWidth, let ascii = d.asciiValue, ascii >= 0x30 && ascii <= 0x39 {
                    text.unicodeScalars.append(Unicode.Scalar(0xFF10 + UInt32(ascii - 0x30))!)
                } else {
                    text.append(d)
                }
            }
            if Bool.random(using: &random) { text = " " + text + " " }
            if form != 0 && Bool.random(using: &random) { text = text.replacingOccurrences(of: "+", with: "＋") }
            #expect(japan.normalize(text, kind: .phone) == .success("+819012345678"), "\(text)")
        }
    }

    /// Random ASCII text biased towards the characters each kind cares about.
    static func randomASCII(using random: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("aZ09@@+-.()/ _\t\n#xX".utf8) + [0x00, 0x7F, 0x0B, 0x1C]
        let length = Int.random(in: 0..<24, using: &random)
        return (0..<length).map { _ in
            Int.random(in: 0..<4, using: &random) == 0
                ? UInt8.random(in: 0...0x7F, using: &random) : alphabet.randomElement(using: &random)! }
    }

    @Test func asciiFastPathMatchesUnicodePath() {
        var random = SeededGenerator(seed: 42)
        var compared = 0
        for _ in 0..<20_000 {
            let raw = Self.randomASCII(using: &random)
            let kind = IdentifierKind.all.randomElement(using: &random)!
            var fast: [UInt8] = []
            var slow: [UInt8] = []
            let (fastFailure, slowFailure) = raw.withUnsafeBytes {
                (japan.normalizeASCII($0, kind: kind, into: &fast), japan.normalizeUnicode($0, kind: kind, into: &slow))
            }
            #expect(fastFailure == slowFailure, "\(kind) \(raw)")
            if fastFailure == nil {
                compared += 1
                #expect(fast == slow, "\(kind) \(raw)")
            }
        }
        #expect(compared > 2_000, "too few random inputs normalized: the value comparison hardly ran")
    }

    @Test func normalizingTwiceChangesNothing() {
        var random = SeededGenerator(seed: 7)
        var normalized = 0
        let extra = Array("ＡＢＣａｂｃ０１２＠＋－　ÉéİıßẞΣσς山田ーｰ①㍿ﬁ\u{301}\u{FEFF}")
        for _ in 0..<5_000 {
            var text = String(decoding: Self.randomASCII(using: &random), as: UTF8.self)
            for _ in 0..<Int.random(in: 0..<4, using: &random) {
                let at = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &random))
                text.insert(extra.randomElement(using: &random)!, at: at)
            }
            let kind = IdentifierKind.all.randomElement(using: &random)!
            if case .success(let once) = japan.normalize(text, kind: kind) {
                normalized += 1
                #expect(japan.normalize(once, kind: kind) == .success(once), "\(kind) \(text.debugDescription)")
            }
        }
        #expect(normalized > 500, "too few random inputs normalized: idempotence hardly checked")
    }

    /// Each event line of a fixture with its `ids` object.
    static func fixtureIdentifiers(_ name: String) throws -> [[String: Any]] {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/events/\(name)")
        return try Data(contentsOf: url).split(separator: UInt8(ascii: "\n")).map { line in
            let event = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            return event?["ids"] as? [String: Any] ?? [:]
        }
    }

    @Test func everyIdentifierInTheAcceptedCorpusNormalizes() throws {
        let events = try Self.fixtureIdentifiers("accepted.ndjson")
        #expect(events.count >= 40)
        var kinds = Set<IdentifierKind>()
        for ids in events {
            for (name, value) in ids {
                let kind = try #require(IdentifierKind.named(name))
                kinds.insert(kind)
                let raw = try #require(value as? String)
                if case .failure(let failure) = japan.normalize(raw, kind: kind) {
                    Issue.record("\(name) \(raw): \(failure)")
                }
            }
        }
        #expect(kinds.count == IdentifierKind.all.count)
    }

    @Test func swiftOnlyCorpusNormalizationReasonsMatch() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/events/swift-only.ndjson")
        let reasonsURL = repositoryRoot.appendingPathComponent("Tests/Fixtures/events/swift-only.reasons")
        let lines = try Data(contentsOf: url).split(separator: UInt8(ascii: "\n"))
        let reasons = try String(contentsOf: reasonsURL, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == reasons.count)
        var checked = 0
        for (line, reason) in zip(lines, reasons) where reason.hasPrefix("\"ids.") {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let ids = try #require(event["ids"] as? [String: String])
            let (name, raw) = try #require(ids.first)
            let kind = try #require(IdentifierKind.named(name))
            guard case .failure(let failure) = japan.normalize(raw, kind: kind) else {
                Issue.record("\(reason): normalized")
                continue
            }
            #expect("\"ids.\(name)\" \(failure.reason)" == String(reason))
            checked += 1
        }
        #expect(checked >= 15)
    }
}
