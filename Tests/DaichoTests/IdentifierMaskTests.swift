import Testing
@testable import Daicho

@Suite("Identifier masks")
struct IdentifierMaskTests {
    @Test(arguments: [
        (IdentifierKind.email, "taro@example.com", "t***@e***.com"),
        (.email, "taro.yamada@example.co.jp", "t***@e***.jp"),
        (.email, "a@b.c", "***@***.c"),
        (.email, "no-at-sign", "n***"),
        (.email, "山田@例え.jp", "山***@例***.jp"),
        (.phone, "+819012345678", "+81********78"),
        (.phone, "090-1234-5678", "09*******78"),
        (.phone, "1234", "***"),
        (.x, "taro_yamada", "t***"),
        (.x, "a", "***"),
        (.userID, "U-000123", "U***"),
        (.deviceID, "", "***"),
    ])
    func masksTheDocumentedExamples(kind: IdentifierKind, value: String, expected: String) {
        #expect(IdentifierMask.mask(value, kind: kind) == expected)
    }

    @Test func masksNeverContainTheFullValue() {
        var random = SeededGenerator(seed: 2026)
        let alphabet = Array("abcXYZ019@.+-_ 山田")
        var nonEmpty = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<20, using: &random)
            let value = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            let kind = IdentifierKind.all.randomElement(using: &random)!
            let masked = IdentifierMask.mask(value, kind: kind)
            #expect(masked.contains("***"))
            if !value.isEmpty {
                nonEmpty += 1
                #expect(!masked.contains(value), "\(kind) \(value) -> \(masked)")
            }
        }
        #expect(nonEmpty > 15_000)
    }

    @Test func normalizedValuesAreMaskedToo() {
        let normalizer = IdentifierNormalizer()
        for (kind, raw) in [(IdentifierKind.email, "Taro@Example.com"), (.phone, "090-1234-5678"), (.x, "@Taro")] {
            guard case .success(let value) = normalizer.normalize(raw, kind: kind) else {
                Issue.record("\(raw) did not normalize")
                continue
            }
            #expect(!IdentifierMask.mask(value, kind: kind).contains(value))
        }
    }
}
