import Daicho

// The identity graph of docs/identity.md "Identity graph": normalized identifiers → profiles, with merge
// protection. A pure function of the events applied, in offset order.

/// The outcome of applying one event's identifiers.
public struct IdentityOutcome: Sendable, Equatable {
    /// The profile the event is attributed to.
    public var profile: UInt32
    /// Profiles absorbed into `profile` by this event (their aggregates must be folded into it).
    public var absorbed: [UInt32]
    /// True when a merge was refused because it would break a per-kind limit.
    public var conflict: Bool
}

/// Resolves identifiers to profiles. Profiles are numbered densely in birth order; an absorbed profile keeps
/// its number, marked dead and forwarding to its survivor. Not thread-safe: owned by one projection worker.
public final class IdentityGraph {
    public let rules: IdentityRules

    /// Node keys: one byte of kind code, then the normalized value. Node number = symbol number.
    let nodeKeys = SymbolTable()
    /// Per node: its profile and its kind code.
    @exclusivity(unchecked) private(set) var nodeProfile: [UInt32] = []
    @exclusivity(unchecked) private(set) var nodeKind: [UInt8] = []

    /// One profile: its identifier nodes and what docs/identity.md says about it.
    struct Profile {
        var idHash: UInt64
        var birthOffset: UInt64
        /// Identifiers per kind code, 7 bits each (saturating at 127): limit checks without scanning `nodes`.
        var counts: UInt128 = 0
        var nodes: [UInt32]
        /// Absorbed profiles' id hashes, oldest first.
        var mergedIDs: [UInt64] = []
        var conflicts = 0
        /// The last refused merges: (offset, kind codes over their limit).
        var recentConflicts: [(offset: UInt64, kinds: [UInt8])] = []
        /// The survivor when absorbed; UInt32.max while alive.
        var forward = UInt32.max
        /// Per node of `nodes`, the offset of the event that attached it (why the merge happened).
        var linkedAt: [UInt64]
    }
    @exclusivity(unchecked) private(set) var profiles: [Profile] = []
    /// Profile id hash → profile number (absorbed ids included).
    private var byID: [UInt64: UInt32] = [:]

    /// Number of living profiles.
    @exclusivity(unchecked) public private(set) var liveProfiles = 0
    /// Refused merges so far.
    @exclusivity(unchecked) public private(set) var conflicts = 0
    /// Merges so far.
    @exclusivity(unchecked) public private(set) var merges = 0

    @exclusivity(unchecked) private var keyScratch: [UInt8] = []

    /// The 7-bit counter fields of the strong kinds, so `hasStrong` is one AND.
    private let strongCounters: UInt128

    public init(rules: IdentityRules = IdentityRules()) {
        self.rules = rules
        var mask: UInt128 = 0
        for (k, weak) in rules.weak.enumerated() where !weak { mask |= 0x7F << (7 * UInt128(k)) }
        strongCounters = mask
        keyScratch.reserveCapacity(256)
    }

    /// Number of identifier nodes.
    public var nodeCount: Int { nodeProfile.count }

    /// Installs state read from a snapshot (IdentityGraph+Snapshot.swift).
    func restore(nodeKind: [UInt8], nodeProfile: [UInt32], profiles: [Profile], live: Int, conflicts: Int, merges: Int) {
        self.nodeKind = nodeKind
        self.nodeProfile = nodeProfile
        self.profiles = profiles
        liveProfiles = live
        self.conflicts = conflicts
        self.merges = merges
        byID.removeAll()
        for (i, p) in profiles.enumerated() {
            byID[p.idHash] = UInt32(i)
        }
    }

    // MARK: - Lookup

    /// The living profile holding identifier (kind, normalized value), if any.
    public func profile(kind: UInt8, value: UnsafeRawBufferPointer) -> UInt32? {
        node(kind: kind, value: value).map { profileOf(node: $0) }
    }

    /// The living profile of node `n`, shortening its forwarding chain (path compression).
    private func profileOf(node n: UInt32) -> UInt32 {
        var p = nodeProfile[Int(n)]
        while profiles[Int(p)].forward != UInt32.max { p = profiles[Int(p)].forward }
        nodeProfile[Int(n)] = p
        return p
    }

    @inline(__always)
    private func count(_ kind: UInt8, in p: UInt32) -> Int {
        Int(truncatingIfNeeded: (profiles[Int(p)].counts >> (7 * UInt128(kind))) & 0x7F)
    }

    private func addCount(_ kind: UInt8, _ n: Int, to p: UInt32) {
        let total = min(127, count(kind, in: p) + n)
        let shift = 7 * UInt128(kind)
        profiles[Int(p)].counts = (profiles[Int(p)].counts & ~(0x7F << shift)) | (UInt128(total) << shift)
    }

    /// The living profile of a profile id (`p-` + 16 hex digits), absorbed ids included.
    public func profile(id: String) -> UInt32? {
        guard id.hasPrefix("p-"), id.count == 18, let h = UInt64(id.dropFirst(2), radix: 16), var p = byID[h] else { return nil }
        while profiles[Int(p)].forward != UInt32.max { p = profiles[Int(p)].forward }
        return p
    }

    /// The id of profile `p` (`p-` + 16 hex digits).
    public func id(of p: UInt32) -> String { Self.format(profiles[Int(p)].idHash) }

    /// Absorbed profile ids of `p`, oldest first.
    public func mergedIDs(of p: UInt32) -> [String] { profiles[Int(p)].mergedIDs.map(Self.format) }

    /// The living profile that `p` is, or was absorbed into.
    public func living(_ p: UInt32) -> UInt32 {
        var p = p
        while profiles[Int(p)].forward != UInt32.max { p = profiles[Int(p)].forward }
        return p
    }

    /// True when `p` has not been absorbed.
    public func isAlive(_ p: UInt32) -> Bool { profiles[Int(p)].forward == UInt32.max }

    /// The identifiers of `p`: (kind code, normalized value, offset that attached it), sorted by kind then value.
    public func identifiers(of p: UInt32) -> [(kind: UInt8, value: String, linkedAt: UInt64)] {
        let prof = profiles[Int(p)]
        return zip(prof.nodes, prof.linkedAt).map { n, at in
            let key = nodeKeys.string(Symbol(raw: n))
            return (nodeKind[Int(n)], String(key.unicodeScalars.dropFirst()), at)
        }.sorted { ($0.kind, $0.value) < ($1.kind, $1.value) }
    }

    /// Conflicts recorded on `p`: the total and the last ten.
    public func conflicts(of p: UInt32) -> (count: Int, recent: [(offset: UInt64, kinds: [UInt8])]) {
        (profiles[Int(p)].conflicts, profiles[Int(p)].recentConflicts)
    }

    static func format(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return "p-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    private func node(kind: UInt8, value: UnsafeRawBufferPointer) -> UInt32? {
        withKey(kind: kind, value: value) { nodeKeys.lookup($0)?.raw }
    }

    private func withKey<R>(kind: UInt8, value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        keyScratch.removeAll(keepingCapacity: true)
        keyScratch.append(kind)
        keyScratch.append(contentsOf: value)
        return keyScratch.withUnsafeBytes(body)
    }

    // MARK: - Applying an event

    /// One identifier of an event: kind code and normalized value bytes (valid during the call).
    typealias EventIdentifier = (kind: UInt8, value: UnsafeRawBufferPointer)

    @exclusivity(unchecked) private var ids: [EventIdentifier] = []
    @exclusivity(unchecked) private var fresh: [Int] = []
    @exclusivity(unchecked) private var reached: [UInt32] = []
    @exclusivity(unchecked) private var reachedStrongly: [Bool] = []
    @exclusivity(unchecked) private var merging: [UInt32] = []

    /// Applies the identifiers of the event at `offset` (docs/identity.md "Applying one event").
    /// - Parameters:
    ///   - identifiers: the event's decoded identifiers; `strings` resolves their normalized values.
    /// - Complexity: O(identifiers) plus, on a merge, the absorbed profile's identifier count.
    public func apply(_ identifiers: UnsafeBufferPointer<DecodedIdentifier>, strings: StringTable, offset: UInt64) -> IdentityOutcome {
        ids.removeAll(keepingCapacity: true)
        for d in identifiers { ids.append((d.kind, strings.bytes(d.normalized))) }
        return applyCollected(offset: offset)
    }

    /// Applies identifiers given as (kind, normalized value) pairs (tests, tools).
    public func apply(_ identifiers: [(kind: IdentifierKind, value: String)], offset: UInt64) -> IdentityOutcome {
        var storage = identifiers.map { ($0.kind.code, Array($0.value.utf8)) }
        return withBuffers(&storage, 0) { applyCollected(offset: offset) }
    }

    private func withBuffers<R>(_ storage: inout [(UInt8, [UInt8])], _ i: Int, _ body: () -> R) -> R {
        if i == 0 { ids.removeAll(keepingCapacity: true) }
        guard i < storage.count else { return body() }
        let kind = storage[i].0
        return storage[i].1.withUnsafeBytes { bytes in
            ids.append((kind, bytes))
            return withBuffers(&storage, i + 1, body)
        }
    }

    private func applyCollected(offset: UInt64) -> IdentityOutcome {
        fresh.removeAll(keepingCapacity: true)
        reached.removeAll(keepingCapacity: true)
        reachedStrongly.removeAll(keepingCapacity: true)
        merging.removeAll(keepingCapacity: true)
        for (i, id) in ids.enumerated() {
            if let n = node(kind: id.kind, value: id.value) {
                let p = profileOf(node: n)
                let strong = !rules.weak[Int(id.kind)]
                if let j = reached.firstIndex(of: p) { reachedStrongly[j] = reachedStrongly[j] || strong }
                else { reached.append(p); reachedStrongly.append(strong) }
            } else {
                fresh.append(i)
            }
        }
        // Who merges: weak links never bridge two known customers (docs/identity.md rule 2).
        let strongInEvent = ids.contains { !rules.weak[Int($0.kind)] }
        if strongInEvent {
            for (j, p) in reached.enumerated() where reachedStrongly[j] || !hasStrong(p) { merging.append(p) }
        } else if reached.lazy.filter({ self.hasStrong($0) }).count <= 1 {
            merging.append(contentsOf: reached)
        }
        // Only weak identifiers, reaching several known customers: ambiguous, nothing merges.
        let ambiguous = !strongInEvent && merging.isEmpty && !reached.isEmpty
        // A limit can only break when profiles merge or new identifiers join.
        if !ambiguous, merging.count > 1 || !fresh.isEmpty, let over = overLimit() {
            conflicts += 1
            return attributeByPriority(offset: offset, conflict: true, over: over)
        }
        if ambiguous { return attributeByPriority(offset: offset, conflict: false, over: []) }
        guard !merging.isEmpty else {
            let p = newProfile(offset: offset)
            for i in fresh { attach(ids[i], to: p, offset: offset) }
            return IdentityOutcome(profile: p, absorbed: [], conflict: false)
        }
        let survivor = merging.min { profiles[Int($0)].birthOffset < profiles[Int($1)].birthOffset }!
        var absorbed: [UInt32] = []
        for p in merging where p != survivor {
            absorb(p, into: survivor)
            absorbed.append(p)
        }
        for i in fresh { attach(ids[i], to: survivor, offset: offset) }
        return IdentityOutcome(profile: survivor, absorbed: absorbed, conflict: false)
    }

    private func hasStrong(_ p: UInt32) -> Bool {
        profiles[Int(p)].counts & strongCounters != 0
    }

    /// The kinds whose limit the union of `merging` plus the event's new identifiers would break, or nil.
    private func overLimit() -> [UInt8]? {
        var over: [UInt8]?
        for k in 0..<rules.limits.count {
            guard let limit = rules.limits[k] else { continue }
            // With one profile, only the kinds of new identifiers can grow.
            if merging.count <= 1 && !fresh.contains(where: { ids[$0].kind == UInt8(k) }) { continue }
            var c = 0
            for p in merging { c += count(UInt8(k), in: p) }
            for i in fresh where ids[i].kind == UInt8(k) { c += 1 }
            if c > limit { over = (over ?? []) + [UInt8(k)] }
        }
        return over
    }

    /// Attributes the event to the profile of its highest-priority identifier (creating it when new, with the
    /// event's other new identifiers that fit its limits).
    private func attributeByPriority(offset: UInt64, conflict: Bool, over: [UInt8]) -> IdentityOutcome {
        let top = ids.indices.min { rules.priority[Int(ids[$0].kind)] < rules.priority[Int(ids[$1].kind)] }!
        let p: UInt32
        if let n = node(kind: ids[top].kind, value: ids[top].value) {
            p = profileOf(node: n)
        } else {
            p = newProfile(offset: offset)
        }
        for i in fresh where fits(ids[i].kind, in: p) { attach(ids[i], to: p, offset: offset) }
        if conflict {
            profiles[Int(p)].conflicts += 1
            profiles[Int(p)].recentConflicts.append((offset, over))
            if profiles[Int(p)].recentConflicts.count > 10 { profiles[Int(p)].recentConflicts.removeFirst() }
        }
        return IdentityOutcome(profile: p, absorbed: [], conflict: conflict)
    }

    private func fits(_ kind: UInt8, in p: UInt32) -> Bool {
        guard let limit = rules.limits[Int(kind)] else { return true }
        return count(kind, in: p) < limit
    }

    /// Creates a profile whose id derives from the event's highest-priority identifier.
    private func newProfile(offset: UInt64) -> UInt32 {
        let top = ids.min { rules.priority[Int($0.kind)] < rules.priority[Int($1.kind)] }!
        let name = IdentifierKind.all[Int(top.kind)].name + ":"
        var key = Array(name.utf8)
        key.append(contentsOf: top.value)
        let h = key.withUnsafeBytes { XXHash64.hash($0) }
        let p = UInt32(profiles.count)
        profiles.append(Profile(idHash: h, birthOffset: offset, nodes: [], linkedAt: []))
        byID[h] = p
        liveProfiles += 1
        return p
    }

    private func attach(_ id: EventIdentifier, to p: UInt32, offset: UInt64) {
        let n = withKey(kind: id.kind, value: id.value) { nodeKeys.intern($0) }.raw
        if Int(n) == nodeProfile.count {
            nodeProfile.append(p)
            nodeKind.append(id.kind)
        } else {
            nodeProfile[Int(n)] = p
        }
        profiles[Int(p)].nodes.append(n)
        profiles[Int(p)].linkedAt.append(offset)
        addCount(id.kind, 1, to: p)
    }

    /// Marks `p` absorbed by `survivor` (its nodes forward there) and moves its identifiers' bookkeeping.
    private func absorb(_ p: UInt32, into survivor: UInt32) {
        let gone = profiles[Int(p)]
        for k in 0..<rules.limits.count {
            let c = count(UInt8(k), in: p)
            if c > 0 { addCount(UInt8(k), c, to: survivor) }
        }
        profiles[Int(survivor)].nodes.append(contentsOf: gone.nodes)
        profiles[Int(survivor)].linkedAt.append(contentsOf: gone.linkedAt)
        profiles[Int(survivor)].mergedIDs.append(gone.idHash)
        profiles[Int(survivor)].mergedIDs.append(contentsOf: gone.mergedIDs)
        profiles[Int(survivor)].conflicts += gone.conflicts
        profiles[Int(p)] = Profile(idHash: gone.idHash, birthOffset: gone.birthOffset, nodes: [], forward: survivor, linkedAt: [])
        liveProfiles -= 1
        merges += 1
    }
}
