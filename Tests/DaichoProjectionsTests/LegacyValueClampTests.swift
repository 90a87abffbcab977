import Daicho
import DaichoJSON
@testable import DaichoProjections
import Foundation
import Testing

/// Issue 8 "`dwell_ms` and `reach` are summed with wrapping adds": ingest now bounds them to 2^31 − 1; events
/// appended before the bound (built here past the validator) count as the bound, so sums never turn negative.
@Suite struct LegacyValueClampTests {
    /// A batch of `count` events of `type` whose props hold `key`: `value` and the `extra` string members,
    /// written without validation.
    static func payload(type: EventType, key: String, value: Int64, count: Int, extra: [(String, String)] = []) -> [UInt8] {
        var builder = BatchBuilder()
        for i in 0..<count {
            Array("legacy-\(i)".utf8).withUnsafeBytes {
                builder.beginRecord(type: type, at: 1_000_000 * Int64(i), utcOffsetMinutes: 0, id: $0, source: 0)
            }
            builder.beginIdentifiers(count: 1)
            Array("u1".utf8).withUnsafeBytes { builder.identifier(kind: IdentifierKind.userID.code, normalized: $0, raw: $0) }
            builder.beginObject(count: 1 + extra.count)
            _ = Array(key.utf8).withUnsafeBytes { builder.writeKey($0) }
            builder.writeInt(value)
            for (k, v) in extra {
                _ = Array(k.utf8).withUnsafeBytes { builder.writeKey($0) }
                Array(v.utf8).withUnsafeBytes { builder.writeString($0) }
            }
            builder.endRecord(sourceBytes: 10)
        }
        var out: [UInt8] = []
        builder.makePayload(into: &out)
        return out
    }

    static func apply(_ payload: [UInt8]) throws -> [JSONMember] {
        let table = SymbolTable()
        let config = ProfileConfig()
        var profile = ProfileAggregates()
        var symbols = SymbolCache()
        var offset: UInt64 = 0
        _ = try payload.withUnsafeBytes { p in
            try BatchDecoder().forEach(in: p, onBatch: { symbols.reset(dynamicCount: $0.dynamicCount) }) { e in
                profile.apply(e, offset: offset, symbols: &symbols, table: table, config: config)
                offset += 1
            }
        }
        return profile.members(asOf: 0, table: table, config: config)
    }

    @Test func pageViewsWithHugeLegacyDwellSumToTheBoundNotANegativeNumber() throws {
        let members = try Self.apply(Self.payload(type: .pageView, key: "dwell_ms", value: .max, count: 3))
        let web = members.first { $0.key == "web" }?.value
        #expect(web?["dwell_ms"] == .int(3 * ((1 << 31) - 1)))
    }

    @Test func mentionsWithHugeLegacyReachSumToTheBoundNotANegativeNumber() throws {
        let payload = Self.payload(type: .socialMention, key: "reach", value: .max / 2, count: 4, extra: [("platform", "x")])
        let social = try Self.apply(payload).first { $0.key == "social" }?.value
        #expect(social?["reach"] == .int(4 * ((1 << 31) - 1)))
    }
}
