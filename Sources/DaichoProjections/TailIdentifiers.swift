import Daicho
import Foundation

/// The identifiers of the events after a checkpoint, joined into components (an event joins all of its
/// identifiers): what `CheckpointCustomer` closes over. Identifiers are numbered in the order first met.
struct TailIdentifiers {
    /// Per identifier: its kind code, and its normalized value's end in `values`.
    private(set) var kinds: [UInt8] = []
    private var ends: [Int] = []
    private var values: [UInt8] = []
    private var numbers: [UInt64: Int32] = [:]
    private var parent: [Int32] = []
    /// Per event with an identifier: its offset and its first identifier (whose component is the event's).
    private var eventOffsets: [UInt64] = []
    private var eventFirst: [Int32] = []
    /// Components' members once asked for: per identifier number grouped by component (`memberStart`).
    private var members: [Int32] = []
    private var memberStart: [Int32: Range<Int>] = [:]
    /// Two different identifiers with one hash were met (the closure could miss one: the caller gives up).
    private(set) var collided = false
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
        guard let i = numbers[IdentityGraph.hash(kind: kind, value: value)], kinds[Int(i)] == kind,
              withValue(i, { Self.equal($0, value) }) else { return nil }
        return i
    }

    private mutating func insert(kind: UInt8, value: UnsafeRawBufferPointer) -> Int32 {
        let h = IdentityGraph.hash(kind: kind, value: value)
        if let i = numbers[h] {
            if kinds[Int(i)] != kind || !withValue(i, { Self.equal($0, value) }) { collided = true }
            return i
        }
        let i = Int32(kinds.count)
        numbers[h] = i
        kinds.append(kind)
        values.append(contentsOf: value)
        ends.append(values.count)
        parent.append(i)
        return i
    }

    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
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
        if memberStart.isEmpty && !parent.isEmpty {
            var byRoot: [Int32: [Int32]] = [:]
            for i in 0..<Int32(parent.count) { byRoot[self.root(i), default: []].append(i) }
            members.reserveCapacity(parent.count)
            for (r, list) in byRoot {
                memberStart[r] = members.count..<(members.count + list.count)
                members.append(contentsOf: list)
            }
        }
        guard let range = memberStart[root] else { return [] }
        return members[range]
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
        return out
    }
}
