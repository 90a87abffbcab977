import Daicho
import DaichoJSON

/// Per-profile heads of the timeline index, and the source symbol of the profile's last event (an event from the
/// same source needs no look at the profile's channel list). Not stored in snapshots: rebuilt from the profile records.
struct ProfileHeads: Equatable {
    var newest = UInt32.max
    var oldest = UInt32.max
    var lastSource = UInt32.max
    var reserved: UInt32 = 0
}

/// The unified customer view: the identity graph, one `ProfileAggregates` per profile, and a per-profile event
/// index for timelines. A pure function of the events applied (in offset order): replaying the log from
/// offset 0 rebuilds it exactly. Not thread-safe: a `ProjectionWorker` or one thread owns it.
public final class ProfileProjection {
    public let graph: IdentityGraph
    public let symbols = SymbolTable()
    public let config: ProfileConfig
    /// Only events with `at <= asOf` are applied (the view "as it was"), when set.
    public let asOf: Int64?

    /// Per profile number; absorbed profiles hold empty aggregates. After a snapshot load, a profile's
    /// aggregates are deserialized on first use (`lazy`), so a query that needs one profile reads one.
    let aggregates = AggregateColumn()
    @exclusivity(unchecked) var lazy: LazyAggregates?
    /// Snapshot sections (symbols, aggregates) not decoded yet: a query that needs only the graph and the
    /// timeline index never decodes them.
    @exclusivity(unchecked) var pending: PendingSections?
    /// The dashboard's per-day figures (docs/console.md "Where the figures come from"), kept as events are applied.
    let dashboard = DashboardAggregates()
    /// The order days of the profiles of more than `OrderDays.scanLimit` orders, by profile number: derived from
    /// their aggregates when first needed (ProfileProjection+Dashboard.swift), dropped when a merge changes them.
    @exclusivity(unchecked) var orderDays: [Int: OrderDays] = [:]
    /// Timeline index: per event offset, the previous event offset of the same profile (`none` when first),
    /// and per profile its newest and oldest event (`heads`). Merges splice chains in O(1). 8 bytes per event.
    @exclusivity(unchecked) private(set) var previousEvent = Column<UInt32>()
    @exclusivity(unchecked) private(set) var eventProfile = Column<UInt32>()
    /// Per profile: its newest and oldest event and the source of its last event, together so `apply` touches
    /// one cache line per profile.
    @exclusivity(unchecked) private(set) var heads = Column<ProfileHeads>()
    static let none = UInt32.max

    /// The offset after the last event seen (applied or filtered out by `asOf`).
    @exclusivity(unchecked) public private(set) var nextOffset: UInt64 = 0
    /// Events applied.
    @exclusivity(unchecked) public private(set) var appliedEvents = 0
    /// Internal events seen (segment definitions and drops): views beside the profiles exist when > 0.
    @exclusivity(unchecked) public private(set) var internalEvents = 0
    /// The newest event time and frame append time seen, µs (`Int64.min` before any): the log's own clock, from
    /// which the segment clock starts after a snapshot (docs/segments.md "Segment clock").
    @exclusivity(unchecked) public private(set) var logClock: Int64 = .min
    /// How far the current frame's events may advance `logClock` and the segment clock (`LogClock.limit`, set by
    /// `beginFrame`); no bound in an as-of view, whose clock ends at its as-of time.
    @exclusivity(unchecked) public private(set) var eventClockLimit: Int64 = .max
    /// Bytes that views composed over this projection stored in its snapshot (docs/profile.md "Snapshots"),
    /// nil when the snapshot had none (or the projection did not come from a snapshot).
    public internal(set) var dependentState: [UInt8]?

    /// The frames applied whole since this projection started, with their oldest event times (present views
    /// only): what `Checkpoints` keeps so as-of queries pass over frames that are all later (FrameTimes.swift).
    @exclusivity(unchecked) private(set) var frameTimes = FrameTimes()
    /// Events an as-of view passed over unread because their frame's oldest event is later than `asOf`.
    public private(set) var eventsSkipped = 0
    /// The offset of the checkpoint an as-of view was restored from (docs/profile.md "Checkpoints"); nil when it
    /// was built from offset 0, or the view is not an as-of view.
    public private(set) var checkpointOffset: UInt64?

    @exclusivity(unchecked) var cache = SymbolCache()
    /// The base offset of the frame `beginFrame` began: the batch key of identity resolved by `apply` (nil before
    /// any: an event applied without `beginFrame` has nothing remembered about its batch).
    @exclusivity(unchecked) private var frameBase: UInt64?
    /// The offsets of that frame: an event outside them is resolved without the memo (its string refs belong to
    /// another batch, so what the memo remembers about a ref would be another value's).
    @exclusivity(unchecked) private var frameOffsets: Range<UInt64> = 0..<0
    /// Whether the last applied event linked identifiers its profile did not have (new identifier nodes).
    public private(set) var lastLinkedNewIdentifiers = false
    /// The profiles the last applied event's merges absorbed into its profile (empty almost always).
    public private(set) var lastAbsorbed: [UInt32] = []
    /// The fields the last applied event may have changed in its profile (docs/profile.md "Field changes"):
    /// every field when it absorbed profiles; empty when it reached no profile.
    @exclusivity(unchecked) public private(set) var lastChanges: ProfileFieldChanges = []
    /// Set while a worker has subscribers (ProfileChanges.swift).
    var changeLog: ProfileChangeLog?

    public init(rules: IdentityRules = IdentityRules(), config: ProfileConfig = ProfileConfig(), asOf: Int64? = nil) {
        graph = IdentityGraph(rules: rules)
        self.config = config
        self.asOf = asOf
    }

    /// Installs state read from a snapshot (ProjectionSnapshot.swift).
    func restore(nextOffset: UInt64, appliedEvents: Int, internalEvents: Int, logClock: Int64,
                 previousEvent: Column<UInt32>, eventProfile: Column<UInt32>, heads: Column<ProfileHeads>) {
        self.nextOffset = nextOffset
        self.appliedEvents = appliedEvents
        self.internalEvents = internalEvents
        self.logClock = logClock
        self.previousEvent = previousEvent
        self.eventProfile = eventProfile
        self.heads = heads
    }

    /// Turns a projection restored from a checkpoint at `checkpoint` into the as-of view after its events: every
    /// event before it has `at <= asOf`, so the state is the same, except the clock, which in an as-of view is
    /// the newest event time applied (`clock`) rather than the log clock; views composed over it are not kept.
    func resumeAsOf(clock: Int64, checkpoint: UInt64) {
        precondition(asOf != nil && nextOffset == checkpoint, "a checkpoint resumes an as-of view at its offset")
        logClock = clock
        dependentState = nil
        checkpointOffset = checkpoint
    }

    /// Drops the frame times written to `frame-times` (up to `nextOffset`), so they do not accumulate in memory.
    func forgetListedFrameTimes() { frameTimes.forget(through: nextOffset) }

    /// Passes over the events before `end` of an as-of view without reading them, when every one is known to be
    /// later than `asOf`: exactly what applying them does (each is filtered out), in O(events) appends.
    func skipLaterEvents(to end: UInt64) {
        precondition(asOf != nil && end >= nextOffset, "only an as-of view skips, and only forward")
        eventsSkipped += Int(end - nextOffset)
        passOver(to: end)
    }

    /// Passes over the events before `end` without reading them, when none can reach a profile of this view: a
    /// view of one customer's profiles (CheckpointCustomer.swift) applies only the events that touch them.
    func passOverUnrelated(to end: UInt64) {
        precondition(end >= nextOffset, "events are passed over only forward")
        passOver(to: end)
    }

    private func passOver(to end: UInt64) {
        for _ in nextOffset..<end {
            previousEvent.append(Self.none)
            eventProfile.append(Self.none)
        }
        nextOffset = end
        if !lastAbsorbed.isEmpty { lastAbsorbed = [] }
    }

    /// Installs the aggregates of a snapshot, deserialized per profile on first use.
    func installAggregates(_ lazy: LazyAggregates) {
        aggregates.reset(count: heads.count)
        self.lazy = lazy
    }

    // MARK: - Applying

    /// Notes a frame's append time in `logClock` and resets the per-batch caches; call with each frame and its
    /// batch's strings before its events (`EventReader.forEach`'s `onFrame`).
    public func beginFrame(_ frame: FrameContext, strings: StringTable) {
        if asOf == nil {
            frameTimes.begin(base: frame.baseOffset, count: frame.recordCount, next: nextOffset)
            if frame.appendTime > logClock { logClock = frame.appendTime }
            eventClockLimit = LogClock.limit(forFrameAppendedAt: frame.appendTime)
        }
        cache.reset(dynamicCount: strings.dynamicCount)
        frameBase = frame.baseOffset
        frameOffsets = frame.baseOffset..<(frame.baseOffset + UInt64(frame.recordCount))
    }

    /// Applies the event at `offset`. Offsets must arrive in order, each once.
    public func apply(_ e: EventView, offset: UInt64) {
        let identity = resolveIdentity(e, offset: offset, batch: frameOffsets.contains(offset) ? frameBase : nil)
        identity.absorbed.withUnsafeBufferPointer { absorbed in
            applyResolved(e, offset: offset, profile: identity.profile, linkedNew: identity.linkedNew, figures: identity.figures,
                          absorbed: absorbed,
                          props: identity.profile == IdentityGraph.unattributed ? .none : AggregateProps.read(e, config: config))
        }
    }

    /// The first half of `apply`, which touches only the identity graph: resolves the event's identifiers to its
    /// profile (merging or refusing as docs/identity.md says). An event the view does not attribute (later than
    /// `asOf`, internal) leaves the graph alone and gets `IdentityGraph.unattributed`. Replay runs it on the reader
    /// thread, ahead of `applyResolved` (ProfileProjection+Pipeline.swift). `batch` is the base offset of the
    /// event's frame (`IdentityGraph.apply`).
    /// - Returns: the profile, whether the event linked identifiers its profile did not have (new nodes), the
    ///   profiles it made and whether it refused a merge (for the dashboard), and the profiles its merges absorbed.
    @inline(__always)
    func resolveIdentity(_ e: EventView, offset: UInt64, batch: UInt64?)
        -> (profile: UInt32, linkedNew: Bool, figures: IdentityFigures, absorbed: [UInt32]) {
        if let asOf, e.at > asOf { return (IdentityGraph.unattributed, false, IdentityFigures(), []) }
        if e.type.isInternal { return (IdentityGraph.unattributed, false, IdentityFigures(), []) }
        let nodesBefore = graph.nodeCount, profilesBefore = graph.profileNumbers
        let outcome = graph.apply(e.identifiers, strings: e.strings, offset: offset, batch: batch)
        let figures = IdentityFigures(born: UInt8(clamping: graph.profileNumbers - profilesBefore), conflict: outcome.conflict)
        return (outcome.profile, graph.nodeCount > nodesBefore, figures, outcome.absorbed)
    }

    /// The second half of `apply`: everything but the identity graph, given what `resolveIdentity` returned for
    /// the event and its props as `AggregateProps.read` reads them (`.none` for an unattributed event). Offsets
    /// must arrive in order, each once.
    func applyResolved(_ e: EventView, offset: UInt64, profile: UInt32, linkedNew: Bool, figures: IdentityFigures,
                       absorbed: UnsafeBufferPointer<UInt32>, props: AggregateProps) {
        precondition(offset == nextOffset, "events must be applied in offset order (expected \(nextOffset), got \(offset))")
        if pending != nil { loadPending() }
        nextOffset = offset + 1
        if !lastAbsorbed.isEmpty { lastAbsorbed = [] }
        lastChanges = []
        previousEvent.append(Self.none)
        eventProfile.append(Self.none)
        if let asOf {
            if e.at > asOf { return }
        } else {
            frameTimes.note(e.at)
        }
        if e.at > logClock { logClock = max(logClock, min(e.at, eventClockLimit)) }
        if e.type.isInternal { // segment definitions, lost offsets: no customer (docs/segments.md, log-format §13)
            if e.type != .offsetsLost { internalEvents += 1 }
            return
        }
        lastLinkedNewIdentifiers = linkedNew
        let day = config.calendar.day(ofMicros: e.at)
        dashboard.day(day) { d in
            d.events[Int(e.type.rawValue) - 1] += 1
            d.merges += Int64(absorbed.count)
            if figures.conflict { d.refused += 1 }
            d.newProfiles += Int64(figures.born)
        }
        if profile == IdentityGraph.unattributed { return } // every identifier refused (docs/identity.md)
        let p = Int(profile)
        if aggregates.count <= p {
            aggregates.grow(to: p + 1)
            while heads.count <= p { heads.append(ProfileHeads()) }
        }
        load(p)
        for a in absorbed {
            let a = Int(a)
            load(a)
            aggregates[p].absorb(aggregates[a])
            aggregates[a] = ProfileAggregates()
            if !orderDays.isEmpty { orderDays[a] = nil; orderDays[p] = nil }
            splice(a, into: p)
        }
        var h = heads[p]
        let source = e.source == 0 ? Self.none : cache.symbol(e.source, in: e.strings, table: symbols).raw
        countForDashboard(e, offset: offset, props: props, day: day, profile: p, source: source)
        lastChanges = aggregates[p].apply(e, props: props, offset: offset, symbols: &cache, table: symbols, config: config,
                                          channelKnown: source != Self.none && source == h.lastSource)
        if !absorbed.isEmpty { lastChanges = .all }
        if source != Self.none { h.lastSource = source }
        let o = Int(offset)
        previousEvent[o] = h.newest
        eventProfile[o] = UInt32(p)
        h.newest = UInt32(o)
        if h.oldest == Self.none { h.oldest = UInt32(o) }
        heads[p] = h
        appliedEvents += 1
        changeLog?.record(offset: offset, profile: UInt32(p), absorbed: absorbed)
        if !absorbed.isEmpty { lastAbsorbed = Array(absorbed) }
    }

    /// Appends profile `a`'s event chain to `p`'s (the order inside a chain does not matter: timelines sort).
    private func splice(_ a: Int, into p: Int) {
        guard heads[a].newest != Self.none else { return }
        if heads[p].newest == Self.none {
            heads[p].newest = heads[a].newest
        } else {
            previousEvent[Int(heads[p].oldest)] = heads[a].newest
        }
        heads[p].oldest = heads[a].oldest
        heads[a].newest = Self.none
        heads[a].oldest = Self.none
    }

    /// Reads the log from `nextOffset` to its durable end (or `end`) and applies every event.
    /// - Returns: the number of events read.
    @discardableResult
    public func catchUp(_ reader: EventReader, to end: UInt64? = nil) throws -> Int {
        let start = nextOffset
        // Room for the whole log (not just `end`, so a replay in chunks allocates once): 8 bytes per event.
        if reader.endOffset > nextOffset {
            previousEvent.reserveCapacity(Int(reader.endOffset))
            eventProfile.reserveCapacity(Int(reader.endOffset))
        }
        if ReplayThreads.count > 1 {
            try applyLogResolvingAhead(reader, to: end)
        } else {
            try applyLog(reader, to: end)
        }
        return Int(nextOffset - start)
    }

    // MARK: - Queries

    /// Number of living profiles.
    public var profileCount: Int { graph.liveProfiles }

    /// The living profile numbers, in birth order.
    public var livingProfiles: [UInt32] {
        (0..<UInt32(heads.count)).filter { graph.isAlive($0) && heads[Int($0)].newest != Self.none }
    }

    /// The profile of an identifier given as the producer wrote it (normalized here exactly as ingest does).
    public func profile(kind: IdentifierKind, raw: String, normalizer: IdentifierNormalizer = IdentifierNormalizer()) -> UInt32? {
        guard case .success(let value) = normalizer.normalize(raw, kind: kind) else { return nil }
        var v = value
        return v.withUTF8 { graph.profile(kind: kind.code, value: UnsafeRawBufferPointer($0)) }
    }

    /// The living profile an event at `offset` belongs to now (after later merges), if it was applied.
    public func profile(ofEventAt offset: UInt64) -> UInt32? {
        guard offset < nextOffset, eventProfile[Int(offset)] != Self.none else { return nil }
        return graph.living(eventProfile[Int(offset)])
    }

    /// The offsets of `p`'s events, unordered.
    public func eventOffsets(of p: UInt32) -> [UInt64] {
        var out: [UInt64] = []
        var o = heads[Int(p)].newest
        while o != Self.none {
            out.append(UInt64(o))
            o = previousEvent[Int(o)]
        }
        return out
    }

    /// The aggregates of profile `p` (read from the snapshot on first use).
    public func aggregates(of p: UInt32) -> ProfileAggregates {
        if pending != nil { loadPending() }
        load(Int(p))
        return aggregates[Int(p)]
    }

    /// Decodes the snapshot's symbol and aggregate sections if that has not happened yet. Applying, `json` and
    /// `aggregates(of:)` do it themselves; a view that reads `symbols` directly calls it first.
    public func loadSnapshotSections() {
        if pending != nil { loadPending() }
    }

    /// Deserializes profile `p`'s aggregates from the snapshot if that has not happened yet.
    @inline(__always)
    func load(_ p: Int) {
        guard let lazy, p < lazy.loaded.count, !lazy.loaded[p] else { return }
        aggregates[p] = lazy.aggregates(p)
        lazy.loaded[p] = true
    }

    /// Bytes held per component, computed from capacities (array headers and dictionary overhead estimated):
    /// identity graph nodes (value arena and per-node arrays), identity node table, identity profiles, symbol
    /// table, aggregates (per-profile values and their sections, the order days of heavy buyers; snapshot bytes not
    /// yet deserialized count as they are), timeline index (8 bytes per event and 8 per profile).
    /// - Complexity: O(profiles).
    public func memoryReport() -> [(component: String, bytes: Int)] {
        let g = graph.memoryBytes
        var aggregateBytes = aggregates.memoryBytes
        // The order days of heavy buyers: per dictionary slot a key and an array reference, plus the arrays.
        aggregateBytes += orderDays.capacity * (MemoryLayout<Int>.stride + MemoryLayout<OrderDays>.stride)
            + orderDays.values.reduce(0) { $0 + $1.heapBytes }
        if let lazy { aggregateBytes += lazy.section.capacity + lazy.offsets.capacity * 8 + lazy.loaded.capacity }
        if let pending { aggregateBytes += pending.aggregates.section.capacity + pending.aggregates.offsets.capacity * 8 }
        let timeline = previousEvent.memoryBytes + eventProfile.memoryBytes + heads.memoryBytes
        return [("identity nodes", g.nodes), ("identity node table", g.table), ("identity profiles", g.profiles),
                ("symbol table", symbols.memoryBytes), ("aggregates", aggregateBytes), ("timeline index", timeline)]
    }

    /// The profile as JSON (docs/profile.md); `now` (µs) is the as-of time for age and recency.
    public func json(of p: UInt32, now: Int64) -> JSONValue {
        loadPending()
        load(Int(p))
        return Self.json(id: graph.idHash[Int(p)], mergedIDs: graph.mergedIDs[p] ?? [], identifiers: graph.identifiers(of: p),
                         conflicts: graph.conflicts(of: p), aggregates: aggregates[Int(p)], names: symbols, config: config, now: now)
    }

    /// The profile JSON of docs/profile.md from its parts: what `json(of:now:)` and a snapshot record
    /// (SnapshotProfiles.swift) both print, so the two paths cannot drift apart.
    static func json(id: UInt64, mergedIDs: [UInt64], identifiers: [(kind: UInt8, value: String, linkedAt: UInt64)],
                     conflicts: (count: Int, recent: [(offset: UInt64, kinds: [UInt8])]), aggregates: ProfileAggregates,
                     names: some SymbolNames, config: ProfileConfig, now: Int64) -> JSONValue {
        var identifierMembers: [JSONMember] = []
        var linked: [JSONValue] = []
        for id in identifiers {
            let name = IdentifierKind.all[Int(id.kind)].name
            if let i = identifierMembers.firstIndex(where: { $0.key == name }), case .array(var values) = identifierMembers[i].value {
                values.append(.string(id.value))
                identifierMembers[i].value = .array(values)
            } else {
                identifierMembers.append(JSONMember(name, .array([.string(id.value)])))
            }
            linked.append(.object([JSONMember("kind", .string(name)), JSONMember("value", .string(id.value)),
                                   JSONMember("offset", .int(Int64(id.linkedAt)))]))
        }
        var members = [
            JSONMember("id", .string(IdentityGraph.format(id))),
            JSONMember("merged_ids", .array(mergedIDs.map { .string(IdentityGraph.format($0)) })),
            JSONMember("identifiers", .object(identifierMembers)),
        ]
        members += aggregates.members(asOf: now, table: names, config: config)
        members.append(JSONMember("identity", .object([
            JSONMember("conflicts", .object([
                JSONMember("count", .int(Int64(conflicts.count))),
                JSONMember("recent", .array(conflicts.recent.map { c in
                    .object([JSONMember("offset", .int(Int64(c.offset))),
                             JSONMember("kinds", .array(c.kinds.map { .string(IdentifierKind.all[Int($0)].name) }))])
                })),
            ])),
            JSONMember("merges", .int(Int64(mergedIDs.count))),
            JSONMember("linked_by", .array(linked)),
        ])))
        return .object(members)
    }
}
