import Daicho

/// The events after a checkpoint with `at <= T` that name a customer, each as its offset and its identifiers'
/// 64-bit hashes (`IdentityGraph.hash`: the checkpoint's lookup keys are their upper 32 bits): what
/// `CheckpointCustomer` closes over. Hashes, not values, stand for identifiers: two identifiers sharing one would
/// only make the closure larger, never miss an event, so the view stays exact.
struct TailEvents {
    /// Per event: its offset, and where its hashes end in `hashes`.
    private(set) var offsets: [UInt64] = []
    private(set) var ends: [Int] = []
    private(set) var hashes: [UInt64] = []
    /// The hashes of the identifiers from which a profile with the id hash `bornID` would have been born (a new
    /// profile's id is XXH64 of its top identifier as `kind:value`, IdentityGraph.newProfile).
    private(set) var births: [UInt64] = []
    private let bornID: UInt64?
    /// Per dynamic string of the current frame's batch: the kind code + 1 it was hashed under (0: not yet), and the
    /// hash. A batch writes each string once, so a value is hashed once per frame.
    private var memoKind: [UInt8] = []
    private var memoHash: [UInt64] = []
    private var birthKey: [UInt8] = []

    /// - Parameter bornID: the profile id hash whose births to note, if any.
    init(bornID: UInt64?) { self.bornID = bornID }

    var count: Int { offsets.count }

    /// The hashes of event `e`'s identifiers.
    func hashes(of e: Int) -> ArraySlice<UInt64> { hashes[(e == 0 ? 0 : ends[e - 1])..<ends[e]] }

    /// Call before each frame's events, with its batch's strings.
    mutating func beginFrame(_ strings: StringTable) {
        memoKind.removeAll(keepingCapacity: true)
        memoKind.append(contentsOf: repeatElement(0, count: strings.dynamicCount))
        if memoHash.count < strings.dynamicCount { memoHash.append(contentsOf: repeatElement(0, count: strings.dynamicCount - memoHash.count)) }
    }

    /// Notes the event at `offset` (of the frame `beginFrame` began).
    mutating func add(_ e: EventView, offset: UInt64) {
        let before = hashes.count
        for d in e.identifiers where Int(d.kind) < IdentifierKind.all.count {
            let dynamic = Int(d.normalized) - Int(StaticStrings.count)
            let memoized = dynamic >= 0 && dynamic < memoKind.count
            if memoized && memoKind[dynamic] == d.kind &+ 1 {
                hashes.append(memoHash[dynamic])
                continue
            }
            let value = e.strings.bytes(d.normalized)
            let h = IdentityGraph.hash(kind: d.kind, value: value)
            if memoized {
                memoKind[dynamic] = d.kind &+ 1
                memoHash[dynamic] = h
            }
            hashes.append(h)
            if let bornID {
                birthKey.removeAll(keepingCapacity: true)
                birthKey.append(contentsOf: IdentifierKind.all[Int(d.kind)].name.utf8)
                birthKey.append(UInt8(ascii: ":"))
                birthKey.append(contentsOf: value)
                if birthKey.withUnsafeBytes({ XXHash64.hash($0) }) == bornID { births.append(h) }
            }
        }
        guard hashes.count > before else { return }
        offsets.append(offset)
        ends.append(hashes.count)
    }
}

/// A set of 64-bit hashes (already uniform: their low bits index the table), for the few a closure reaches.
struct HashSet64 {
    private var slots = [UInt64](repeating: 0, count: 1 << 10)
    private var used = 0
    /// Whether 0 (the empty slot's value) is in the set.
    private var hasZero = false

    func contains(_ h: UInt64) -> Bool {
        if h == 0 { return hasZero }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 {
            if slots[i] == h { return true }
            i = (i + 1) & mask
        }
        return false
    }

    /// Adds `h`; whether it was new.
    mutating func insert(_ h: UInt64) -> Bool {
        if h == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 {
            if slots[i] == h { return false }
            i = (i + 1) & mask
        }
        slots[i] = h
        used += 1
        if used * 2 > slots.count { grow() }
        return true
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for h in slots where h != 0 {
            var i = Int(truncatingIfNeeded: h) & mask
            while bigger[i] != 0 { i = (i + 1) & mask }
            bigger[i] = h
        }
        slots = bigger
    }
}
