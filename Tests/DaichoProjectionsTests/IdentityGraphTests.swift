import Foundation
import Daicho
import Testing
import DaichoTestSupport
@testable import DaichoProjections

/// A plain, obviously correct version of docs/identity.md's rules, with sets and full scans. Written from the doc,
/// not from the code: its limits, priorities, weak kinds, placeholders and household numbers are its own.
final class ReferenceIdentity {
    /// Per kind code (docs/identity.md table): limit, priority, weak.
    static let limits: [Int?] = [1, 5, 5, nil, nil] + Array(repeating: 1, count: 12)
    static let priorities: [Int] = [1, 2, 3, 6, 5] + Array(repeating: 4, count: 12)
    static let weakKinds: Set<UInt8> = [3, 4]
    /// The values the random test draws that the doc refuses (placeholders, a toll-free number).
    static let refused: Set<String> = ["0:undefined", "0:NULL", "0:0", "0:-", "0:N/A", "0:guest", "4:00000000-0000-0000-0000-000000000000",
                                       "1:test@test.com", "2:+81120123456"]
    var owner: [String: Int] = [:]
    var members: [Set<String>] = []
    var kinds: [String: UInt8] = [:]
    var birth: [Int] = []
    var forward: [Int?] = []
    var ids: [UInt64] = []

    func root(_ p: Int) -> Int { var p = p; while let f = forward[p] { p = f }; return p }
    /// Weak kinds, and Tokyo landlines (+813…, household numbers) as the random test writes them.
    func isWeak(_ key: String) -> Bool { Self.weakKinds.contains(kinds[key]!) || key.hasPrefix("2:+813") }
    func hasStrong(_ p: Int) -> Bool { members[p].contains { !isWeak($0) } }
    func priority(_ key: String) -> Int { Self.priorities[Int(kinds[key]!)] }

    /// Returns the attributed profile's root number, or nil when every identifier is refused.
    func apply(_ event: [(IdentifierKind, String)], offset: Int) -> Int? {
        let keys = event.map { "\($0.0.code):\($0.1)" }.filter { !Self.refused.contains($0) }
        if keys.isEmpty { return nil }
        let event = event.filter { !Self.refused.contains("\($0.0.code):\($0.1)") }
        for (k, e) in zip(keys, event) { kinds[k] = e.0.code }
        let fresh = keys.filter { owner[$0] == nil }
        var strongly = Set<Int>(), all = Set<Int>()
        for k in keys { if let o = owner[k] { let r = root(o); all.insert(r); if !isWeak(k) { strongly.insert(r) } } }
        let strongInEvent = keys.contains { !isWeak($0) }
        var merging = Set<Int>()
        if strongInEvent { merging = all.filter { !hasStrong($0) || strongly.contains($0) } }
        else if all.filter(hasStrong).count <= 1 { merging = all }
        let ambiguous = !strongInEvent && merging.isEmpty && !all.isEmpty
        if !ambiguous {
            var union = Set<String>(fresh)
            for p in merging { union.formUnion(members[p]) }
            var over = false
            for k in 0..<Self.limits.count {
                if let limit = Self.limits[k], union.filter({ kinds[$0] == UInt8(k) }).count > limit { over = true }
            }
            if !over {
                if merging.isEmpty { let p = create(keys, offset: offset); for k in fresh { add(k, p) }; return p }
                let survivor = merging.min { birth[$0] < birth[$1] }!
                for p in merging where p != survivor { members[survivor].formUnion(members[p]); members[p] = []; forward[p] = survivor }
                for k in fresh { add(k, survivor) }
                return survivor
            }
        }
        let top = keys.min { priority($0) < priority($1) }!
        let p = owner[top].map(root) ?? create(keys, offset: offset)
        for k in fresh where owner[k] == nil {
            let limit = Self.limits[Int(kinds[k]!)]
            if limit.map({ members[p].filter { kinds[$0] == kinds[k] }.count < $0 }) ?? true { add(k, p) }
        }
        return p
    }

    func create(_ keys: [String], offset: Int) -> Int {
        members.append([]); birth.append(offset); forward.append(nil)
        return members.count - 1
    }

    func add(_ k: String, _ p: Int) { owner[k] = p; members[p].insert(k) }

    /// The living profiles as sets of "kind:value" keys.
    var partition: Set<Set<String>> { Set(members.indices.filter { forward[$0] == nil && !members[$0].isEmpty }.map { members[$0] }) }
}

@Suite struct IdentityGraphTests {
    func apply(_ g: IdentityGraph, _ ids: [(IdentifierKind, String)], _ offset: UInt64) -> IdentityOutcome {
        g.apply(ids.map { (kind: $0.0, value: $0.1) }, offset: offset)
    }

    func lookup(_ g: IdentityGraph, _ kind: IdentifierKind, _ value: String) -> UInt32? {
        var v = value
        return v.withUTF8 { g.profile(kind: kind.code, value: UnsafeRawBufferPointer($0)) }
    }

    @Test func anonymousBrowsingThenLoginJoinsTheEarlierHistory() {
        let g = IdentityGraph()
        let anon = apply(g, [(.anonymousID, "a-1")], 0).profile
        _ = apply(g, [(.anonymousID, "a-1"), (.deviceID, "d-1")], 1)
        let login = apply(g, [(.anonymousID, "a-1"), (.userID, "u-1"), (.email, "taro@example.jp")], 2)
        #expect(login.profile == anon)
        #expect(lookup(g, .email, "taro@example.jp") == anon)
        #expect(lookup(g, .deviceID, "d-1") == anon)
        #expect(g.liveProfiles == 1)
    }

    @Test func aSharedFamilyPCKeepsTwoRegisteredCustomersApart() {
        let g = IdentityGraph()
        let taro = apply(g, [(.userID, "taro"), (.deviceID, "family-pc")], 0).profile
        let hanako = apply(g, [(.userID, "hanako"), (.deviceID, "family-pc")], 1)
        #expect(hanako.profile != taro)
        #expect(!hanako.conflict) // the weak device never bridged, so there was no merge to refuse
        #expect(g.liveProfiles == 2)
        #expect(lookup(g, .deviceID, "family-pc") == taro)
    }

    @Test func aLinkEventMergesAndTheOlderIdSurvives() {
        let g = IdentityGraph()
        let old = apply(g, [(.email, "a@example.jp")], 0).profile
        let young = apply(g, [(.phone, "+819012345678")], 1).profile
        let youngID = g.id(of: young)
        let link = apply(g, [(.email, "a@example.jp"), (.phone, "+819012345678")], 2)
        #expect(link.profile == old)
        #expect(link.absorbed == [young])
        #expect(g.mergedIDs(of: old) == [youngID])
        #expect(g.profile(id: youngID) == old) // an absorbed id keeps resolving
        #expect(g.profile(id: g.id(of: old)) == old)
        #expect(!g.isAlive(young))
    }

    @Test func aMergeThatBreaksALimitIsRefusedAndCounted() {
        let g = IdentityGraph()
        let one = apply(g, [(.userID, "u-1"), (.email, "shared@example.jp")], 0).profile
        let two = apply(g, [(.userID, "u-2"), (.email, "shared@example.jp")], 1)
        #expect(two.conflict)
        #expect(two.profile != one) // attributed to the profile of its highest-priority identifier, user_id u-2
        #expect(lookup(g, .userID, "u-2") == two.profile)
        #expect(lookup(g, .email, "shared@example.jp") == one)
        #expect(g.conflicts(of: two.profile).count == 1)
        #expect(g.conflicts(of: two.profile).recent.first?.kinds == [IdentifierKind.userID.code])
        #expect(g.conflicts == 1)
    }

    /// Found: two customers sharing a home landline became one profile (one's name overwrote the other's).
    @Test func twoCustomersSharingAHomeLandlineStayTwoProfiles() {
        let g = IdentityGraph()
        let taro = apply(g, [(.email, "taro@example.jp"), (.phone, "+81312345678")], 0).profile
        let hanako = apply(g, [(.email, "hanako@example.jp"), (.phone, "+81312345678")], 1)
        #expect(hanako.profile != taro)
        #expect(hanako.absorbed.isEmpty && !hanako.conflict)
        #expect(g.liveProfiles == 2)
        #expect(lookup(g, .phone, "+81312345678") == taro) // the number stays with the first who gave it
        // An IP phone (050) is a household number too; a mobile number is personal and merges.
        let ip = apply(g, [(.email, "jiro@example.jp"), (.phone, "+815012345678")], 2).profile
        #expect(apply(g, [(.email, "saburo@example.jp"), (.phone, "+815012345678")], 3).profile != ip)
        let mobile = apply(g, [(.email, "shiro@example.jp"), (.phone, "+819012345678")], 4).profile
        #expect(apply(g, [(.email, "shiro.work@example.jp"), (.phone, "+819012345678")], 5).profile == mobile)
    }

    @Test func aCallFromALandlineJoinsTheCustomerWhoLaterGivesIt() {
        let g = IdentityGraph()
        let call = apply(g, [(.phone, "+81312345678")], 0).profile
        let signup = apply(g, [(.userID, "u-1"), (.phone, "+81312345678")], 1)
        #expect(signup.profile == call) // a landline-only profile is no known customer yet: it joins
        #expect(apply(g, [(.phone, "+81312345678")], 2).profile == call)
        #expect(apply(g, [(.userID, "u-2"), (.phone, "+81312345678")], 3).profile != call)
    }

    /// Found: with phones unlimited, a customer holding a mobile number and 127 landlines (128 phones, past the
    /// 7-bit counters' 127) was taken for no known customer, so a stranger sharing one of the landlines merged in.
    @Test func aCustomerWithAMobileAndMoreLandlinesThanTheCountersHoldStaysAKnownCustomer() throws {
        let g = IdentityGraph(rules: try IdentityRules(json: Data(#"{"limits": {"phone": null}}"#.utf8)))
        let owner = apply(g, [(.phone, "+819012345678"), (.deviceID, "d-1")], 0).profile
        for i in 0..<127 {
            #expect(apply(g, [(.deviceID, "d-1"), (.phone, "+8131234\(1000 + i)")], UInt64(1 + i)).profile == owner)
        }
        let stranger = apply(g, [(.email, "b@example.jp"), (.phone, "+81312341000")], 200)
        #expect(stranger.profile != owner)
        #expect(stranger.absorbed.isEmpty)
    }

    @Test func householdPhonesAreConfigurableInIdentityJson() throws {
        let g = IdentityGraph(rules: try IdentityRules(json: Data(#"{"household_phones": []}"#.utf8)))
        let taro = apply(g, [(.email, "taro@example.jp"), (.phone, "+81312345678")], 0).profile
        #expect(apply(g, [(.email, "hanako@example.jp"), (.phone, "+81312345678")], 1).profile == taro)
        let mobileHousehold = IdentityGraph(rules: try IdentityRules(json: Data(#"{"household_phones": ["mobile"]}"#.utf8)))
        let a = apply(mobileHousehold, [(.email, "a@example.jp"), (.phone, "+819012345678")], 0).profile
        #expect(apply(mobileHousehold, [(.email, "b@example.jp"), (.phone, "+819012345678")], 1).profile != a)
        for bad in [#"{"household_phones": ["toll_free"]}"#, #"{"household_phones": ["landline"]}"#, #"{"household_phones": "fixed"}"#] {
            #expect(throws: StoreError.self) { try IdentityRules(json: Data(bad.utf8)) }
        }
    }

    /// Found: three `identify` events with `"user_id":"undefined"` and three different e-mails became one customer.
    @Test(arguments: ["undefined", "null", "NULL", "0", "-", "N/A", "guest", "Anonymous", "00000000000"])
    func placeholderUserIdsDoNotMergeStrangers(value: String) {
        let g = IdentityGraph()
        var profiles = Set<UInt32>()
        for i in 0..<3 { profiles.insert(apply(g, [(.userID, value), (.email, "c\(i)@example.jp")], UInt64(i)).profile) }
        #expect(profiles.count == 3)
        #expect(g.refused[RefusalReason.placeholder.rawValue] == 3)
        #expect(lookup(g, .userID, value) == nil)
    }

    @Test func aBusinessNumberNeverIdentifiesACustomer() {
        let g = IdentityGraph()
        for (i, number) in ["+81120123456", "+818001234567", "+81570123456", "+81990123456"].enumerated() {
            let a = apply(g, [(.email, "a\(i)@example.jp"), (.phone, number)], UInt64(2 * i)).profile
            #expect(apply(g, [(.email, "b\(i)@example.jp"), (.phone, number)], UInt64(2 * i + 1)).profile != a)
        }
        #expect(g.refused[RefusalReason.businessPhone.rawValue] == 8)
        #expect(g.liveProfiles == 8)
    }

    @Test func blockedValuesFromIdentityJsonAreIgnoredAndCounted() throws {
        let json = #"{"blocked_values": {"user_id": ["U-TEST"], "phone": ["090-1111-2222"], "email": ["Shop@Example.JP"]}}"#
        let g = IdentityGraph(rules: try IdentityRules(json: Data(json.utf8)))
        let a = apply(g, [(.userID, "U-TEST"), (.email, "a@example.jp")], 0).profile
        #expect(apply(g, [(.userID, "u-test"), (.email, "b@example.jp")], 1).profile != a) // case-insensitive
        #expect(apply(g, [(.phone, "+819011112222"), (.email, "c@example.jp")], 2).profile != a)
        let none = apply(g, [(.email, "shop@example.jp")], 3)
        #expect(none.profile == IdentityGraph.unattributed)
        #expect(g.refused[RefusalReason.blockedValue.rawValue] == 4)
        #expect(g.unattributedEvents == 1)
        #expect(throws: StoreError.self) { try IdentityRules(json: Data(#"{"blocked_values": {"phone": ["abc"]}}"#.utf8)) }
        #expect(throws: StoreError.self) { try IdentityRules(json: Data(#"{"blocked_values": {"passport": ["x"]}}"#.utf8)) }
        #expect(throws: StoreError.self) { try IdentityRules(json: Data(#"{"blocked_values": ["x"]}"#.utf8)) }
    }

    @Test func profileIdsAreDerivedFromTheCreatingIdentifier() {
        let a = IdentityGraph(), b = IdentityGraph()
        let pa = apply(a, [(.anonymousID, "x"), (.email, "e@example.jp")], 0).profile
        let pb = apply(b, [(.email, "e@example.jp")], 5).profile
        #expect(a.id(of: pa) == b.id(of: pb))
        #expect(a.id(of: pa).count == 18 && a.id(of: pa).hasPrefix("p-"))
    }

    /// Seeded random events over a small identifier universe: the fast graph partitions identifiers and
    /// attributes events exactly as the reference does.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func agreesWithTheReferenceOnSeededRandomEvents(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let g = IdentityGraph()
        let ref = ReferenceIdentity()
        let kinds: [IdentifierKind] = [.userID, .email, .phone, .line, .deviceID, .anonymousID]
        let refused = ReferenceIdentity.refused.map { key -> (IdentifierKind, String) in
            let colon = key.firstIndex(of: ":")!
            return (IdentifierKind.withCode(UInt8(key[..<colon])!)!, String(key[key.index(after: colon)...]))
        }
        for offset in 0..<3000 {
            var event: [(IdentifierKind, String)] = []
            for k in kinds.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)) {
                let n = Int.random(in: 0..<(k == .deviceID ? 30 : 150), using: &rng)
                if Int.random(in: 0..<12, using: &rng) == 0, let r = refused.filter({ $0.0 == k }).randomElement(using: &rng) {
                    event.append(r)
                } else if k == .phone {
                    // Mobile numbers (personal) and Tokyo landlines (household), both valid Japanese numbers.
                    event.append((k, n % 3 == 0 ? "+8131234\(5000 + n)" : "+819012\(345000 + n)"))
                } else {
                    event.append((k, "\(k.name)-\(n)"))
                }
            }
            let fast = apply(g, event, UInt64(offset))
            let slow = ref.apply(event, offset: offset)
            #expect((fast.profile == IdentityGraph.unattributed) == (slow == nil), "event \(offset)")
            guard let slow, fast.profile != IdentityGraph.unattributed else { continue }
            // Same attribution: the profiles hold the same identifiers.
            let fastIDs = Set(g.identifiers(of: fast.profile).map { "\($0.kind):\($0.value)" })
            #expect(fastIDs == ref.members[slow], "event \(offset)")
            if fastIDs != ref.members[slow] { return }
        }
        let fastPartition = Set((0..<UInt32(g.profileNumbers)).filter { g.isAlive($0) && g.identifierCount(of: $0) > 0 }
            .map { Set(g.identifiers(of: $0).map { "\($0.kind):\($0.value)" }) })
        #expect(fastPartition == ref.partition)
        #expect(g.liveProfiles == ref.forward.indices.filter { ref.forward[$0] == nil }.count)
    }
}

/// Household counts and refusal counters survive a snapshot: a snapshot at every offset plus catch-up equals a
/// full replay, under a non-default identity.json.
@Suite struct IdentitySnapshotTests {
    static let lines = [
        #"{"id":"1","type":"inquiry","at":"2026-03-01T10:00:00+09:00","ids":{"phone":"03-1234-5678"},"props":{"channel":"phone","category":"question"}}"#,
        #"{"id":"2","type":"identify","at":"2026-03-01T11:00:00+09:00","ids":{"email":"taro@example.jp","phone":"03-1234-5678"},"props":{"traits":{"name":"太郎"}}}"#,
        #"{"id":"3","type":"identify","at":"2026-03-01T12:00:00+09:00","ids":{"email":"hanako@example.jp","phone":"03-1234-5678"},"props":{"traits":{"name":"花子"}}}"#,
        #"{"id":"4","type":"identify","at":"2026-03-01T13:00:00+09:00","ids":{"user_id":"undefined","email":"jiro@example.jp"},"props":{"traits":{}}}"#,
        #"{"id":"5","type":"identify","at":"2026-03-01T14:00:00+09:00","ids":{"user_id":"undefined","email":"saburo@example.jp"},"props":{"traits":{}}}"#,
        #"{"id":"6","type":"inquiry","at":"2026-03-01T15:00:00+09:00","ids":{"email":"hanako@example.jp","phone":"0120-123-456"},"props":{"channel":"phone","category":"complaint"}}"#,
        #"{"id":"7","type":"page_view","at":"2026-03-01T16:00:00+09:00","ids":{"anonymous_id":"a-1","user_id":"U-SHOP"}}"#,
        #"{"id":"8","type":"page_view","at":"2026-03-01T17:00:00+09:00","ids":{"user_id":"U-SHOP"}}"#,
        #"{"id":"9","type":"link","at":"2026-03-01T18:00:00+09:00","ids":{"email":"jiro@example.jp","phone":"050-1234-5678"}}"#,
        #"{"id":"10","type":"link","at":"2026-03-01T19:00:00+09:00","ids":{"email":"saburo@example.jp","phone":"050-1234-5678"}}"#,
    ]

    @Test func aSnapshotAtEveryOffsetPlusCatchUpEqualsAReplay() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        let store = try EventStore.open(dir)
        _ = try store.ingest(file: t.write("in.ndjson", Self.lines.joined(separator: "\n")))
        try store.close()
        try Data(#"{"blocked_values": {"user_id": ["U-SHOP"]}}"#.utf8).write(to: URL(fileURLWithPath: dir.identityConfigPath))
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        #expect(reader.endOffset == UInt64(Self.lines.count))
        let full = try ProjectionLoader.replay(reader, settings: settings, asOf: nil)
        #expect(full.profileCount == 5) // the landline caller joined 太郎; 花子, 次郎, 三郎 and the anonymous visitor
        #expect(full.graph.refused == [2, 1, 2])
        #expect(full.graph.unattributedEvents == 1)
        func state(_ p: ProfileProjection) -> String {
            p.livingProfiles.map { q in p.graph.identifiers(of: q).map { "\($0.kind):\($0.value)" }.joined(separator: ",") }
                .joined(separator: " | ") + " \(p.graph.refused) \(p.graph.unattributedEvents) \(p.graph.merges)"
        }
        for cut in 1..<reader.endOffset {
            let partial = try ProjectionLoader.replay(reader, settings: settings, asOf: nil, to: cut)
            try ProjectionSnapshot.write(partial, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
            let (loaded, _, notice) = try ProjectionLoader.load(dir)
            #expect(notice == nil)
            #expect(state(loaded) == state(full), "cut at \(cut)")
        }
    }
}

/// The snapshot writer's identifier order (`forEachIdentifierNode`, no `String` for ASCII values) is the order of
/// `identifierNodes(of:)` (Swift's string order), non-ASCII and canonically equal values included.
@Suite struct IdentifierNodeOrderTests {
    @Test func theOrderWithoutStringsIsTheStringOrder() {
        let g = IdentityGraph(rules: try! IdentityRules(json: Data(#"{"limits": {"device_id": null, "anonymous_id": null}}"#.utf8)))
        let values = ["b", "a", "ab", "a-1", "Z", "é", "e\u{301}", "東京", "とうきょう", "e", "", "zz", "ÿ", "Ω", "~"]
        var rng = SeededGenerator(seed: 4)
        let tests = IdentityGraphTests()
        for offset in 0..<60 {
            let kind: IdentifierKind = Bool.random(using: &rng) ? .deviceID : .anonymousID
            let value = "v" + values.randomElement(using: &rng)! + values.randomElement(using: &rng)!
            _ = tests.apply(g, [(.userID, "one"), (kind, value)], UInt64(offset))
        }
        let p = tests.lookup(g, .userID, "one")!
        var seen: [(UInt32, UInt8, String, UInt64)] = []
        g.forEachIdentifierNode(of: p) { node, kind, value, linkedAt in
            seen.append((node, kind, String(decoding: value, as: UTF8.self), linkedAt))
        }
        let expected = g.identifierNodes(of: p)
        #expect(seen.count == expected.count && seen.count > 20)
        for (a, b) in zip(seen, expected) {
            #expect(a.0 == b.node && a.1 == b.kind && a.2.utf8.elementsEqual(b.value.utf8) && a.3 == b.linkedAt, "\(a) vs \(b)")
        }
    }
}
