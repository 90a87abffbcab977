import Foundation
import Testing
@testable import Daicho

/// Issue 8 "`try?` around props reads in the profile aggregates": the batch decoder checks every record's props
/// whole, so a damaged props value is a decode error (which stops the reader loudly) instead of a prop that the
/// aggregates silently skip.
@Suite struct PropsDecodeCheckTests {
    /// A purchase whose props object claims `members` members but holds only `order_id`.
    static func payload(members: Int, trailing: [UInt8] = []) -> [UInt8] {
        var builder = BatchBuilder()
        Array("e1".utf8).withUnsafeBytes { id in
            builder.beginRecord(type: .purchase, at: 1_000_000, utcOffsetMinutes: 0, id: id, source: 0)
        }
        builder.beginIdentifiers(count: 1)
        Array("u1".utf8).withUnsafeBytes { builder.identifier(kind: IdentifierKind.all[0].code, normalized: $0, raw: $0) }
        builder.beginObject(count: members)
        _ = Array("order_id".utf8).withUnsafeBytes { builder.writeKey($0) }
        Array("o-1".utf8).withUnsafeBytes { builder.writeString($0) }
        for b in trailing { builder.writeBool(b != 0) }
        builder.endRecord(sourceBytes: 10)
        var out: [UInt8] = []
        builder.makePayload(into: &out)
        return out
    }

    @Test func wellFormedPropsDecode() throws {
        #expect(try decodeAll(Self.payload(members: 1)).map(\.id) == ["e1"])
    }

    @Test func propsClaimingMoreMembersThanTheyHoldAreADecodeErrorNotASkippedProp() {
        #expect(throws: BatchError.self) { try decodeAll(Self.payload(members: 3)) }
        var seen = 0
        let error = Self.payload(members: 3).withUnsafeBytes { p -> BatchError? in
            do { _ = try BatchDecoder().forEach(in: p) { _ in seen += 1 }; return nil } catch { return error as? BatchError }
        }
        #expect(seen == 0, "the damaged record reached a projection")
        #expect(error?.message.hasPrefix("record 0 has malformed props") == true, "\(String(describing: error))")
    }

    @Test func bytesAfterThePropsValueAreADecodeError() {
        let error = Self.payload(members: 1, trailing: [1]).withUnsafeBytes { p -> BatchError? in
            do { _ = try BatchDecoder().forEach(in: p) { _ in }; return nil } catch { return error as? BatchError }
        }
        #expect(error?.message == "record 0 has bytes after its props")
    }
}
