import Daicho
import Testing
import DaichoTestSupport
@testable import DaichoProjections

/// A plain, obviously correct version of docs/identity.md's rules, with sets and full scans.
final class ReferenceIdentity {
    let rules = IdentityRules()
    var owner: [String: Int] = [:]
    var members: [Set<String>] = []
    var kinds: [String: UInt8] = [:]
    var birth: [Int] = []
    var forward: [Int?] = []
    var ids: [UInt64] = []

    func root(_ p: Int) -> Int { var p = p; while let f = forward[p] { p = f }; return p }
    func isWeak(_ key: String) -> Bool { rules.weak[Int(kinds[key]!)] }
    func hasStrong(_ p: Int) -> Bool { members[p].contains { !isWeak($0) } }
    func priority(_ key: String) -> Int { rules.priority[Int(kinds[key]!)] }

    /// Returns the attributed profile's root number.
    func apply(_ event: [(IdentifierKind, String)], offset: Int) -> Int {
        let keys = event.map { "\($0.0.code):\($0.1)" }
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
            for k in 0..<rules.limits.count {
                if let limit = rules.limits[k], union.filter({ kinds[$0] == UInt8(k) }).count > limit { over = true }
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
            let limit = rules.limits[Int(kinds[k]!)]
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
        for offset in 0..<3000 {
            var event: [(IdentifierKind, String)] = []
            for k in kinds.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)) {
                event.append((k, "\(k.name)-\(Int.random(in: 0..<(k == .deviceID ? 30 : 150), using: &rng))"))
            }
            let fast = apply(g, event, UInt64(offset))
            let slow = ref.apply(event, offset: offset)
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
