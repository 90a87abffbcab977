import Foundation
import Testing
@testable import Daicho

/// The default refusal rules (docs/identity.md "Refused identifiers") and their hook in ingest.
@Suite("Refused identifiers")
struct IdentifierRefusalTests {
    func reason(_ kind: IdentifierKind, _ raw: String) -> RefusalReason? {
        guard case .success(let value) = IdentifierNormalizer().normalize(raw, kind: kind) else {
            Issue.record("\(raw) does not normalize")
            return nil
        }
        var v = value
        return v.withUTF8 { IdentifierRefusal.defaultReason(kind: kind, normalized: UnsafeRawBufferPointer($0)) }
    }

    static let placeholders: [(IdentifierKind, String)] = [
        (.userID, "undefined"), (.userID, "Undefined"), (.userID, "null"), (.userID, "NULL"), (.userID, "none"),
        (.userID, "0"), (.userID, "-"), (.userID, "N/A"), (.userID, "unknown"), (.userID, "guest"), (.userID, "anonymous"),
        (.userID, "00000000000"), (.anonymousID, " null "), (.deviceID, "00000000-0000-0000-0000-000000000000"),
        (.x, "@undefined"), (.line, "Guest"), (.email, "test@test.com"), (.email, " TEST@Test.COM "),
        (.phone, "090-1111-1111"), (.phone, "+81 3 3333 3333"),
    ]

    @Test(arguments: placeholders)
    func placeholdersAreRefused(kind: IdentifierKind, raw: String) {
        #expect(reason(kind, raw) == .placeholder)
    }

    static let realValues: [(IdentifierKind, String)] = [
        (.userID, "U-000123"), (.userID, "10"), (.userID, "nullable"), (.userID, "guest-42"), (.deviceID, "0-1"),
        (.email, "taro@example.jp"), (.email, "test@test.co.jp"), (.phone, "090-1234-5678"), (.phone, "03-1234-5678"),
        (.phone, "+1 212 555 0123"), (.x, "taro_yamada"),
    ]

    @Test(arguments: realValues)
    func realValuesAreKept(kind: IdentifierKind, raw: String) {
        #expect(reason(kind, raw) == nil)
    }

    @Test(arguments: ["0120-123-456", "0120123456", "+81 120 123 456", "0800-123-4567", "0570-123-456", "0990-123-456"])
    func businessNumbersAreRefused(raw: String) {
        #expect(reason(.phone, raw) == .businessPhone)
    }

    @Test func reasonsNeverContainTheValue() {
        for r in RefusalReason.allCases {
            #expect(!r.reason.contains("undefined") && !r.reason.contains("@"))
        }
        #expect(Set(RefusalReason.allCases.map(\.name)) == ["placeholder", "business_phone", "blocked_value"])
    }

    /// Found: `"user_id":"undefined"` merged strangers. A line whose only identifier is refused is rejected with the
    /// reason; a line with another identifier is kept whole (the graph ignores the refused one).
    @Test func aLineIsRejectedOnlyWhenEveryIdentifierIsRefused() throws {
        let lines = [
            #"{"id":"a","type":"identify","at":"2026-05-01T10:00:00Z","ids":{"user_id":"undefined"},"props":{"traits":{}}}"#,
            #"{"id":"b","type":"identify","at":"2026-05-01T10:00:00Z","ids":{"user_id":"undefined","email":"c1@example.jp"},"props":{"traits":{"name":"A"}}}"#,
            #"{"id":"c","type":"inquiry","at":"2026-05-01T10:00:00Z","ids":{"phone":"0120-123-456"},"props":{"channel":"phone","category":"question"}}"#,
            #"{"id":"d","type":"link","at":"2026-05-01T10:00:00Z","ids":{"user_id":"null","email":"test@test.com"}}"#,
        ]
        let (payload, rejects) = encodeLines(lines)
        #expect(rejects[0] == #""ids.user_id" is a placeholder value, not a customer's identifier (docs/identity.md "Refused identifiers"); the event names no customer"#)
        #expect(rejects[1] == nil)
        #expect(rejects[2] == #""ids.phone" is a business number (toll-free 0120/0800, navi dial 0570, premium 0990) that never identifies a customer; the event names no customer"#)
        #expect(rejects[3]?.hasPrefix(#""ids.user_id" is a placeholder value"#) == true)
        #expect(rejects[3]?.contains("(and so is every other identifier)") == true)
        let kept = try decodeAll(payload)
        #expect(kept.map(\.id) == ["b"])
        #expect(kept.first?.identifiers.map(\.raw).sorted() == ["c1@example.jp", "undefined"]) // nothing sent is lost
    }
}
