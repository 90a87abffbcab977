import Daicho

/// The identifiers of the events after a checkpoint, joined into components (an event joins all of its
/// identifiers): what `CheckpointCustomer` closes over. Identifiers are numbered in the order first met, and told
/// apart by 96 bits of hash (XXH64 and 32 bits of a second, seeded XXH64) without comparing values: two that
/// agree on all 96 bits would be joined, a chance of about n² / 2⁹⁷ for n identifiers (10⁻¹⁶ for a million).
struct TailIdentifiers {
    /// Per identifier: its kind code, and its normalized value's end in `values`.
    private(set) var kinds: [UInt8] = []
    private var ends: [Int] = []
    private var values: [UInt8] = []
    /// Open addressing on the identifiers' XXH64 (already uniform), one cache line read per lookup: a slot holds
    /// the hash, a second 32-bit hash of the value (so a match needs no read of the value: 96 bits must agree)
    /// and the number + 1 (0: empty).
    private var slots: [Slot]
    private var used = 0

    /// An empty table sized for about `events` events (at most 4M slots before it grows).
    init(expecting events: Int = 0) {
        var size = 1 << 16
        while size < min(events, 1 << 22) { size *= 2 }
        slots = [Slot](repeating: Slot(), count: size)
    }

    private struct Slot {
        var hash: UInt64 = 0
        var check: UInt32 = 0
        var number: Int32 = 0
    }
    private var parent: [Int32] = []
    /// Per event with an identifier: its offset and its first identifier (whose component is the event's); in
    /// offset order within what one thread noted.
    private(set) var eventOffsets: [UInt64] = []
    private(set) var eventFirst: [Int32] = []
    /// Components' members once asked for: identifier numbers grouped by root, root r's from `memberStart[r]`.
    private var members: [Int32] = []
    private var memberStart: [Int32] = []
    /// Per dynamic string of the current frame's batch: the kind code + 1 and number of the identifier it was
    /// (0: not met yet). A batch writes each string once, so a value is hashed once per frame.
    private var frameMemo: [(kind: UInt8, number: Int32)] = []

    /// Call before each frame's events, with its batch's strings.
    mutating func beginFrame(_ strings: StringTable) {
        frameMemo.removeAll(keepingCapacity: true)
        frameMemo.append(contentsOf: repeatElement((kind: UInt8(0), number: Int32(0)), count: strings.dynamicCount))
    }

    /// Notes the event at `offset` (of the frame `beginFrame` began): numbers its identifiers and joins them.
    mutating func add(_ e: EventView, offset: UInt64) {
        var first: Int32 = -1
        for d in e.identifiers where Int(d.kind) < IdentifierKind.all.count {
            let dynamic = Int(d.normalized) - Int(StaticStrings.count)
            let i: Int32
            if dynamic >= 0 && dynamic < frameMemo.count {
                if frameMemo[dynamic].kind == d.kind &+ 1 {
                    i = frameMemo[dynamic].number
                } else {
                    i = insert(kind: d.kind, value: e.strings.bytes(d.normalized))
                    frameMemo[dynamic] = (d.kind &+ 1, i)
                }
            } else {
                i = insert(kind: d.kind, value: e.strings.bytes(d.normalized))
            }
            if first < 0 { first = i } else { union(first, i) }
        }
        if first >= 0 {
            eventOffsets.append(offset)
            eventFirst.append(first)
        }
    }

    /// The number of an identifier met, nil when none has its kind and value.
    func number(kind: UInt8, value: UnsafeRawBufferPointer) -> Int32? {
        let (h, check) = Self.hashes(kind: kind, value: value)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s].number != 0 {
            if slots[s].hash == h && slots[s].check == check { return slots[s].number - 1 }
            s = (s + 1) & mask
        }
        return nil
    }

    /// The identity graph's hash of the identifier, and a second one of other bits.
    private static func hashes(kind: UInt8, value: UnsafeRawBufferPointer) -> (UInt64, UInt32) {
        (IdentityGraph.hash(kind: kind, value: value), UInt32(truncatingIfNeeded: XXHash64.hash(value, seed: 0x9E37_79B9 &+ UInt64(kind)) >> 32))
    }

    private mutating func insert(kind: UInt8, value: UnsafeRawBufferPointer) -> Int32 {
        let (h, check) = Self.hashes(kind: kind, value: value)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s].number != 0 {
            if slots[s].hash == h && slots[s].check == check { return slots[s].number - 1 }
            s = (s + 1) & mask
        }
        let i = Int32(kinds.count)
        slots[s] = Slot(hash: h, check: check, number: i + 1)
        kinds.append(kind)
        values.append(contentsOf: value)
        ends.append(values.count)
        parent.append(i)
        used += 1
        if used * 2 > slots.count { grow() }
        return i
    }

    private mutating func grow() {
        var bigger = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = bigger.count - 1
        for slot in slots where slot.number != 0 {
            var t = Int(truncatingIfNeeded: slot.hash) & mask
            while bigger[t].number != 0 { t = (t + 1) & mask }
            bigger[t] = slot
        }
        slots = bigger
    }

    /// Calls `body` with identifier `i`'s normalized value.
    func withValue<R>(_ i: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = i == 0 ? 0 : ends[Int(i) - 1]
        return try values.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[Int(i)]])) }
    }

    /// The component of identifier `i` (its root).
    mutating func root(_ i: Int32) -> Int32 {
        var i = i
        while parent[Int(i)] != i {
            parent[Int(i)] = parent[Int(parent[Int(i)])]
            i = parent[Int(i)]
        }
        return i
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        let (ra, rb) = (root(a), root(b))
        if ra != rb { parent[Int(max(ra, rb))] = min(ra, rb) }
    }

    /// The identifiers of component `root` (after every event was added).
    mutating func members(of root: Int32) -> ArraySlice<Int32> {
        let n = parent.count
        if memberStart.isEmpty && n > 0 {
            // Counting sort of the identifiers by root: memberStart[r] ..< memberStart[r + 1] lists r's.
            let roots = (0..<Int32(n)).map { self.root($0) }
            var start = [Int32](repeating: 0, count: n + 1)
            for r in roots { start[Int(r) + 1] += 1 }
            for r in 0..<n { start[r + 1] += start[r] }
            var next = start
            members = [Int32](repeating: 0, count: n)
            for (i, r) in roots.enumerated() {
                members[Int(next[Int(r)])] = Int32(i)
                next[Int(r)] += 1
            }
            memberStart = start
        }
        guard Int(root) < n else { return [] }
        return members[Int(memberStart[Int(root)])..<Int(memberStart[Int(root) + 1])]
    }

    /// The identifiers from which a profile born after the checkpoint would have the id hash `h` (a new profile's
    /// id is XXH64 of its top identifier as `kind:value`, IdentityGraph.newProfile).
    func numbers(withProfileID h: UInt64) -> [Int32] {
        var out: [Int32] = []
        var key: [UInt8] = []
        for i in 0..<Int32(kinds.count) {
            key.removeAll(keepingCapacity: true)
            key.append(contentsOf: IdentifierKind.all[Int(kinds[Int(i)])].name.utf8)
            key.append(UInt8(ascii: ":"))
            withValue(i) { key.append(contentsOf: $0) }
            if key.withUnsafeBytes({ XXHash64.hash($0) }) == h { out.append(i) }
        }
        return out
    }

    /// The offsets of the events in `components`, ascending.
    mutating func events(in components: Set<Int32>) -> [UInt64] {
        var out: [UInt64] = []
        for (k, first) in eventFirst.enumerated() where components.contains(root(first)) { out.append(eventOffsets[k]) }
        return out.sorted()
    }
}
