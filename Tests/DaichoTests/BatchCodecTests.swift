import Foundation
import Testing
@testable import Daicho

/// Random valid events of every type, with Japanese text and unknown extra props.
struct RandomEvents {
    var rng: SeededGenerator
    var counter = 0

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    let words = ["東京都", "大阪府", "返品したい", "配送が遅い", "ありがとう", "coupon", "ｶﾀｶﾅ", "🍣 sushi", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", ""]

    mutating func text() -> String { (0..<Int.random(in: 1...3, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ") }

    mutating func extra(depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &rng))
        case 4: return .string(text())
        case 5: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in extra(depth: depth + 1) })
        default: return .object((0..<Int.random(in: 0...3, using: &rng)).map { JSONMember("k\($0)_\(text())", extra(depth: depth + 1)) })
        }
    }

    mutating func event() -> Event {
        counter += 1
        let type = EventType.allCases.filter { !$0.isInternal }.randomElement(using: &rng)!
        var members: [JSONMember] = []
        switch type {
        case .pageView:
            members = [JSONMember("url", .string("https://example.jp/p/\(counter)")), JSONMember("path", .string("/p/\(counter)")),
                       JSONMember("title", .string(text())), JSONMember("dwell_ms", .int(Int64.random(in: 0...100_000, using: &rng)))]
        case .purchase:
            members = [JSONMember("order_id", .string("o-\(counter)")), JSONMember("amount", .double(Double(Int.random(in: 0...99999, using: &rng)) / 100)),
                       JSONMember("currency", .string("JPY")),
                       JSONMember("items", .array([.object([JSONMember("sku", .string("SKU-1")), JSONMember("qty", .int(2)), JSONMember("price", .int(990))])]))]
        case .inquiry:
            members = [JSONMember("channel", .string("chat")), JSONMember("category", .string(["complaint", "question", "request", "opinion"].randomElement(using: &rng)!)),
                       JSONMember("text", .string(text())), JSONMember("status", .string("open"))]
        case .socialMention:
            members = [JSONMember("platform", .string("x")), JSONMember("text", .string(text())),
                       JSONMember("sentiment", .double(Double.random(in: -1...1, using: &rng))), JSONMember("reach", .int(12))]
        case .identify:
            members = [JSONMember("traits", .object([JSONMember("name", .string("山田 太郎")), JSONMember("prefecture", .string("東京都"))]))]
        case .link:
            members = []
        case .track, .segmentDefined, .segmentDropped, .offsetsLost:
            members = [JSONMember("event", .string("Coupon Redeemed"))]
        }
        if Bool.random(using: &rng) { members.append(JSONMember("extra_\(counter)", extra())) }
        var identifiers = [Identifier(kind: IdentifierKind.named("email")!, normalized: "taro\(counter % 7)@example.jp", raw: " Taro\(counter % 7)@Example.JP ")]
        if type == .link || Bool.random(using: &rng) {
            identifiers.append(Identifier(kind: IdentifierKind.named("phone")!, normalized: "+819012345678", raw: "０９０－１２３４－５６７８"))
        }
        let micros = Int64.random(in: 0...4_102_444_800_000_000, using: &rng) / 1000 * 1000
        return Event(id: "evt-\(counter)-\(text())", type: type, at: micros,
                     utcOffsetMinutes: [0, 540, -300].randomElement(using: &rng)!,
                     source: Bool.random(using: &rng) ? "web" : nil, identifiers: identifiers,
                     props: members.isEmpty && Bool.random(using: &rng) ? nil : .object(members))
    }
}

@Suite struct BatchCodecTests {
    @Test func seededRandomEventsRoundTripThroughEncodeAndDecode() throws {
        var random = RandomEvents(seed: 20261123)
        let events = (0..<2000).map { _ in random.event() }
        var builder = BatchBuilder()
        var encoder = EventValueEncoder(normalizer: IdentifierNormalizer())
        for e in events { #expect(encoder.encode(e, into: &builder) == nil, "event \(e.id)") }
        var payload: [UInt8] = []
        builder.makePayload(into: &payload)
        let decoded = try decodeAll(payload)
        #expect(decoded.count == events.count)
        for (a, b) in zip(events, decoded) { #expect(a == b) }
    }

    @Test func japaneseTextAndExtraPropsRoundTripFromNDJSON() throws {
        let line = #"{"id":"e1","type":"inquiry","at":"2026-03-01T10:00:00.250+09:00","source":"chat","ids":{"email":" Hanako@Example.JP","phone":"０９０－１２３４－５６７８"},"props":{"channel":"chat","category":"complaint","text":"商品が届きません。至急対応してください。","campaign":{"名前":"春セール","n":[1,2.5,null,true]}}}"#
        let (payload, rejects) = encodeLines([line])
        #expect(rejects == [nil])
        let e = try #require(try decodeAll(payload).first)
        #expect(e.id == "e1")
        #expect(e.type == .inquiry)
        #expect(e.utcOffsetMinutes == 540)
        #expect(e.at == 1_772_326_800_250_000)
        #expect(e.identifiers.map(\.normalized) == ["hanako@example.jp", "+819012345678"])
        #expect(e.identifiers.map(\.raw) == [" Hanako@Example.JP", "０９０－１２３４－５６７８"])
        #expect(e.props?["text"] == .string("商品が届きません。至急対応してください。"))
        #expect(e.props?["campaign"] == .object([JSONMember("名前", .string("春セール")),
                                                 JSONMember("n", .array([.int(1), .double(2.5), .null, .bool(true)]))]))
        // Export writes the canonical envelope; encoding that again gives the same event.
        let exported = EventJSONWriter().line(e, offset: 7)
        let again = try decodeAll(encodeLines([String(exported.dropLast())]).payload)
        #expect(again == [e])
    }

    @Test func repeatedStringsAreStoredOnceInABatch() {
        let line = #"{"id":"ID","type":"page_view","at":"2026-03-01T10:00:00Z","ids":{"anonymous_id":"a-1"},"props":{"path":"/商品/一覧","title":"商品一覧"}}"#
        let one = encodeLines([line.replacingOccurrences(of: "ID", with: "x0")]).payload.count
        let hundred = encodeLines((0..<100).map { line.replacingOccurrences(of: "ID", with: "x\($0)") }).payload.count
        // Each further event costs its id and a few bytes of refs (about 20), not its 40 bytes of strings again.
        #expect((hundred - one) / 99 < 24)
    }

    @Test func duplicatesLeftOutOfThePayloadAreNotDecoded() throws {
        let lines = (0..<10).map { #"{"id":"e\#($0)","type":"track","at":"2026-03-01T10:00:0\#($0)Z","ids":{"user_id":"u"},"props":{"event":"E"}}"# }
        var encoder = EventLineEncoder()
        var builder = BatchBuilder()
        for l in lines { var b = Array(l.utf8); _ = b.withUnsafeMutableBytes { encoder.encode(line: UnsafeRawBufferPointer($0), into: &builder) } }
        var payload: [UInt8] = []
        let summary = builder.makePayload(into: &payload, keep: { $0 % 3 != 0 })
        #expect(summary.records == 6)
        #expect(summary.firstEventTime == 1_772_359_201_000_000)
        #expect(summary.maxEventTime == 1_772_359_208_000_000)
        #expect(try decodeAll(payload).map(\.id) == ["e1", "e2", "e4", "e5", "e7", "e8"])
    }

    /// A payload cut short always throws. One with a few bytes overwritten either throws, or decodes to as many
    /// events as it holds, each of which exports as one valid JSON object naming that event (the batch codec has no
    /// checksum of its own: in a log the frame CRC detects such damage, so a decoded value may differ, but it is
    /// never malformed).
    @Test func corruptPayloadsThrowOrDecodeToWellFormedEvents() throws {
        var random = RandomEvents(seed: 7)
        var builder = BatchBuilder()
        var encoder = EventValueEncoder(normalizer: IdentifierNormalizer())
        for _ in 0..<50 { #expect(encoder.encode(random.event(), into: &builder) == nil) }
        var payload: [UInt8] = []
        builder.makePayload(into: &payload)
        let original = try decodeAll(payload)
        try #require(original.count == 50)
        var rng = SeededGenerator(seed: 99)
        var thrown = 0, changed = 0
        for round in 0..<3000 {
            var bad = payload
            if round % 3 == 0 {
                bad.removeLast(Int.random(in: 1...bad.count, using: &rng))
                #expect(throws: (any Error).self, "cut to \(bad.count) of \(payload.count) bytes") { try decodeAll(bad) }
                continue
            }
            for _ in 0...Int.random(in: 0...3, using: &rng) { bad[Int.random(in: 0..<bad.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            let events: [Event]
            do { events = try decodeAll(bad) } catch { thrown += 1; continue }
            if events != original { changed += 1 }
            #expect(events.count == original.count, "round \(round)")
            for (i, e) in events.enumerated() {
                let line = EventJSONWriter().line(e, offset: UInt64(i))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                                          "round \(round): exported \(line)")
                #expect(object["id"] as? String == e.id && object["offset"] as? Int == i, "round \(round): exported \(line)")
            }
        }
        #expect(thrown > 1000 && changed > 100, "thrown \(thrown), changed \(changed)")
    }

    /// Well-known keys have fixed refs (projections compare integers); the table is append-only.
    @Test func staticRefsNameTheirStrings() {
        #expect(StaticStrings.table[Int(StaticStrings.amount)] == "amount")
        #expect(StaticStrings.table[Int(StaticStrings.orderID)] == "order_id")
        #expect(StaticStrings.table[Int(StaticStrings.category)] == "category")
        #expect(StaticStrings.table[Int(StaticStrings.event)] == "event")
        #expect(StaticStrings.count == 60, "the static table is part of format version 1: append only, and bump S in the docs")
        #expect(Set(StaticStrings.table).count == StaticStrings.table.count)
    }

    @Test func xxhash64MatchesPublishedVectors() {
        func h(_ s: String) -> UInt64 { Array(s.utf8).withUnsafeBytes { XXHash64.hash($0) } }
        #expect(h("") == 0xEF46_DB37_51D8_E999)
        #expect(h("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(h("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(h("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
    }
}
