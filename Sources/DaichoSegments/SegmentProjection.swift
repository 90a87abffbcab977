import Daicho
import DaichoProjections

/// A segment as defined in the log, with its memberships. Its mutable state, like the projection's, is touched
/// by one thread at a time and never by overlapping accesses: dynamic exclusivity checks are off
/// (`@exclusivity(unchecked)`), as they were a measurable part of each evaluation.
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
    /// The profile field changes that can alter its result (docs/segments.md "Re-evaluation").
    let fieldChanges: ProfileFieldChanges
    let error: String?
    /// By `FieldRef.index`.
    let fields: [ResolvedField]
    /// By rule term index: the projection's term store id.
    @exclusivity(unchecked) var terms: [Int]
    @exclusivity(unchecked) var members = Membership()
    /// By `RuleDependencies.segments` index: the segment `in_segment` names, nil when none has that name.
    @exclusivity(unchecked) var referenced: [SegmentState?] = []
    /// Position in `SegmentProjection.segments`.
    var position = 0
    /// Profile → its pending deadline (time-dependent rules).
    @exclusivity(unchecked) var deadlines: [UInt32: Int64] = [:]
    /// Entered and exited per business day (kept across redefinitions, gone with a drop).
    @exclusivity(unchecked) var history = SegmentHistory()

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
        fieldChanges = rule?.fieldChanges ?? []
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
    /// Its size over the last `SegmentProjection.historyDays` business days, ending at the segment clock's day.
    public var history: [SegmentDay] = []
}

/// Real-time segment memberships over the profile projection, and their change feed (docs/segments.md).
/// Composes a `ProfileProjection`: each event is applied to the profiles first, then the segments that depend
/// on what it changed are re-evaluated for its profile; time-dependent memberships are re-evaluated when the
/// segment clock passes their deadline. A pure function of the log (plus the wall-clock advances at its end).
/// Not thread-safe: one thread (a `ProjectionWorker`) owns it, so its hot state skips dynamic exclusivity checks.
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
    @exclusivity(unchecked) public internal(set) var clock: Int64 = .min
    /// The offset of the snapshot this view was restored from; nil when it was built by replay.
    public internal(set) var restoredFrom: UInt64?
    /// Why a snapshot that was there was not used (damaged, of other settings, ahead of the log, a segment
    /// state that does not restore) and the view was rebuilt by replay; commands print it on stderr.
    public internal(set) var notice: String?
    /// Records produced so far: the cursor of the newest one.
    public internal(set) var feedCount: UInt64 = 0

    private let history: EventReader?
    @exclusivity(unchecked) var segments: [SegmentState] = []
    @exclusivity(unchecked) var bySequence: [UInt32: SegmentState] = [:]
    var nextSequence: UInt32 = 0
    /// By bit of `ProfileFieldChanges`: the indexes in `segments` whose rule reads a field of that flag; and the
    /// segments reading identity fields (re-evaluated when an event links new identifiers).
    @exclusivity(unchecked) private var readingField: [[Int]] = Array(repeating: [], count: ProfileFieldChanges.all.rawValue.bitWidth)
    @exclusivity(unchecked) private var readingIdentity: [Int] = []
    /// By event type code: the term stores fed by events of that type (the reference mode tries them all)…
    @exclusivity(unchecked) private var storesByType: [[Int]] = Array(repeating: [], count: 256)
    /// … and the same stores keyed by the prop values their filters require (docs/segments.md "Cost").
    @exclusivity(unchecked) private var termIndex: [TermIndex] = Array(repeating: TermIndex(), count: 256)
    /// By event type code: the props its terms read, read from each event in one pass.
    @exclusivity(unchecked) private var scans: [PropsScan] = Array(repeating: PropsScan(), count: 256)
    /// By term store id: the indexes in `segments` whose rule reads it.
    @exclusivity(unchecked) private var segmentsByStore: [[Int]] = []
    /// The segments to re-evaluate in the current round (`touch`): a bitset by evaluation rank, so a round walks
    /// them dependencies first without sorting, and a reader marked by `propagate` (a higher rank) is reached
    /// later in the same walk.
    @exclusivity(unchecked) private var touchedRanks: [UInt64] = []
    @exclusivity(unchecked) private var anyTouched = false
    /// The ranks evaluated in the current round: a segment is evaluated at most once per round.
    @exclusivity(unchecked) private var evaluatedRanks: [UInt64] = []
    /// True while a round evaluates the touched segments (`propagate` marks readers instead of evaluating them).
    @exclusivity(unchecked) private var inRound = false
    /// Set by `propagate` when it marks a reader ranked before the segment it reads (only a log whose definitions
    /// form a cycle, which `SegmentDefinitions` refuses): the round's walk then starts over from rank 0.
    @exclusivity(unchecked) private var rewind = false
    /// Indexes in `segments` in evaluation order: every segment after those its rule reads with `in_segment`,
    /// otherwise in definition order; `rank` is the position of each index in it.
    @exclusivity(unchecked) private var order: [Int] = []
    @exclusivity(unchecked) private var rank: [Int] = []
    /// By index in `segments`: the segments whose rules read it with `in_segment`, in evaluation order.
    @exclusivity(unchecked) private var dependents: [[Int]] = []
    var termIDs: [AggregateTerm: Int] = [:]
    @exclusivity(unchecked) var stores: [TermStore?] = []
    @exclusivity(unchecked) var heap = DeadlineHeap()
    /// Scratch of `advance`: the (living profile, segment index) pairs due at one instant, in heap order.
    @exclusivity(unchecked) private var due: [(profile: UInt32, segment: Int)] = []
    /// Re-evaluate every segment for an event's profile, ignoring dependencies: the reference the dependency
    /// tracking is tested against.
    @exclusivity(unchecked) var reevaluatesEverything = false
    @exclusivity(unchecked) private var tracking = false
    private var keepAfter: UInt64 = 0
    @exclusivity(unchecked) private var pending: [FeedRecord] = []

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
            // type); the segments using a fed term, and those reading a field the event changes, are touched.
            func feed(_ id: Int, _ value: Double?) {
                guard let value else { return }
                stores[id]!.add(p, at: at, value: value, now: clock)
                for i in segmentsByStore[id] { touch(i) }
            }
            if reevaluatesEverything {
                // The reference reads each term's props from the event on its own.
                for id in storesByType[type] { feed(id, stores[id]!.term.contribution(of: e)) }
            } else if !storesByType[type].isEmpty {
                scans[type].read(e) // one pass over the props for every term of the type
                let values = scans[type].values
                termIndex[type].forEachCandidate(values) { id in
                    let store = stores[id]!
                    feed(id, store.term.contribution(ScannedPropsInputs(event: e, values: values, slots: store.slots)))
                }
            }
            if !absorbed.isEmpty || reevaluatesEverything {
                for i in order { touch(i) }
            } else {
                // Only the segments reading a field the event changed (docs/segments.md "Re-evaluation").
                var bits = profiles.lastChanges.rawValue
                while bits != 0 {
                    for i in readingField[bits.trailingZeroBitCount] { touch(i) }
                    bits &= bits &- 1
                }
                if profiles.lastLinkedNewIdentifiers { for i in readingIdentity { touch(i) } }
            }
            evaluateTouched(p, offset: offset, at: clock)
        }
    }

    /// Evaluates the touched segments for profile `p`, each once, after every segment it reads: a reader of one
    /// that changes joins the list (`propagate`), so it sees all of the round's changes before it is evaluated.
    /// Clears the list.
    private func evaluateTouched(_ p: UInt32, offset: UInt64, at: Int64) {
        guard anyTouched else { return }
        anyTouched = false
        inRound = true
        defer { inRound = false }
        var inputs = ProfileRuleInputs(segments: self, segment: segments[0], p: p, now: clock)
        defer { for w in evaluatedRanks.indices { evaluatedRanks[w] = 0 } }
        // Dependencies first, then definition order: the ranks in ascending order. Each bit is cleared before its
        // segment is evaluated, so the walk ends with the bitset empty.
        var w = 0
        while w < touchedRanks.count {
            let bits = touchedRanks[w]
            guard bits != 0 else { w += 1; continue }
            let bit = bits.trailingZeroBitCount
            touchedRanks[w] = bits & (bits &- 1)
            evaluatedRanks[w] |= 1 << UInt64(bit)
            evaluate(segments[order[w << 6 | bit]], &inputs, offset: offset, at: at)
            if rewind {
                rewind = false
                w = 0
            }
        }
    }

    /// Marks segment `i` for re-evaluation in the current round (once).
    @inline(__always)
    private func touch(_ i: Int) {
        let r = rank[i]
        touchedRanks[r >> 6] |= 1 << UInt64(r & 63)
        anyTouched = true
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

    /// The segments defined now, in definition order, each with its size history over the last `historyDays`
    /// business days.
    public var definitions: [SegmentInfo] {
        segments.map {
            SegmentInfo(name: $0.name, rule: $0.text, description: $0.description, definedAt: $0.definedAt,
                         definedOffset: $0.definedOffset, members: $0.members.count, error: $0.error,
                         history: recentHistory(of: $0))
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

    /// Bytes held by memberships, deadlines, size histories and term stores (for the memory report).
    public var memoryBytes: Int {
        var bytes = heap.count * MemoryLayout<DeadlineHeap.Entry>.stride
        for s in segments {
            bytes += s.members.memoryBytes + s.deadlines.capacity * 16 + s.history.days.capacity * MemoryLayout<SegmentHistory.Day>.stride
        }
        for case let store? in stores { bytes += store.memoryBytes }
        return bytes
    }

    // MARK: - Membership

    /// The offset of the last event applied (time-driven changes name it).
    private var lastOffset: UInt64 { nextOffset == 0 ? 0 : nextOffset - 1 }

    /// Advances the clock to `t` (a frame's append time, an event's time, the wall clock), re-evaluating the
    /// memberships whose deadline it passes, in deadline order: those due at one instant profile by profile, each
    /// profile's in one round. Every deadline the advance passes is handled in this one pass, with reused scratch
    /// (an instant with one due membership, the common case, allocates nothing); an evaluation may schedule a
    /// deadline that is still before `t`, which the same pass reaches in its order.
    private func advance(to t: Int64) {
        guard t > clock else { return }
        while let first = heap.min, first.time <= t {
            // The deadlines due at one instant, per living profile (in order of its first entry): each profile's
            // segments are evaluated in one round, so a reader sees every segment it reads changed at that instant.
            let time = first.time
            due.removeAll(keepingCapacity: true)
            while let top = heap.min, top.time == time {
                _ = heap.pop()
                guard let s = bySequence[top.segment], s.deadlines[top.profile] == top.time else { continue }
                s.deadlines[top.profile] = nil
                due.append((profiles.graph.living(top.profile), s.position))
            }
            if time > clock { clock = time }
            if due.count == 1 {
                touch(due[0].segment) // the common case: one membership due at this instant
                evaluateTouched(due[0].profile, offset: lastOffset, at: time)
            } else if due.count > 1 {
                // Profiles in order of their first entry; each profile's segments (in heap order) in one round.
                let groups = Dictionary(grouping: due.indices) { due[$0].profile }.values.sorted { $0[0] < $1[0] }
                for group in groups {
                    for k in group { touch(due[k].segment) }
                    evaluateTouched(due[group[0]].profile, offset: lastOffset, at: time)
                }
            }
        }
        clock = t
    }

    /// Re-evaluates segment `s` for the profile of `inputs` at the clock; a change becomes a feed record
    /// (`at`, `offset`) and re-evaluates the segments whose rules read `in_segment` of `s` (`propagate`).
    /// `inputs` is reused across the segments of one event.
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
            // An earlier pending deadline stays (docs/segments.md "Re-evaluation"): deadlines are never late, so when
            // it fires the evaluation changes nothing and schedules the later one then. A deadline that moves later
            // with every event (`last_seen within 14d`) costs a heap entry per firing instead of one per event.
            if let deadline = next, s.deadlines[p].map({ deadline < $0 }) ?? true {
                s.deadlines[p] = deadline
                heap.push(DeadlineHeap.Entry(time: deadline, segment: s.sequence, profile: p))
            }
        }
        if changed { propagate(from: s, &inputs, offset: offset, at: at, depth: depth) }
    }

    /// Re-evaluates, for the profile of `inputs`, the segments that read `in_segment` of `s` (its membership
    /// changed), in dependency order: during a round (`evaluateTouched`) by marking those not evaluated yet in it,
    /// otherwise at once. Definitions never form a cycle (refused when
    /// defined); `depth` bounds the recursion anyway.
    private func propagate(from s: SegmentState, _ inputs: inout ProfileRuleInputs, offset: UInt64, at: Int64, depth: Int) {
        guard s.position < dependents.count, depth < segments.count else { return }
        if inRound {
            // A reader ranks after the segment it reads, so the round's walk (at s's rank now) reaches it.
            for d in dependents[s.position] {
                let r = rank[d]
                guard evaluatedRanks[r >> 6] & (1 << UInt64(r & 63)) == 0 else { continue }
                touch(d)
                if r < rank[s.position] { rewind = true }
            }
            return
        }
        for d in dependents[s.position] { evaluate(segments[d], &inputs, offset: offset, at: at, depth: depth + 1) }
    }

    private func emit(_ s: SegmentState, _ p: UInt32, _ change: FeedRecord.Change, at: Int64, offset: UInt64) {
        feedCount += 1
        s.history.count(change, on: profiles.config.calendar.day(ofMicros: at))
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
            state.history = previous.history
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
            var inputs = ProfileRuleInputs(segments: self, segment: state, p: p, now: clock)
            propagate(from: state, &inputs, offset: offset, at: clock, depth: 0)
        }
        for p in profiles.livingProfiles {
            var inputs = ProfileRuleInputs(segments: self, segment: state, p: p, now: clock)
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
            var inputs = ProfileRuleInputs(segments: self, segment: segments[readers[0]], p: living, now: clock)
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
    func backfill(_ store: TermStore, before offset: UInt64) throws {
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
        for b in readingField.indices { readingField[b].removeAll() }
        readingIdentity.removeAll()
        for t in storesByType.indices { storesByType[t].removeAll() }
        // A term touches its segments only when an event fed it (`apply`).
        for (i, s) in segments.enumerated() where s.rule != nil {
            var bits = s.fieldChanges.rawValue
            while bits != 0 {
                readingField[bits.trailingZeroBitCount].append(i)
                bits &= bits &- 1
            }
            if s.readsIdentity { readingIdentity.append(i) }
        }
        for t in termIndex.indices {
            termIndex[t] = TermIndex()
            scans[t] = PropsScan()
        }
        segmentsByStore = Array(repeating: [], count: stores.count)
        for (id, store) in stores.enumerated() {
            guard let store else { continue }
            let type = Int(store.term.eventType.rawValue)
            storesByType[type].append(id)
            store.slots = store.term.props.map { scans[type].slot(of: $0) }
            termIndex[type].add(id, store.term, scan: &scans[type])
        }
        for (i, s) in segments.enumerated() {
            for id in s.terms where !segmentsByStore[id].contains(i) { segmentsByStore[id].append(i) }
        }
        touchedRanks = Array(repeating: 0, count: (segments.count + 63) >> 6)
        evaluatedRanks = touchedRanks
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
