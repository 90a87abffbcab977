import Daicho
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoSegments

/// Issue 8: nested trait paths (`traits.address.prefecture`) read a member inside an object-valued trait.
@Suite struct NestedTraitTests {
    func identify(_ id: String, _ email: String, traits: [JSONMember]) -> Event {
        Event(id: id, type: .identify, at: wallClockMicros(), source: "crm", identifiers: [Identifier(kind: .email, normalized: "", raw: email)],
              props: .object([JSONMember("traits", .object(traits))]))
    }

    @Test func aPathReachesIntoAnObjectTrait() throws {
        let rule = try CompiledRule(compiling: "traits.address.prefecture == \"東京都\" and traits.address.\"番地\".n >= 2")
        #expect(rule.fields.map(\.description) == ["traits.address.prefecture", "traits.address.番地.n"])
        #expect(rule.fields.map(\.path) == [["prefecture"], ["番地", "n"]])

        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        try SegmentDefinitions.define(name: "tokyo", rule: "traits.address.prefecture == \"東京都\"", in: store)
        try SegmentDefinitions.define(name: "big_house", rule: "traits.address.rooms.count >= 3", in: store)
        try SegmentDefinitions.define(name: "has_prefecture", rule: "exists(traits.address.prefecture)", in: store)
        _ = try store.append([
            identify("a", "a@example.jp", traits: [JSONMember("address", .object([
                JSONMember("prefecture", .string("東京都")), JSONMember("rooms", .object([JSONMember("count", .int(4))]))]))]),
            identify("b", "b@example.jp", traits: [JSONMember("address", .object([JSONMember("prefecture", .string("大阪府"))]))]),
            identify("c", "c@example.jp", traits: [JSONMember("address", .string("東京都千代田区"))]),
            identify("d", "d@example.jp", traits: [JSONMember("address", .object([JSONMember("prefecture", .array([.string("東京都")]))]))]),
        ])
        try store.close()
        let (segments, _) = try SegmentLoader.load(dir, now: nil)
        func members(_ name: String) -> [String] {
            let ids = Set((segments.members(of: name) ?? []).map(\.profile))
            return ["a", "b", "c", "d"].filter { ids.contains(segments.profiles.profile(kind: .email, raw: "\($0)@example.jp")!) }
        }
        #expect(members("tokyo") == ["a"])
        #expect(members("big_house") == ["a"])
        #expect(members("has_prefecture") == ["a", "b"], "a string trait has no members; an array value is absent")
    }
}
