import Daicho
import Foundation

// The identity graph of docs/identity.md "Identity graph": normalized identifiers → profiles, with merge
// protection. A pure function of the events applied, in offset order.
//
// Layout (struct of arrays, so a snapshot loads with a few copies and a lookup touches few cache lines):
// - nodes: one byte arena of identifier values; per node its end in the arena, kind, the next node of the same
//   profile (a linked list instead of per-profile arrays) and the offset that attached it;
// - an open-addressing table of 16-byte slots (hash tag, profile, arena start, length, kind): a probe compares
//   the tag and kind in the slot and reads the arena only on a likely match, and the slot holds the profile;
// - profiles: per profile its id hash, birth offset, per-kind counts, first and last node, forward pointer
//   and conflict count; merged ids and recent conflicts (rare) in sparse dictionaries.

/// The outcome of applying one event's identifiers.
public struct IdentityOutcome: Sendable, Equatable {
    /// The profile the event is attributed to; `IdentityGraph.unattributed` when every identifier was refused.
    public var profile: UInt32
    /// Profiles absorbed into `profile` by this event (their aggregates must be folded into it).
    public var absorbed: [UInt32]
    /// True when a merge was refused because it would break a per-kind limit.
    public var conflict: Bool
}

/// One slot of the node hash table: 0 in `node` means empty.
struct NodeSlot: Equatable {
    /// The high 32 bits of the node key's hash; also picks the home slot, so growing never re-hashes bytes.
    var tag: UInt32
    /// The node's profile + 1 (0: empty slot). It may have been absorbed since: lookups follow the forwards and
    /// write the survivor back (path compression), so the profile is read without a per-node array.
    var profile: UInt32
    /// Start of the value in the arena, and its length.
    var start: UInt32
    var length: UInt16
    var kind: UInt8
    var reserved: UInt8 = 0

    static let empty = NodeSlot(tag: 0, profile: 0, start: 0, length: 0, kind: 0)
}

/// Resolves identifiers to profiles. Profiles are numbered densely in birth order; an absorbed profile keeps
/// its number, marked dead and forwarding to its survivor. Not thread-safe: owned by one projection worker.
public final class IdentityGraph {
    public let rules: IdentityRules
    static let none = UInt32.max
    /// The profile of an event whose every identifier is refused (docs/identity.md "Refused identifiers").
    public static let unattributed = UInt32.max

    // MARK: Nodes
    /// Identifier values, concatenated in node order.
    @exclusivity(unchecked) var arena = Column<UInt8>()
    /// Per node: end of its value in `arena` (start = previous node's end).
    @exclusivity(unchecked) var nodeEnd = Column<UInt32>()
    @exclusivity(unchecked) var nodeKind = Column<UInt8>()
    /// Per node: the next node of the same profile, `none` at the end.
    @exclusivity(unchecked) var nodeNext = Column<UInt32>()
    /// Per node: the offset of the event that attached it (why the merge happened).
    @exclusivity(unchecked) var nodeLinkedAt = Column<UInt64>()
    /// Power-of-two open-addressing table, at most half full.
    @exclusivity(unchecked) var slots = Column(repeating: NodeSlot.empty, count: 1 << 10)

    // MARK: Profiles
    @exclusivity(unchecked) var idHash = Column<UInt64>()
    @exclusivity(unchecked) var birthOffset = Column<UInt64>()
    /// Identifiers per kind code, 7 bits each (saturating at 127): limit checks without walking nodes.
    @exclusivity(unchecked) var counts = Column<UInt128>()
    @exclusivity(unchecked) var firstNode = Column<UInt32>()
    @exclusivity(unchecked) var lastNode = Column<UInt32>()
    /// The survivor when absorbed; `none` while alive.
    @exclusivity(unchecked) var forward = Column<UInt32>()
    @exclusivity(unchecked) var conflictCount = Column<UInt32>()
    /// Phone numbers held that are not household numbers (saturating at 127): a profile with any is a known customer
    /// when phones are strong. Counting these rather than the household ones keeps the answer right when the phone
    /// counter in `counts` saturates.
    @exclusivity(unchecked) var personalPhoneCount = Column<UInt8>()
    /// Absorbed profiles' id hashes, oldest first, for profiles that absorbed any.
    @exclusivity(unchecked) var mergedIDs: [UInt32: [UInt64]] = [:]
    /// The last refused merges per profile that had any: (offset, kind codes over their limit).
    @exclusivity(unchecked) var recentConflicts: [UInt32: [(offset: UInt64, kinds: [UInt8])]] = [:]
    /// Profile id hash → profile number (absorbed ids included); built on the first lookup by id.
    private var byID: [UInt64: UInt32]?

    /// Number of living profiles.
    @exclusivity(unchecked) public internal(set) var liveProfiles = 0
    /// Refused merges so far.
    @exclusivity(unchecked) public internal(set) var conflicts = 0
    /// Merges so far.
    @exclusivity(unchecked) public internal(set) var merges = 0
    /// Identifiers ignored so far, by `RefusalReason.rawValue`.
    @exclusivity(unchecked) public internal(set) var refused = [Int](repeating: 0, count: RefusalReason.allCases.count)
    /// Events attributed to no profile because every identifier was refused.
    @exclusivity(unchecked) public internal(set) var unattributedEvents = 0

    /// The 7-bit counter fields of the strong kinds, so `hasStrong` is one AND.
    private let strongCounters: UInt128
    /// The 7-bit counter field of phone numbers.
    private let phoneCounter: UInt128 = 0x7F << (7 * UInt128(IdentifierKind.phone.code))

    public init(rules: IdentityRules = IdentityRules()) {
        self.rules = rules
        var mask: UInt128 = 0
        for (k, weak) in rules.weak.enumerated() where !weak { mask |= 0x7F << (7 * UInt128(k)) }
        strongCounters = mask
    }

    /// Number of identifier nodes.
    public var nodeCount: Int { nodeKind.count }

    /// Number of profile numbers given out (absorbed ones included).
    public var profileNumbers: Int { idHash.count }

    // MARK: - Lookup

    /// The living profile holding identifier (kind, normalized value), if any.
    public func profile(kind: UInt8, value: UnsafeRawBufferPointer) -> UInt32? {
        let i = probe(kind: kind, value: value, hash: Self.hash(kind: kind, value: value))
        return slots[i].profile == 0 ? nil : profileOf(slot: i)
    }

    @inline(__always)
    static func hash(kind: UInt8, value: UnsafeRawBufferPointer) -> UInt64 {
        XXHash64.hash(value, seed: UInt64(kind))
    }

    /// The slot holding (kind, value), or the empty slot where it would go.
    @inline(__always)
    private func probe(kind: UInt8, value: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let s = slots.base
        let mask = slots.count &- 1
        var i = Int(tag) & mask
        while true {
            let slot = s[i]
            if slot.profile == 0 { return i }
            if slot.tag == tag, slot.kind == kind, Int(slot.length) == value.count,
               value.count == 0 || memcmp(arena.base + Int(slot.start), value.baseAddress!, value.count) == 0 {
                return i
            }
            i = (i &+ 1) & mask
        }
    }

    /// The living profile of the node in slot `i`, shortening its forwarding chain (path compression).
    @inline(__always)
    private func profileOf(slot i: Int) -> UInt32 {
        var p = slots[i].profile &- 1
        guard forward[Int(p)] != Self.none else { return p }
        while forward[Int(p)] != Self.none { p = forward[Int(p)] }
        slots[i].profile = p &+ 1
        return p
    }

    @inline(__always)
    private func count(_ kind: UInt8, in p: UInt32) -> Int {
        Int(truncatingIfNeeded: (counts[Int(p)] >> (7 * UInt128(kind))) & 0x7F)
    }

    private func addCount(_ kind: UInt8, _ n: Int, to p: UInt32) {
        let total = min(127, count(kind, in: p) + n)
        let shift = 7 * UInt128(kind)
        counts[Int(p)] = (counts[Int(p)] & ~(0x7F << shift)) | (UInt128(total) << shift)
    }

    /// The living profile of a profile id (`p-` + 16 hex digits), absorbed ids included.
    /// - Complexity: O(1) after the first call, which indexes every profile id (O(profiles)).
    public func profile(id: String) -> UInt32? {
        guard id.hasPrefix("p-"), id.count == 18, let h = UInt64(id.dropFirst(2), radix: 16) else { return nil }
        if byID == nil {
            var index = [UInt64: UInt32](minimumCapacity: idHash.count)
            for (p, h) in idHash.buffer.enumerated() { index[h] = UInt32(p) }
            // An absorbed id is its absorbed profile's own id here, except in a graph of adopted profiles (whose
            // absorbed profiles are not in it): their living profile answers for it; an own id wins.
            for (p, merged) in mergedIDs { for m in merged where index[m] == nil { index[m] = p } }
            byID = index
        }
        return byID![h].map(living)
    }

    /// The id of profile `p` (`p-` + 16 hex digits).
    public func id(of p: UInt32) -> String { Self.format(idHash[Int(p)]) }

    /// Absorbed profile ids of `p`, oldest first.
    public func mergedIDs(of p: UInt32) -> [String] { (mergedIDs[p] ?? []).map(Self.format) }

    /// The living profile that `p` is, or was absorbed into.
    public func living(_ p: UInt32) -> UInt32 {
        var p = p
        while forward[Int(p)] != Self.none { p = forward[Int(p)] }
        return p
    }

    /// True when `p` has not been absorbed.
    public func isAlive(_ p: UInt32) -> Bool { forward[Int(p)] == Self.none }

    /// Number of identifiers of kind `kind` of `p` (saturating at 127).
    public func identifierCount(of p: UInt32, kind: UInt8) -> Int { count(kind, in: p) }

    /// Whether `p` holds the identifier (`kind`, normalized `value`), without building strings.
    public func hasIdentifier(of p: UInt32, kind: UInt8, value: UnsafeRawBufferPointer) -> Bool {
        var n = firstNode[Int(p)]
        while n != Self.none {
            let i = Int(n)
            if nodeKind[i] == kind {
                let start = i == 0 ? 0 : Int(nodeEnd[i - 1])
                let count = Int(nodeEnd[i]) - start
                if count == value.count, count == 0 || memcmp(arena.base + start, value.baseAddress!, count) == 0 { return true }
            }
            n = nodeNext[i]
        }
        return false
    }

    /// Number of profile ids `p` absorbed (its `merged_ids`).
    public func mergedCount(of p: UInt32) -> Int { mergedIDs[p]?.count ?? 0 }

    /// Number of identifiers of `p`.
    public func identifierCount(of p: UInt32) -> Int {
        var c = 0
        var n = firstNode[Int(p)]
        while n != Self.none { c += 1; n = nodeNext[Int(n)] }
        return c
    }

    /// The identifiers of `p`: (kind code, normalized value, offset that attached it), sorted by kind then value.
    public func identifiers(of p: UInt32) -> [(kind: UInt8, value: String, linkedAt: UInt64)] {
        identifierNodes(of: p).map { ($0.kind, $0.value, $0.linkedAt) }
    }

    /// The identifiers of `p` as `identifiers(of:)` orders them, each with its node number.
    func identifierNodes(of p: UInt32) -> [(node: UInt32, kind: UInt8, value: String, linkedAt: UInt64)] {
        var out: [(node: UInt32, kind: UInt8, value: String, linkedAt: UInt64)] = []
        var n = firstNode[Int(p)]
        while n != Self.none {
            let i = Int(n)
            let start = i == 0 ? 0 : Int(nodeEnd[i - 1])
            let value = UnsafeBufferPointer(start: arena.base + start, count: Int(nodeEnd[i]) - start)
            out.append((n, nodeKind[i], String(decoding: value, as: UTF8.self), nodeLinkedAt[i]))
            n = nodeNext[i]
        }
        return out.sorted { ($0.kind, $0.value) < ($1.kind, $1.value) }
    }

    /// Calls `body` with each identifier of `p` in the order `identifierNodes(of:)` gives (kind, then value as
    /// Swift orders strings): its node number, kind, value bytes (valid during the call) and linked-at offset.
    /// Makes no `String` when the values compared are ASCII, whose byte order is Swift's string order.
    func forEachIdentifierNode(of p: UInt32, _ body: (UInt32, UInt8, UnsafeRawBufferPointer, UInt64) -> Void) {
        let count = identifierCount(of: p)
        guard count > 0 else { return }
        let arena = self.arena.base
        func value(_ n: UInt32) -> UnsafeRawBufferPointer {
            let i = Int(n)
            let start = i == 0 ? 0 : Int(nodeEnd[i - 1])
            return UnsafeRawBufferPointer(start: arena + start, count: Int(nodeEnd[i]) - start)
        }
        func precedes(_ a: UInt32, _ b: UInt32) -> Bool {
            let ka = nodeKind[Int(a)], kb = nodeKind[Int(b)]
            if ka != kb { return ka < kb }
            let va = value(a), vb = value(b)
            if va.allSatisfy({ $0 < 0x80 }) && vb.allSatisfy({ $0 < 0x80 }) {
                let c = memcmp(va.baseAddress!, vb.baseAddress!, min(va.count, vb.count))
                return c != 0 ? c < 0 : va.count < vb.count
            }
            return String(decoding: va, as: UTF8.self) < String(decoding: vb, as: UTF8.self)
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { nodes in
            var n = firstNode[Int(p)], k = 0
            while n != Self.none {
                // Insertion sort: a profile has a handful of identifiers.
                var j = k
                while j > 0 && precedes(n, nodes[j - 1]) { nodes[j] = nodes[j - 1]; j -= 1 }
                nodes[j] = n
                k += 1
                n = nodeNext[Int(n)]
            }
            for n in nodes { body(n, nodeKind[Int(n)], value(n), nodeLinkedAt[Int(n)]) }
        }
    }

    /// Hints the CPU to fetch profile `p`'s first identifier node (kind, value end, next, link offset and the
    /// value's bytes), for a reader of whole profiles (the snapshot writer) some profiles ahead.
    func prefetchFirstNode(of p: UInt32) {
        guard Int(p) < firstNode.count else { return }
        let n = Int(firstNode[Int(p)])
        guard n < nodeEnd.count else { return }
        nodeKind.prefetch(n); nodeEnd.prefetch(n); nodeNext.prefetch(n); nodeLinkedAt.prefetch(n)
        arena.prefetch(n == 0 ? 0 : Int(nodeEnd[n - 1]))
    }

    /// Conflicts recorded on `p`: the total and the last ten.
    public func conflicts(of p: UInt32) -> (count: Int, recent: [(offset: UInt64, kinds: [UInt8])]) {
        (Int(conflictCount[Int(p)]), recentConflicts[p] ?? [])
    }

    static func format(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return "p-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Bytes held, by part: nodes (arena and per-node arrays), the node hash table, profiles.
    public var memoryBytes: (nodes: Int, table: Int, profiles: Int) {
        let nodes = arena.memoryBytes + nodeEnd.memoryBytes + nodeKind.memoryBytes
            + nodeNext.memoryBytes + nodeLinkedAt.memoryBytes
        var profiles = idHash.memoryBytes + birthOffset.memoryBytes + counts.memoryBytes + firstNode.memoryBytes
            + lastNode.memoryBytes + forward.memoryBytes + conflictCount.memoryBytes + personalPhoneCount.memoryBytes
        // Dictionaries: about 1.5× their entries in buckets, plus each value array's header and elements.
        profiles += mergedIDs.values.reduce(mergedIDs.count * 24) { $0 + 32 + $1.capacity * 8 }
        profiles += recentConflicts.values.reduce(recentConflicts.count * 24) { $0 + 32 + $1.capacity * 56 }
        profiles += (byID?.capacity ?? 0) * 16
        return (nodes, slots.memoryBytes, profiles)
    }

    // MARK: - Applying an event

    /// One identifier of an event: kind code, normalized value bytes (valid during the call), its hash, its slot
    /// in the node table, and whether it is known.
    struct EventIdentifier {
        var kind: UInt8
        var value: UnsafeRawBufferPointer
        var hash: UInt64 = 0
        var slot = 0
        var known = false
        /// A household phone number: counts as weak here (docs/identity.md "Household numbers").
        var household = false
        /// The value's index in `batchMemo` (its dynamic string ref in the batch), or -1: not memoized.
        var memo = -1
    }

    /// What resolving one identifier value of the current batch found, kept for the batch's other events with the
    /// same value: the batch dictionary-encodes strings, so the same normalized value is the same string ref in
    /// every event of the batch (docs/architecture.md "Replay on two threads": identity per frame).
    struct BatchMemo: BitwiseCopyable {
        /// 0: not seen in this batch; else the kind code + 1 (a value seen under another kind is resolved afresh).
        var kind: UInt8 = 0
        /// The refusal reason's raw value + 1, 0 when the value is not refused.
        var refusal: UInt8 = 0
        var household = false
        var hash: UInt64 = 0
        /// The node's slot once the value is a node (slots are never emptied; `slotsCount` says whether the table
        /// has grown, which moves them since); -1 while it is not one.
        var slot: Int32 = -1
        var slotsCount: Int32 = 0
    }

    /// Per dynamic string ref of the batch `memoBatch`.
    let batchMemo = Column<BatchMemo>()
    /// The batch `batchMemo` describes (its frame's base offset), nil before any.
    @exclusivity(unchecked) private var memoBatch: UInt64?

    @exclusivity(unchecked) private var ids: [EventIdentifier] = []
    @exclusivity(unchecked) private var fresh: [Int] = []
    @exclusivity(unchecked) private var reached: [UInt32] = []
    @exclusivity(unchecked) private var reachedStrongly: [Bool] = []
    @exclusivity(unchecked) private var merging: [UInt32] = []

    /// Applies the identifiers of the event at `offset` (docs/identity.md "Applying one event").
    /// - Parameters:
    ///   - identifiers: the event's decoded identifiers; `strings` resolves their normalized values.
    /// - Complexity: O(identifiers) plus, on a merge, the absorbed profile's identifier count.
    ///   - batch: a key of the batch `strings` belongs to (its frame's base offset), the same for all its events
    ///     and different for every other batch: what is learnt about a value (refusal, hash, node slot) is kept for
    ///     the batch's later events with the same value. nil: nothing is kept.
    public func apply(_ identifiers: UnsafeBufferPointer<DecodedIdentifier>, strings: StringTable, offset: UInt64,
                      batch: UInt64?) -> IdentityOutcome {
        if memoBatch != batch {
            memoBatch = batch
            batchMemo.removeAll()
            if batch != nil { for _ in 0..<strings.dynamicCount { batchMemo.append(BatchMemo()) } }
        }
        ids.removeAll(keepingCapacity: true)
        for d in identifiers {
            let dynamic = Int(d.normalized) - Int(StaticStrings.count)
            ids.append(EventIdentifier(kind: d.kind, value: strings.bytes(d.normalized),
                                       memo: dynamic >= 0 && dynamic < batchMemo.count ? dynamic : -1))
        }
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
            ids.append(EventIdentifier(kind: kind, value: bytes))
            return withBuffers(&storage, i + 1, body)
        }
    }

    private func applyCollected(offset: UInt64) -> IdentityOutcome {
        // Refused identifiers are ignored and counted; household numbers are weak in this event.
        var i = 0
        while i < ids.count {
            let m = ids[i].memo
            if m >= 0 && batchMemo[m].kind != ids[i].kind &+ 1 { remember(i) }
            let refusal = m >= 0 ? batchMemo[m].refusal
                : rules.refusal(kind: ids[i].kind, value: ids[i].value).map { UInt8($0.rawValue + 1) } ?? 0
            if refusal != 0 {
                refused[Int(refusal) - 1] += 1
                ids.remove(at: i)
                continue
            }
            ids[i].household = m >= 0 ? batchMemo[m].household : rules.isHousehold(kind: ids[i].kind, value: ids[i].value)
            i += 1
        }
        if ids.isEmpty {
            unattributedEvents += 1
            return IdentityOutcome(profile: Self.unattributed, absorbed: [], conflict: false)
        }
        // The common case: one known identifier (or several of one profile) and nothing new.
        fresh.removeAll(keepingCapacity: true)
        reached.removeAll(keepingCapacity: true)
        reachedStrongly.removeAll(keepingCapacity: true)
        merging.removeAll(keepingCapacity: true)
        var strongInEvent = false
        for i in ids.indices {
            let kind = ids[i].kind
            let m = ids[i].memo
            let slot: Int
            if m >= 0 && batchMemo[m].slot >= 0 && Int(batchMemo[m].slotsCount) == slots.count {
                ids[i].hash = batchMemo[m].hash
                slot = Int(batchMemo[m].slot)
            } else {
                let h = m >= 0 ? batchMemo[m].hash : Self.hash(kind: kind, value: ids[i].value)
                ids[i].hash = h
                slot = probe(kind: kind, value: ids[i].value, hash: h)
                if m >= 0 && slots[slot].profile != 0 {
                    batchMemo[m].slot = Int32(slot)
                    batchMemo[m].slotsCount = Int32(slots.count)
                }
            }
            ids[i].slot = slot
            let strong = !rules.weak[Int(kind)] && !ids[i].household
            strongInEvent = strongInEvent || strong
            if slots[slot].profile != 0 {
                ids[i].known = true
                let p = profileOf(slot: slot)
                if let j = reached.firstIndex(of: p) { reachedStrongly[j] = reachedStrongly[j] || strong }
                else { reached.append(p); reachedStrongly.append(strong) }
            } else {
                fresh.append(i)
            }
        }
        if fresh.isEmpty && reached.count == 1 {
            return IdentityOutcome(profile: reached[0], absorbed: [], conflict: false)
        }
        // Who merges: weak links never bridge two known customers (docs/identity.md rule 2).
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
            for i in fresh { attach(i, to: p, offset: offset) }
            return IdentityOutcome(profile: p, absorbed: [], conflict: false)
        }
        var survivor = merging[0]
        for p in merging where birthOffset[Int(p)] < birthOffset[Int(survivor)] { survivor = p }
        var absorbed: [UInt32] = []
        for p in merging where p != survivor {
            absorb(p, into: survivor)
            absorbed.append(p)
        }
        for i in fresh { attach(i, to: survivor, offset: offset) }
        return IdentityOutcome(profile: survivor, absorbed: absorbed, conflict: false)
    }

    /// Fills the batch memo of identifier `i`'s value: refusal, household, hash (its slot once found as a node).
    private func remember(_ i: Int) { remember(kind: ids[i].kind, value: ids[i].value, memo: ids[i].memo) }

    private func remember(kind: UInt8, value: UnsafeRawBufferPointer, memo m: Int) {
        batchMemo[m] = BatchMemo(kind: kind &+ 1,
                                 refusal: rules.refusal(kind: kind, value: value).map { UInt8($0.rawValue + 1) } ?? 0,
                                 household: rules.isHousehold(kind: kind, value: value),
                                 hash: Self.hash(kind: kind, value: value))
    }

    // MARK: - Prefetching

    /// First stage of fetching ahead what resolving an event of the current batch will touch: memoizes each
    /// identifier value's hash (as its resolution would) and hints the CPU to fetch the node slot its probe starts
    /// at. With a million profiles the node table is far larger than the caches, so each probe is a miss the
    /// resolution would wait for (docs/benchmarks.md "Prefetching profiles"). Changes no outcome: the memo holds
    /// what resolving the value computes anyway. A no-op for an event of another batch than the current one.
    func prefetchSlots(_ identifiers: UnsafeBufferPointer<DecodedIdentifier>, strings: StringTable, batch: UInt64) {
        guard memoBatch == batch else { return }
        let mask = slots.count &- 1
        for d in identifiers {
            let m = Int(d.normalized) - Int(StaticStrings.count)
            guard m >= 0 && m < batchMemo.count else { continue }
            if batchMemo[m].kind != d.kind &+ 1 { remember(kind: d.kind, value: strings.bytes(d.normalized), memo: m) }
            let memo = batchMemo[m]
            slots.prefetch(memo.slot >= 0 && Int(memo.slotsCount) == slots.count ? Int(memo.slot)
                           : Int(UInt32(truncatingIfNeeded: memo.hash >> 32)) & mask)
        }
    }

    /// Second stage, some events after `prefetchSlots` for the same event: for each identifier whose home slot
    /// holds its node, hints the CPU to fetch the node's bytes and its profile's forward and identifier counts.
    func prefetchNodes(_ identifiers: UnsafeBufferPointer<DecodedIdentifier>, batch: UInt64) {
        guard memoBatch == batch else { return }
        let mask = slots.count &- 1
        for d in identifiers {
            let m = Int(d.normalized) - Int(StaticStrings.count)
            guard m >= 0 && m < batchMemo.count else { continue }
            let memo = batchMemo[m]
            guard memo.kind == d.kind &+ 1 else { continue }
            let tag = UInt32(truncatingIfNeeded: memo.hash >> 32)
            let slot = slots[memo.slot >= 0 && Int(memo.slotsCount) == slots.count ? Int(memo.slot) : Int(tag) & mask]
            guard slot.profile != 0, slot.tag == tag else { continue }
            arena.prefetch(Int(slot.start))
            forward.prefetch(Int(slot.profile &- 1))
            counts.prefetch(Int(slot.profile &- 1))
        }
    }

    /// Whether `p` is a known customer: it holds a strong identifier other than a household phone number.
    @inline(__always)
    private func hasStrong(_ p: UInt32) -> Bool {
        let c = counts[Int(p)]
        if c & strongCounters & ~phoneCounter != 0 { return true }
        return c & strongCounters & phoneCounter != 0 && personalPhoneCount[Int(p)] > 0
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
        if ids[top].known {
            p = profileOf(slot: ids[top].slot)
        } else {
            p = newProfile(offset: offset)
        }
        for i in fresh where fits(ids[i].kind, in: p) { attach(i, to: p, offset: offset) }
        if conflict {
            conflictCount[Int(p)] &+= 1
            var recent = recentConflicts.removeValue(forKey: p) ?? []
            recent.append((offset, over))
            if recent.count > 10 { recent.removeFirst() }
            recentConflicts[p] = recent
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
        return appendProfile(idHash: key.withUnsafeBytes { XXHash64.hash($0) }, birth: offset, conflicts: 0)
    }

    /// Appends a living profile without identifiers.
    private func appendProfile(idHash h: UInt64, birth: UInt64, conflicts: UInt32) -> UInt32 {
        let p = UInt32(idHash.count)
        idHash.append(h)
        birthOffset.append(birth)
        counts.append(0)
        firstNode.append(Self.none)
        lastNode.append(Self.none)
        forward.append(Self.none)
        conflictCount.append(conflicts)
        personalPhoneCount.append(0)
        byID?[h] = p
        liveProfiles += 1
        return p
    }

    /// Adds a living profile as a snapshot record holds it (id, birth, identifiers with the offsets that linked
    /// them, absorbed ids, conflicts): a graph of some of a checkpoint's profiles (CheckpointCustomer.swift). The
    /// per-kind counts and personal phone count are recounted from the identifiers, as attaching them counted them.
    /// - Returns: the new profile's number.
    func adopt(idHash h: UInt64, birth: UInt64, identifiers: [(kind: UInt8, value: String, linkedAt: UInt64)],
               mergedIDs merged: [UInt64], conflicts: (count: Int, recent: [(offset: UInt64, kinds: [UInt8])])) -> UInt32 {
        let p = appendProfile(idHash: h, birth: birth, conflicts: UInt32(clamping: conflicts.count))
        if !merged.isEmpty {
            mergedIDs[p] = merged
            for m in merged where byID?[m] == nil { byID?[m] = p }
        }
        if !conflicts.recent.isEmpty { recentConflicts[p] = conflicts.recent }
        for id in identifiers {
            var value = id.value
            value.withUTF8 { bytes in
                let raw = UnsafeRawBufferPointer(bytes)
                ids = [EventIdentifier(kind: id.kind, value: raw, hash: Self.hash(kind: id.kind, value: raw),
                                       household: rules.isHousehold(kind: id.kind, value: raw))]
                attach(0, to: p, offset: id.linkedAt)
            }
        }
        ids.removeAll(keepingCapacity: true)
        return p
    }

    /// Adds event identifier `i` (new) as a node of `p`.
    private func attach(_ i: Int, to p: UInt32, offset: UInt64) {
        let id = ids[i]
        precondition(id.value.count <= Int(UInt16.max), "identifier values are at most 512 bytes")
        let slot = probe(kind: id.kind, value: id.value, hash: id.hash)
        guard slots[slot].profile == 0 else { return } // the same identifier twice in one event
        let n = UInt32(nodeKind.count)
        let start = UInt32(arena.count)
        arena.append(contentsOf: id.value)
        nodeEnd.append(UInt32(arena.count))
        nodeKind.append(id.kind)
        nodeNext.append(Self.none)
        nodeLinkedAt.append(offset)
        slots[slot] = NodeSlot(tag: UInt32(truncatingIfNeeded: id.hash >> 32), profile: p + 1, start: start,
                               length: UInt16(id.value.count), kind: id.kind)
        if lastNode[Int(p)] == Self.none { firstNode[Int(p)] = n } else { nodeNext[Int(lastNode[Int(p)])] = n }
        lastNode[Int(p)] = n
        addCount(id.kind, 1, to: p)
        if id.kind == IdentifierKind.phone.code && !id.household { personalPhoneCount[Int(p)] = min(127, personalPhoneCount[Int(p)] + 1) }
        if nodeKind.count * 2 > slots.count { grow() }
    }

    private func grow() {
        let bigger = Column(repeating: NodeSlot.empty, count: slots.count * 2)
        let mask = bigger.count - 1
        for s in slots.buffer where s.profile != 0 {
            var i = Int(s.tag) & mask
            while bigger[i].profile != 0 { i = (i + 1) & mask }
            bigger[i] = s
        }
        slots = bigger
    }

    /// Marks `p` absorbed by `survivor` (its nodes forward there) and moves its identifiers' bookkeeping.
    private func absorb(_ p: UInt32, into survivor: UInt32) {
        for k in 0..<rules.limits.count {
            let c = count(UInt8(k), in: p)
            if c > 0 { addCount(UInt8(k), c, to: survivor) }
        }
        counts[Int(p)] = 0
        personalPhoneCount[Int(survivor)] = UInt8(min(127, Int(personalPhoneCount[Int(survivor)]) + Int(personalPhoneCount[Int(p)])))
        personalPhoneCount[Int(p)] = 0
        if firstNode[Int(p)] != Self.none {
            if lastNode[Int(survivor)] == Self.none { firstNode[Int(survivor)] = firstNode[Int(p)] }
            else { nodeNext[Int(lastNode[Int(survivor)])] = firstNode[Int(p)] }
            lastNode[Int(survivor)] = lastNode[Int(p)]
            firstNode[Int(p)] = Self.none
            lastNode[Int(p)] = Self.none
        }
        var merged = mergedIDs.removeValue(forKey: survivor) ?? []
        merged.append(idHash[Int(p)])
        if let theirs = mergedIDs.removeValue(forKey: p) { merged.append(contentsOf: theirs) }
        mergedIDs[survivor] = merged
        conflictCount[Int(survivor)] &+= conflictCount[Int(p)]
        conflictCount[Int(p)] = 0
        // The survivor's recent conflicts are both profiles' (the last 10 by offset), as its count is both counts.
        if let theirs = recentConflicts.removeValue(forKey: p) {
            recentConflicts[survivor] = Array(((recentConflicts[survivor] ?? []) + theirs).sorted { $0.offset < $1.offset }.suffix(10))
        }
        forward[Int(p)] = survivor
        liveProfiles -= 1
        merges += 1
    }
}
