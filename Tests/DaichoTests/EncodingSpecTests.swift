import Testing
@testable import Daicho

/// docs/event-encoding.md "Worked example": the exact bytes of one encoded purchase.
@Suite struct EncodingSpecTests {
    static let line = #"{"id":"e1","type":"purchase","at":"2026-01-01T09:00:00+09:00","source":"web","ids":{"email":" A@b.jp"},"props":{"order_id":"o1","amount":1980,"currency":"JPY"}}"#

    @Test func workedExampleMatchesSpec() {
        let payload = encodeLines([Self.line]).payload
        let hex = payload.map { String(format: "%02x", $0) }.joined(separator: " ")
        #expect(hex == Self.expectedHex)
    }

    static let expectedHex = "01 01 80 80 82 e2 88 d2 a3 06 a1 01 03 06 07 02 61 40 62 2e 6a 70 20 41 40 62 2e 6a 70 6f 31 18 02 00 b8 08 02 65 31 26 01 01 3c 3d 07 03 07 05 3e 08 03 f8 1e 09 05 17"
}
