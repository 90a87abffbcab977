import Daicho
import DaichoProjections

/// A segment as defined in the log, with its memberships.
final class SegmentState {
    /// Definition sequence number: orders deadlines, and a redefinition gets a new one (old deadlines go stale).
    let sequence: UInt32
    let name: String
    let text: String
    let description: String
    let definedAt: Int64
    let definedOffset: UInt64
    /// nil when the stored rule does not check (`error` says why); the segment then stays empty.
    let rule: CompiledRule?
    /// The rule's tree (one reference, so the hot path does not copy the whole compiled rule).
    let root: RuleNode?
    /// The rule can change with the clock alone (it has deadlines).
    let timeDependent: Bool
    /// The rule reads identity fields (identifiers, merges): re-evaluated only when the identity changes.
    let readsIdentity: Bool
    let error: String?
    /// By `FieldRef.index`.
    let fields: [ResolvedField]
    /// By rule term index: the projection's term store id.
    var terms: [Int]
    var members = Membership()
    /// By `RuleDependencies.segments` index: the segment `in_segment` names, nil when none has that name.
    var referenced: [SegmentState?] = []
    /// Position in `SegmentProjection.segments`.
    var position = 0
    /// Profile → its pending deadline (time-dependent rules).
    var deadlines: [UInt32: Int64] = [:]

    /// Compiles `text` (a rule that does not check keeps its error and an empty membership) and resolves its
    /// fields against `symbols`; `terms` is filled by the projection.
    init(sequence: UInt32, name: String, text: String, description: String, definedAt: Int64, definedOffset: UInt64,
         symbols: SymbolTable) {
        self.sequence = sequence
        self.name = name
        self.text = text
        self.description = description
        self.definedAt = definedAt
        self.definedOffset = definedOffset
        do {
            rule = try CompiledRule(compiling: text)
            error = nil
        } catch {
            rule = nil
            self.error = error.description
        }
        root = rule?.root
        timeDependent = rule?.dependencies.isTimeDependent ?? false
        readsIdentity = rule?.dependencies.sections.contains(.identity) ?? false
        fields = rule?.fields.map { ResolvedField($0, symbols: symbols) } ?? []
        terms = []
    }
}

/// A segment's definition and size, for `segment list`.
public struct SegmentInfo: Sendable, Equatable {
    public var name: String
    public var rule: String
    public var description: String
    public var definedAt: Int64
    public var definedOffset: UInt64
    public var members: Int
    /// Why the stored rule does not check, when it does not (the segment stays empty).
    public var error: String?
}

/// Real-time segment memberships over the profile projection, and their change feed (docs/segments.md).
/// Composes a `ProfileProjection`: each event is applied to the profiles first, then the segments that depend
/// on what it changed are re-evaluated for its profile; time-dependent memberships are re-evaluated when the
/// segment clock passes their deadline. A pure function of the log (plus the wall-clock advances at its end).
public final class SegmentProjection: LogProjection {
    public typealias Changes = SegmentChanges

    /// The profiles the rules read.
    public let profiles: ProfileProjection
    /// Only events with `at <= asOf` are applied, and frame append times are ignored (the view "as it was").
    public let asOf: Int64?
    /// How far the live clock stays behind the wall clock, so a frame stamped just before a wall-clock advance
    /// is never applied after it (docs/segments.md "Segment clock").
    public static let wallClockLag: Int64 = 2_000_000

    /// The segment clock, µs (docs/segments.md "Segment clock"); `Int64.min` before the first frame.
    public internal(set) var clock: Int64 = .min
    /// The offset of the snapshot this view was restored from; nil when it was built by replay.
    public internal(set) var restoredFrom: UInt64?
    /// Why a snapshot that was there was not used (damaged, of other settings, ahead of the log, a segment
    /// state that does not restore) and the view was rebuilt by replay; commands print it on stderr.
    public internal(set) var notice: String?
    /// Records produced so far: the cursor of the newest one.
    public internal(set) var feedCount: UInt64 = 0

    private let history: EventReader?
    var segments: [SegmentState] = []
    var bySequence: [UInt32: SegmentState] = [:]
    var nextSequence: UInt32 = 0
    /// By event type code: the indexes in `segments` whose rule an event of that type can change when it
    /// brings no new identifier (`affected`), and when it does or merges (`affectedWithIdentity`).
    private var affected: [[Int]] = Array(repeating: [], count: 256)
    private var affectedWithIdentity: [[Int]] = Array(repeating: [], count: 256)
    /// By event type code: the term stores fed by events of that type (the reference mode tries them all)…
    private var storesByType: [[Int]] = Array(repeating: [], count: 256)
    /// … and the same stores keyed by the prop values their filters require (docs/segments.md "Cost").
    private var termIndex: [TermIndex] = Array(repeating: TermIndex(), count: 256)
    /// By term store id: the indexes in `segments` whose rule reads it.
    private var segmentsByStore: [[Int]] = []
    /// The segments to re-evaluate after the current event (`touch`), and which are in that list, by index.
    private var touched: [Int] = []
    private var marked: [Bool] = []
    /// While an event's touched segments are evaluated: the position in `touched` being evaluated (`propagate`
    /// adds readers after it instead of evaluating them at once); nil otherwise.
    private var roundPosition: Int?
    /// Indexes in `segments` in evaluation order: every segment after those its rule reads with `in_segment`,
    /// otherwise in definition order; `rank` is the position of each index in it.
    private var order: [Int] = []
    private var rank: [Int] = []
    /// By index in `segments`: the segments whose rules read it with `in_segment`, in evaluation order.
    private var dependents: [[Int]] = []
    var termIDs: [AggregateTerm: Int] = [:]
    var stores: [TermStore?] = []
    var heap = DeadlineHeap()
    /// Re-evaluate every segment for an event's profile, ignoring dependencies: the reference the dependency
    /// tracking is tested against.
    var reevaluatesEverything = false
    private var tracking = false
    private var keepAfter: UInt64 = 0
    private var pending: [FeedRecord] = []

    /// - Parameters:
    ///   - profiles: the profile projection to compose: at offset 0, or restored from a snapshot of a log in which
    ///     no segment was ever defined (else restore with `init(profiles:restoring:history:)`, or replay).
    ///   - history: a reader of the same log, separate from the one feeding the projection, for backfilling
    ///     the aggregates of a segment defined after its events (nil: no backfill; tests of pure memory).
    public convenience init(profiles: ProfileProjection, history: EventReader?) {
        precondition(profiles.internalEvents == 0, "segments were defined: restore their state or replay from offset 0")
        self.init(unchecked: profiles, history: history)
        clock = profiles.logClock
    }

    init(unchecked profiles: ProfileProjection, history: EventReader?) {
        self.profiles = profiles
        self.asOf = profiles.asOf
        self.history = history
    }

    public var nextOffset: UInt64 { profiles.nextOffset }

    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive), on two threads
    /// (docs/architecture.md "Replay on two threads"). While the log has defined no segment, nothing but the
    /// profiles reads the identity graph, so identity is resolved on the reader thread up to the first segment
    /// definition; from there on (and from the start when one was defined before `nextOffset`) the reader thread
    /// only decodes (`applyLog`).
    public func catchUp(_ reader: EventReader, to end: UInt64? = nil) throws {
        guard ReplayThreads.count > 1, profiles.internalEvents == 0, segments.isEmpty else {
            try applyLog(reader, to: end)
            return
        }
        try profiles.applyLogResolvingAhead(reader, to: end, stoppingAtSegmentEvents: true,
                                            beginFrame: { beginFrame($0, strings: $1) }) { e, offset, applyProfiles in
            try apply(e, offset: offset, applyProfiles: applyProfiles)
        }
    }

    // MARK: - LogProjection

    public func beginFrame(_ frame: FrameContext, strings: StringTable) {
        profiles.beginFrame(frame, strings: strings)
        if asOf == nil { advance(to: frame.appendTime) }
    }

    /// - Throws: `StoreError` when the backfill of a new definition cannot read the log (the view is then
    ///   incomplete and must not be used).
    public func apply(_ e: EventView, offset: UInt64) throws {
        try apply(e, offset: offset) { profiles.apply(e, offset: offset) }
    }

    /// `apply`, with `applyProfiles` applying the event to the profiles (whole, or with its identity resolved
    /// ahead by the replay's reader thread: `catchUp`).
    private func apply(_ e: EventView, offset: UInt64, applyProfiles: () -> Void) throws {
        if let asOf, e.at > asOf {
            applyProfiles()
            return
        }
        // An event's own time advances the clock at most to its frame's append time plus the tolerance.
        let at = min(e.at, profiles.eventClockLimit)
        if at > clock { advance(to: at) }
        applyProfiles()
        switch e.type {
        case .segmentDefined: try define(e, offset: offset)
        case .segmentDropped: try drop(e, offset: offset)
        default:
            guard !segments.isEmpty, let p = profiles.profile(ofEventAt: offset) else { return }
            let absorbed = profiles.lastAbsorbed
            for a in absorbed { absorb(a, into: p, offset: offset) }
            let type = Int(e.type.rawValue)
            // The terms the event feeds, found through the index (the reference mode tries every term of the
            // type); the segments using a fed term, and those reading a section the event changes, are touched.
            func feed(_ id: Int) {
                guard let value = stores[id]!.term.contribution(of: e) else { return }
                stores[id]!.add(p, at: at, value: value, now: clock)
                for i in segmentsByStore[id] { touch(i) }
            }
            if reevaluatesEverything {
                for id in storesByType[type] { feed(id) }
            } else {
                termIndex[type].forEachCandidate(of: e, feed)
            }
            for i in (profiles.lastLinkedNewIdentifiers ? affectedWithIdentity : affected)[type] { touch(i) }
            if !absorbed.isEmpty || reevaluatesEverything { for i in order { touch(i) } }
            evaluateTouched(p, offset: offset, at: clock)
        }
    }

    /// Evaluates the touched segments for profile `p`, each once, after every segment it reads: a reader of one
    /// that changes joins the list (`propagate`), so it sees all of the round's changes before it is evaluated.
    /// Clears the list.
    private func evaluateTouched(_ p: UInt32, offset: UInt64, at: Int64) {
        guard !touched.isEmpty else { return }
        defer {
            for i in touched { marked[i] = false }
            touched.removeAll(keepingCapacity: true)
            roundPosition = nil
        }
        var inputs = ProfileRuleInputs(segments: self, segment: segments[0], p: p, aggregates: profiles.aggregates(of: p), now: clock)
        touched.sort { rank[$0] < rank[$1] } // dependencies first, then definition order
        var k = 0
        while k < touched.count {
            roundPosition = k
            evaluate(segments[touched[k]], &inputs, offset: offset, at: at)
            k += 1
        }
    }

    /// Marks segment `i` for re-evaluation after the current event (once).
    @inline(__always)
    private func touch(_ i: Int) {
        guard !marked[i] else { return }
        marked[i] = true
        touched.append(i)
    }

    public func advanceClock(to micros: Int64) {
        guard asOf == nil else { return }
        advance(to: micros - Self.wallClockLag)
    }

    /// Advances the clock to exactly `micros` whatever the mode: the end of an as-of view, or a test's clock.
    public func settleClock(at micros: Int64) { advance(to: micros) }

    public func trackChanges(_ on: Bool) {
        profiles.trackChanges(on)
        tracking = on
        if !on { pending.removeAll() }
    }

    /// Keeps only feed records after `cursor` for subscribers (what `watch --from` resumes after).
    public func keepRecords(after cursor: UInt64) { keepAfter = cursor }

    public func takeChanges() -> SegmentChanges? {
        let profileChanges = profiles.takeChanges()
        guard profileChanges != nil || !pending.isEmpty else { return nil }
        defer { pending.removeAll(keepingCapacity: true) }
        return SegmentChanges(profiles: profileChanges, records: pending)
    }

    // MARK: - Queries

    /// The segments defined now, in definition order.
    public var definitions: [SegmentInfo] {
        segments.map {
            SegmentInfo(name: $0.name, rule: $0.text, description: $0.description, definedAt: $0.definedAt,
                         definedOffset: $0.definedOffset, members: $0.members.count, error: $0.error)
        }
    }

    /// The members of segment `name` and when each entered, by profile number; nil when no such segment.
    public func members(of name: String) -> [(profile: UInt32, since: Int64)]? {
        guard let s = segments.first(where: { $0.name == name }) else { return nil }
        return s.members.since.map { (profile: $0.key, since: $0.value) }.sorted { $0.profile < $1.profile }
    }

    /// The segments profile `p` is a member of, with the time it entered each, in definition order.
    public func memberships(of p: UInt32) -> [(segment: String, since: Int64)] {
        segments.compactMap { s in s.members.contains(p) ? (segment: s.name, since: s.members.since[p]!) : nil }
    }

    /// Bytes held by memberships, deadlines and term stores (for the memory report).
    public var memoryBytes: Int {
        var bytes = heap.count * MemoryLayout<DeadlineHeap.Entry>.stride
        for s in segments { bytes += s.members.memoryBytes + s.deadlines.capacity * 16 }
        for case let store? in stores { bytes += store.memoryBytes }
        return bytes
    }

    // MARK: - Membership

    /// The offset of the last event applied (time-driven changes name it).
    private var lastOffset: UInt64 { nextOffset == 0 ? 0 : nextOffset - 1 }

    /// Advances the clock to `t`, re-evaluating the memberships whose deadline it passes, in deadline order (those
    /// due at one instant profile by profile, each profile's in one round).
    private func advance(to t: Int64) {
        guard t > clock else { return }
        while let first = heap.min, first.time <= t {
            // The deadlines due at one instant, per living profile (in order of its first entry): each profile's
            // segments are evaluated in one round, so a reader sees every segment it reads changed at that instant.
            let time = first.time
            var profilesDue: [UInt32] = []
            var due: [UInt32: [Int]] = [:]
            while let top = heap.min, top.time == time {
                _ = heap.pop()
                guard let s = bySequence[top.segment], s.deadlines[top.profile] == top.time else { continue }
                s.deadlines[top.profile] = nil
                let p = profiles.graph.living(top.profile)
                if due[p] == nil { profilesDue.append(p) }
                due[p, default: []].append(s.position)
            }
            if time > clock { clock = time }
            for p in profilesDue {
                for i in due[p]! { touch(i) }
                evaluateTouched(p, offset: lastOffset, at: time)
            }
        }
        clock = t
    }

    /// Re-evaluates segment `s` for the profile of `inputs` at the clock; a change becomes a feed record
    /// (`at`, `offset`) and re-evaluates the segments whose rules read `in_segment` of `s` (`propagate`).
    /// `inputs` is reused across the segments of one event (one copy of the aggregates).
    private func evaluate(_ s: SegmentState, _ inputs: inout ProfileRuleInputs, offset: UInt64, at: Int64, depth: Int = 0) {
        guard let root = s.root else { return }
        inputs.segment = s
        inputs.now = clock
        let p = inputs.p
        let member = RuleEvaluator.evaluate(root, inputs)
        let changed = member != s.members.contains(p)
        if changed {
            if member { s.members.insert(p, since: at) } else { s.members.remove(p) }
            emit(s, p, member ? .entered : .exited, at: at, offset: offset)
        }
        if s.timeDependent {
            var next: Int64?
            RuleEvaluator.deadline(root, inputs, &next)
            if let deadline = next {
                if s.deadlines[p] != deadline {
                    s.deadlines[p] = deadline
                    heap.push(DeadlineHeap.Entry(time: deadline, segment: s.sequence, profile: p))
                }
            } else {
                s.deadlines[p] = nil
            }
        }
        if changed { propagate(from: s, &inputs, offset: offset, at: at, depth: depth) }
    }

    /// Re-evaluates, for the profile of `inputs`, the segments that read `in_segment` of `s` (its membership
    /// changed), in dependency order: during an event's evaluation (`roundPosition`) by adding them to the
    /// touched segments after the current one, otherwise at once. Definitions never form a cycle (refused when
    /// defined); `depth` bounds the recursion anyway.
    private func propagate(from s: SegmentState, _ inputs: inout ProfileRuleInputs, offset: UInt64, at: Int64, depth: Int) {
        guard s.position < dependents.count, depth < segments.count else { return }
        if let current = roundPosition {
            for d in dependents[s.position] where !marked[d] {
                marked[d] = true
                var j = touched.count
                while j > current + 1 && rank[touched[j - 1]] > rank[d] { j -= 1 }
                touched.insert(d, at: j)
            }
            return
        }
        for d in dependents[s.position] { evaluate(segments[d], &inputs, offset: offset, at: at, depth: depth + 1) }
    }

    private func emit(_ s: SegmentState, _ p: UInt32, _ change: FeedRecord.Change, at: Int64, offset: UInt64) {
        feedCount += 1
        guard tracking, feedCount > keepAfter else { return }
        pending.append(FeedRecord(cursor: feedCount, segment: s.name, profile: profiles.graph.id(of: p), change: change,
                                  at: at, offset: offset))
    }

    /// Profile `a` was absorbed into `p`: it leaves every segment; its aggregates move to `p`.
    private func absorb(_ a: UInt32, into p: UInt32, offset: UInt64) {
        for s in segments {
            if s.members.remove(a) { emit(s, a, .exited, at: clock, offset: offset) }
            s.deadlines[a] = nil
        }
        for id in stores.indices where stores[id] != nil { stores[id]!.absorb(a, into: p, now: clock) }
    }

    // MARK: - Definitions

    /// The string props of a definition event (`name`, `rule`, `description`).
    /// - Throws: `StoreError` naming the offset when its props do not decode (a definition is never skipped
    ///   silently: the memberships would be wrong).
    private func strings(of e: EventView, offset: UInt64) throws -> [String: String] {
        var out: [String: String] = [:]
        var reader = e.propsReader
        do {
            try reader.forEachMember { key, value throws(BatchError) in
                if let s = value.stringValue { out[e.strings.string(key)] = e.strings.string(s) } else { try value.skipValue() }
            }
        } catch {
            throw StoreError(.corrupt, "the \(e.type.name) event at offset \(offset) does not decode (\(error)); run `daicho verify`", offset: offset)
        }
        return out
    }

    private func define(_ e: EventView, offset: UInt64) throws {
        let props = try strings(of: e, offset: offset)
        guard let name = props["name"], let text = props["rule"] else {
            throw StoreError(.corrupt, "the segment_defined event at offset \(offset) has no \(props["name"] == nil ? "name" : "rule"); run `daicho verify`", offset: offset)
        }
        let state = SegmentState(sequence: nextSequence, name: name, text: text, description: props["description"] ?? "",
                                 definedAt: e.at, definedOffset: offset, symbols: profiles.symbols)
        state.terms = try (state.rule?.terms ?? []).map { try acquire($0, before: offset) }
        nextSequence += 1
        bySequence[state.sequence] = state
        var exited: [UInt32] = []
        if let old = segments.firstIndex(where: { $0.name == name }) {
            // Redefinition: members that stay keep their entry time; only differences are published.
            let previous = segments[old]
            segments[old] = state
            bySequence[previous.sequence] = nil
            for id in previous.terms { release(id) }
            if state.rule == nil {
                exited = previous.members.sorted
                for p in exited { emit(state, p, .exited, at: clock, offset: offset) }
            } else {
                state.members = previous.members
            }
        } else {
            segments.append(state)
        }
        rebuildDependencies()
        for p in exited { // a redefinition that does not check emptied the segment: its readers follow
            var inputs = ProfileRuleInputs(segments: self, segment: state, p: p, aggregates: profiles.aggregates(of: p), now: clock)
            propagate(from: state, &inputs, offset: offset, at: clock, depth: 0)
        }
        for p in profiles.livingProfiles {
            var inputs = ProfileRuleInputs(segments: self, segment: state, p: p, aggregates: profiles.aggregates(of: p), now: clock)
            evaluate(state, &inputs, offset: offset, at: clock)
        }
    }

    private func drop(_ e: EventView, offset: UInt64) throws {
        guard let name = try strings(of: e, offset: offset)["name"] else {
            throw StoreError(.corrupt, "the segment_dropped event at offset \(offset) has no name; run `daicho verify`", offset: offset)
        }
        guard let i = segments.firstIndex(where: { $0.name == name }) else { return }
        let s = segments.remove(at: i)
        bySequence[s.sequence] = nil
        let members = s.members.sorted
        for p in members { emit(s, p, .exited, at: clock, offset: offset) }
        for id in s.terms { release(id) }
        rebuildDependencies()
        // Segments reading in_segment of it (refused by SegmentDefinitions.drop, possible in a log written
        // otherwise) now read false: re-evaluate them for its former members.
        let readers = order.filter { segments[$0].rule?.dependencies.segments.contains(name) == true }
        guard !readers.isEmpty else { return }
        for p in members {
            let living = profiles.graph.living(p)
            var inputs = ProfileRuleInputs(segments: self, segment: segments[readers[0]], p: living,
                                           aggregates: profiles.aggregates(of: living), now: clock)
            for r in readers { evaluate(segments[r], &inputs, offset: offset, at: clock) }
        }
    }

    /// Each segment's names read by `in_segment`, by segment name (what `SegmentDefinitions` checks cycles and
    /// drops against).
    public var segmentReferences: [String: [String]] {
        var out: [String: [String]] = [:]
        for s in segments { out[s.name] = s.rule?.dependencies.segments ?? [] }
        return out
    }

    /// The store of `term`, created and backfilled from the events before `offset` when new.
    private func acquire(_ term: AggregateTerm, before offset: UInt64) throws -> Int {
        if let id = termIDs[term] {
            stores[id]!.users += 1
            return id
        }
        let store = TermStore(term: term)
        store.users = 1
        try backfill(store, before: offset)
        let id = stores.firstIndex { $0 == nil } ?? stores.count
        if id == stores.count { stores.append(store) } else { stores[id] = store }
        termIDs[term] = id
        return id
    }

    private func release(_ id: Int) {
        stores[id]!.users -= 1
        guard stores[id]!.users == 0 else { return }
        termIDs[stores[id]!.term] = nil
        stores[id] = nil
    }

    /// Feeds a new term the events before `offset` (only those that can still be in its window), each at its
    /// time bounded as in `apply` (its frame's append time plus `LogClock.eventTimeTolerance`).
    /// - Throws: `StoreError` when the log cannot be read: a half-filled term would give wrong memberships.
    private func backfill(_ store: TermStore, before offset: UInt64) throws {
        guard let history, offset > 0 else { return }
        // A live worker's history reader was opened long ago: pick up the frames made durable since.
        try history.refresh()
        let term = store.term
        var from: UInt64 = 0
        if let window = term.window, clock != .min {
            from = history.offset(forTime: clock - window - WindowBuckets.width(forWindow: window))
        }
        let now = clock
        let asOf = self.asOf
        var limit = Int64.max
        try history.forEach(from: from, to: offset, onFrame: { frame, _ in
            if asOf == nil { limit = LogClock.limit(forFrameAppendedAt: frame.appendTime) }
        }) { o, view in
            guard view.type == term.eventType, asOf.map({ view.at <= $0 }) ?? true,
                  let value = term.contribution(of: view), let p = profiles.profile(ofEventAt: o) else { return true }
            store.add(p, at: min(view.at, limit), value: value, now: now)
            return true
        }
    }

    func rebuildDependencies() {
        for t in affected.indices {
            affected[t].removeAll()
            affectedWithIdentity[t].removeAll()
        }
        for t in storesByType.indices { storesByType[t].removeAll() }
        for (i, s) in segments.enumerated() {
            guard let deps = s.rule?.dependencies else { continue }
            for type in EventType.allCases where !type.isInternal {
                let changed = ProfileSections.changed(by: type)
                // A term of the type touches the segment only when the event fed it (`apply`).
                if !deps.sections.intersection(changed).isEmpty {
                    affected[Int(type.rawValue)].append(i)
                    affectedWithIdentity[Int(type.rawValue)].append(i)
                } else if s.readsIdentity {
                    affectedWithIdentity[Int(type.rawValue)].append(i)
                }
            }
        }
        for t in termIndex.indices { termIndex[t] = TermIndex() }
        segmentsByStore = Array(repeating: [], count: stores.count)
        for (id, store) in stores.enumerated() {
            guard let store else { continue }
            storesByType[Int(store.term.eventType.rawValue)].append(id)
            termIndex[Int(store.term.eventType.rawValue)].add(id, store.term)
        }
        for (i, s) in segments.enumerated() {
            for id in s.terms where !segmentsByStore[id].contains(i) { segmentsByStore[id].append(i) }
        }
        marked = Array(repeating: false, count: segments.count)
        touched.reserveCapacity(segments.count)
        // in_segment: resolve names, then order segments so that every segment comes after those it reads.
        var byName: [String: Int] = [:]
        for (i, s) in segments.enumerated() {
            s.position = i
            byName[s.name] = i
        }
        dependents = Array(repeating: [], count: segments.count)
        for (i, s) in segments.enumerated() {
            let names = s.rule?.dependencies.segments ?? []
            s.referenced = names.map { byName[$0].map { segments[$0] } }
            for name in names { if let j = byName[name], j != i { dependents[j].append(i) } }
        }
        order = []
        var state = Array(repeating: 0, count: segments.count) // 0 new, 1 visiting, 2 done
        func visit(_ i: Int) {
            guard state[i] == 0 else { return }
            state[i] = 1
            for name in segments[i].rule?.dependencies.segments ?? [] { if let j = byName[name] { visit(j) } }
            state[i] = 2
            order.append(i)
        }
        for i in segments.indices { visit(i) }
        rank = Array(repeating: 0, count: segments.count)
        for (r, i) in order.enumerated() { rank[i] = r }
        for i in dependents.indices { dependents[i].sort { rank[$0] < rank[$1] } }
    }
}
