import Daicho
import DaichoJSON
@testable import DaichoSegmentSpec
import DaichoTestSupport
import Testing

/// The mapping's output over a seeded corpus of messages whose member keys are what the mapping compares and
/// copies — keys it consumes, keys that collide with the ones it writes (`properties_…`), escaped keys, non-ASCII
/// keys (canonically equivalent pairs such as `é` and `e` + U+0301, and U+212A KELVIN SIGN, which Swift's `String`
/// compares equal to `K`), repeated keys and objects of more than 16 keys — is byte for byte what the mapping gave
/// when this test was written: the digest below is of that output. A change that alters any envelope, warning or
/// rejection changes the digest (update it only for a change of the mapping's documented behaviour).
@Suite struct SegmentMappingCorpusTests {
    /// XXH64 of every message's outcome over the corpus, taken from the mapping as it was written.
    static let digest: UInt64 = 0xd731_efc8_fd7e_a02f

    static let keys = [
        "coupon", "value", "path", "url", "title", "referrer", "event", "segment", "type", "name", "category", "context",
        "integrations", "sentAt", "receivedAt", "ip", "order_id", "products", "currency", "sku", "product_id", "quantity",
        "price", "qty", "traits", "email", "phone", "group", "properties_coupon", "screen", "amount", "items", "writeKey",
        #"\u0061"#, #"co\u0075pon"#, #"a\"b"#, #"tab\t"#, #"\u00e9"#, "é", "e\u{301}", "\u{212A}", #"\u212A"#, "K",
        "write\u{212A}ey", "価格", #"\ud83d\ude00"#, "😀", "library", "device", "id", "userId", "messageId",
    ]

    static func pick<T>(_ items: [T], _ rng: inout SeededGenerator) -> T { items[Int(rng.next() % UInt64(items.count))] }

    /// A JSON value: a string, a number, or (while `depth` allows) an object or array.
    static func value(_ rng: inout SeededGenerator, depth: Int) -> String {
        switch rng.next() % (depth > 0 ? 6 : 3) {
        case 0: return "\"" + pick(["W", "x@example.jp", "090-1234-5678", "/a", "", #"q\"uote"#], &rng) + "\""
        case 1: return pick(["1", "2.5", "1e2", "-3", "0"], &rng)
        case 2: return pick(["true", "null", "false"], &rng)
        case 3, 4: return object(&rng, depth: depth - 1)
        default: return "[" + (0..<Int(rng.next() % 3)).map { _ in object(&rng, depth: depth - 1) }.joined(separator: ",") + "]"
        }
    }

    /// An object of 0 to 24 members with keys from `keys` (repeats allowed).
    static func object(_ rng: inout SeededGenerator, depth: Int) -> String {
        let count = rng.next() % 4 == 0 ? Int(rng.next() % 25) : Int(rng.next() % 6)
        return "{" + (0..<count).map { _ in "\"\(pick(keys, &rng))\":" + value(&rng, depth: depth) }.joined(separator: ",") + "}"
    }

    /// One message: a type, identifiers, and objects where the mapping reads them.
    static func message(_ rng: inout SeededGenerator) -> String {
        var members: [String] = []
        let type = pick(["track", "track", "identify", "page", "screen", "group", "alias", "order"], &rng)
        members.append(#""type":"\#(type == "order" ? "track" : type)""#)
        if type == "order" { members.append(#""event":"Order Completed""#) }
        if type == "track" { members.append(#""event":"\#(pick(["Coupon Redeemed", "Mapped", "Traits"], &rng))""#) }
        if rng.next() % 5 != 0 { members.append(#""userId":"U\#(rng.next() % 50)""#) }
        if rng.next() % 3 == 0 { members.append(#""anonymousId":"A\#(rng.next() % 50)""#) }
        if rng.next() % 2 == 0 { members.append(#""messageId":"m\#(rng.next() % 1000)""#) }
        if type == "alias" { members.append(#""previousId":"P\#(rng.next() % 9)""#) }
        if type == "group" { members.append(#""groupId":"G1""#) }
        var properties = object(&rng, depth: 2)
        if type == "order" {
            let product = #"{"sku":"S1","price":100,"quantity":2,"product_id":"P","\#(pick(keys, &rng))":1}"#
            properties = #"{"order_id":"o\#(rng.next() % 99)","products":[\#(product)],"\#(pick(keys, &rng))":"v"}"#
        }
        members.append(#""properties":\#(properties)"#)
        members.append(#""traits":\#(object(&rng, depth: 1))"#)
        var context = object(&rng, depth: 2)
        if rng.next() % 2 == 0 { context = #"{"library":{"name":"analytics-python"},"traits":{"email":"T@Example.jp"},"#
            + #""page":{"path":"/p","url":"u"},"device":{"id":"d1"},"\#(pick(keys, &rng))":1}"# }
        members.append(#""context":\#(context)"#)
        if rng.next() % 2 == 0 { members.append(#""integrations":\#(object(&rng, depth: 0))"#) }
        for _ in 0..<Int(rng.next() % 4) { members.append("\"\(pick(keys, &rng))\":" + value(&rng, depth: 1)) }
        return "{" + members.shuffled(using: &rng).joined(separator: ",") + "}"
    }

    @Test func theMappingsOutputOverASeededCorpusIsUnchanged() throws {
        var mapping = SegmentMapping()
        mapping.events["Mapped"] = .init(type: "track", rename: ["coupon": "code", "é": "e_acute", "\u{212A}": "kelvin"], traitsFromProperties: false)
        mapping.events["Traits"] = .init(type: "identify", rename: [:], traitsFromProperties: true)
        var rng = SeededGenerator(seed: 20261202)
        var out: [UInt8] = []
        var events = 0
        for _ in 0..<400 {
            let messages = (0..<Int(1 + rng.next() % 5)).map { _ in Self.message(&rng) }
            let body = #"{"batch":[\#(messages.joined(separator: ","))],"context":\#(Self.object(&rng, depth: 1)),"#
                + #""integrations":{"All":true,"\#(Self.pick(Self.keys, &rng))":false},"sentAt":"2026-12-02T04:30:09Z"}"#
            let batch = try SegmentBatch(body: Array(body.utf8), routeType: nil)
            for i in 0..<batch.count {
                switch batch.map(i, mapping: mapping, receivedAt: SegmentMappingTests.received, keySource: "pos", clientIP: "192.0.2.1") {
                case .event(let line, let warnings):
                    events += 1
                    out += line + Array(warnings.joined(separator: "|").utf8) + [0x0A]
                case .rejected(let reason):
                    out += Array(("rejected: " + reason + "\n").utf8)
                }
            }
        }
        #expect(events > 1000, "most messages map to events (\(events))")
        // The corpus reaches the comparisons: renamed collisions, and keys equal only canonically.
        let text = String(decoding: out, as: UTF8.self)
        for renamed in ["\"properties_coupon\"", "\"product_", "\"properties_\u{212A}\"", "\"properties_e\u{301}\"", "\"properties_é\""] {
            #expect(text.contains(renamed), "no \(renamed) in the corpus's output")
        }
        let hash = out.withUnsafeBytes { XXHash64.hash($0) }
        #expect(hash == Self.digest, "digest \(String(hash, radix: 16)) of \(out.count) bytes")
    }
}
