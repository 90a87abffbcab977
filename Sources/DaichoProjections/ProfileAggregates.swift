import Daicho

// Per-profile aggregates of docs/profile.md: traits, first/last seen, channels, event count and the web,
// commerce, support and social sections. Identity fields (id, merged_ids, identifiers, identity) and segments
// belong to other projections.
//
// Every aggregate is a function of the set of applied events: sums and counts are commutative, "latest" values
// are chosen by (at, offset), sessions are merged intervals, so any arrival order and any split into profiles
// that are later absorbed give equal aggregates. The one exception is `top_paths` beyond `trackedPaths`
// distinct paths, where Space-Saving estimates depend on order (docs/profile.md documents the error bound).

/// Static-table refs of the props keys and values the aggregates read, as literals so the hot path compares
/// constants (`StaticStrings`' refs are lazily initialised globals of another module). They are wire codes,
/// never renumbered; a test checks them against `StaticStrings`.
enum Key {
    static let path: UInt32 = 2, dwellMs: UInt32 = 5
    static let orderID: UInt32 = 7, amount: UInt32 = 8, currency: UInt32 = 9
    static let channel: UInt32 = 14, category: UInt32 = 15, status: UInt32 = 17
    static let platform: UInt32 = 18, sentiment: UInt32 = 19, reach: UInt32 = 20, traits: UInt32 = 21
    static let complaint: UInt32 = 30, question: UInt32 = 31, request: UInt32 = 32, opinion: UInt32 = 33
    static let open: UInt32 = 34, pending: UInt32 = 35
}

/// The aggregates of one customer profile.
///
/// A value type: sections are copy-on-write boxes allocated only when the profile has events of that kind,
/// so a profile with a handful of page views takes a few hundred bytes.
public struct ProfileAggregates: Sendable, Equatable {
    // Field order keeps the stride at 72 bytes: `eventCount` fills the tail of `channels`.
    var firstSeen: Int64 = .max
    var lastSeen: Int64 = .min
    /// Sorted by key symbol.
    var traits: ContiguousArray<TraitEntry> = []
    var web: SectionBox<WebSection>?
    var commerce: SectionBox<CommerceSection>?
    var support: SectionBox<SupportSection>?
    var social: SectionBox<SocialSection>?
    /// Source symbols, ascending.
    var channels = ChannelList()
    var eventCount: UInt32 = 0

    /// An empty profile (no events).
    public init() {}

    /// Number of events applied.
    public var events: Int { Int(eventCount) }

    /// Applies one event attributed to this profile (the caller resolves identity).
    ///
    /// Props that cannot be read (a corrupt value) are ignored from the bad member on.
    /// - Parameters:
    ///   - e: The event.
    ///   - offset: Its log offset: breaks ties between events with the same `at`.
    ///   - symbols: The current batch's ref → symbol memo.
    ///   - table: The process's symbol table.
    ///   - config: Session gap, business time zone, RFM currency, path tracking.
    ///   - channelKnown: true when the caller knows the event's source is already among `channels` (skips a
    ///     look at the channel list, usually a cache miss).
    /// - Returns: the fields the event may have changed (docs/profile.md "Field changes").
    /// - Complexity: O(log n) in the section's entries; no allocation in the common case (an existing session
    ///   extended, a known path, a known channel).
    @discardableResult
    public mutating func apply(_ e: EventView, offset: UInt64, symbols: inout SymbolCache, table: SymbolTable,
                               config: ProfileConfig, channelKnown: Bool = false) -> ProfileFieldChanges {
        apply(e, props: AggregateProps.read(e, config: config), offset: offset, symbols: &symbols, table: table,
              config: config, channelKnown: channelKnown)
    }

    /// `apply` with the event's props already read (`AggregateProps.read`, which replay runs on its reader thread).
    @discardableResult
    mutating func apply(_ e: EventView, props: AggregateProps, offset: UInt64, symbols: inout SymbolCache,
                        table: SymbolTable, config: ProfileConfig, channelKnown: Bool) -> ProfileFieldChanges {
        var changes: ProfileFieldChanges = .events
        eventCount &+= 1
        if e.at < firstSeen { firstSeen = e.at; changes.insert(.firstSeen) }
        if e.at > lastSeen { lastSeen = e.at; changes.insert(.lastSeen) }
        if e.source != 0 && !channelKnown, channels.insert(symbols.symbol(e.source, in: e.strings, table: table)) {
            changes.insert(.channels)
        }
        switch props {
        case .pageView(let path, let dwellMs):
            let symbol = path == 0 ? nil : symbols.symbol(path, in: e.strings, table: table)
            changes.formUnion(Self.unique(&web) { WebSection(trackedPaths: config.trackedPaths, sessionGap: config.sessionGapMicros) }
                .value.add(at: e.at, offset: offset, path: symbol, dwellMs: dwellMs))
        case .purchase(let order, let currency, let amount, let rfmDay):
            let box = Self.unique(&commerce) { CommerceSection() }
            if box.value.addPurchase(at: e.at) { changes.insert(.commerceOrderTimes) }
            // Ingest validation guarantees all three; a purchase without them counts only in first/last_order_at.
            guard order != 0, currency != 0, let amount else { return changes }
            box.value.addOrder(OrderEntry(order: symbols.symbol(order, in: e.strings, table: table),
                                          currency: symbols.symbol(currency, in: e.strings, table: table),
                                          at: e.at, offset: offset, amount: amount))
            changes.insert(.commerceOrders)
            if let rfmDay {
                box.value.addDay(rfmDay, amount: Int128(amount))
                changes.insert(.commerceDays)
            }
        case .inquiry(let channel, let category, let open):
            let box = Self.unique(&support) { SupportSection() }
            box.value.inquiries &+= 1
            box.value.lastAt = max(box.value.lastAt, e.at)
            switch category {
            case Key.complaint: box.value.complaints &+= 1
            case Key.question: box.value.questions &+= 1
            case Key.request: box.value.requests &+= 1
            case Key.opinion: box.value.opinions &+= 1
            default: break
            }
            if open { box.value.open &+= 1 }
            if channel != 0 { box.value.byChannel.add(symbols.symbol(channel, in: e.strings, table: table)) }
            changes.insert(.support)
        case .socialMention(let platform, let sentiment, let reach):
            let box = Self.unique(&social) { SocialSection() }
            box.value.mentions &+= 1
            box.value.lastAt = max(box.value.lastAt, e.at)
            box.value.reach &+= reach
            if let sentiment { box.value.sentimentCount &+= 1; box.value.sentimentSum &+= sentiment }
            if platform != 0 { box.value.byPlatform.add(symbols.symbol(platform, in: e.strings, table: table)) }
            changes.insert(.social)
        case .none:
            if e.type == .identify && applyIdentify(e, offset: offset, symbols: &symbols, table: table) { changes.insert(.traits) }
        }
        return changes
    }

    /// Folds an absorbed profile's aggregates into this one: the result equals applying both event sets.
    /// - Complexity: O(size of both profiles).
    public mutating func absorb(_ other: ProfileAggregates) {
        eventCount &+= other.eventCount
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        for c in other.channels { _ = channels.insert(c) }
        for t in other.traits { traits.set(t) }
        Self.absorb(&web, other.web) { $0.absorb($1) }
        Self.absorb(&commerce, other.commerce) { $0.absorb($1) }
        Self.absorb(&support, other.support) { $0.absorb($1) }
        Self.absorb(&social, other.social) { $0.absorb($1) }
    }

    /// Approximate heap and inline bytes (array headers and boxes included), for the memory report.
    public var memoryBytes: Int {
        func array<E>(_ a: ContiguousArray<E>) -> Int { a.capacity == 0 ? 0 : 32 + a.capacity * MemoryLayout<E>.stride }
        func box<V>(_ b: SectionBox<V>?, _ arrays: (V) -> Int) -> Int {
            guard let b else { return 0 }
            return 16 + MemoryLayout<V>.size + arrays(b.value)
        }
        return MemoryLayout<ProfileAggregates>.size + channels.heapBytes + array(traits)
            + box(web) { array($0.sessions) + array($0.paths) }
            + box(commerce) { array($0.orders) + array($0.days) }
            + box(support) { array($0.byChannel) }
            + box(social) { array($0.byPlatform) }
    }

    // MARK: - Helpers

    /// The static ref equal to string `ref` (the encoder always uses static refs for static strings; a dynamic
    /// ref with the same text is matched by bytes, so other producers of batches are handled too).
    @inline(__always)
    static func staticRef(_ ref: UInt32, _ strings: StringTable) -> UInt32 {
        if ref < StaticStrings.count { return ref }
        let bytes = strings.bytes(ref)
        for candidate in [Key.complaint, Key.question, Key.request, Key.opinion, Key.open, Key.pending]
        where StaticStrings.table[Int(candidate)].utf8.elementsEqual(bytes) { return candidate }
        return 0
    }

    /// The section's box, created by `make` when absent and copied first when shared (copy-on-write).
    @inline(__always)
    static func unique<V>(_ box: inout SectionBox<V>?, _ make: () -> V) -> SectionBox<V> {
        if box == nil { box = SectionBox(make()) } else if !isKnownUniquelyReferenced(&box) { box = SectionBox(box.unsafelyUnwrapped.value) }
        return box.unsafelyUnwrapped
    }

    private static func absorb<V>(_ mine: inout SectionBox<V>?, _ theirs: SectionBox<V>?, _ fold: (inout V, V) -> Void) {
        guard let theirs else { return }
        guard mine != nil else { mine = theirs; return } // shared until either side writes
        fold(&unique(&mine) { theirs.value }.value, theirs.value)
    }
}

/// A `dwell_ms` or `reach` value within the ingest bound [0, 2^31 − 1]. Ingest refuses values outside it; the
/// clamp only keeps events appended before the bound existed from making a sum wrap (docs/profile.md "Exact sums").
@inline(__always)
func clampedCount(_ v: Int64?) -> Int64 { min(max(v ?? 0, 0), PropsBounds.maxCount) }
