import Daicho
import DaichoLog
import Dispatch

// One customer as of a time (docs/profile.md "One customer as of a time"): the as-of view of the profiles one
// customer's history can reach, built from an as-of checkpoint's records and the events after it, without
// restoring the checkpoint whole or applying every later event.
//
// Which profiles: identity decides an event from the profiles its identifiers reach and nothing else (the
// rules of docs/identity.md look at those profiles' identifiers, births and conflicts; a new profile's id
// derives from the event's own identifier). So take the events after the checkpoint with `at <= T` and close over
// the customer: every event naming a reached identifier is reached, and with it all of its identifiers; every
// checkpoint profile holding a reached identifier is reached, and with it all of its identifiers (passes over the
// events until one reaches nothing new). No event outside the closure shares an identifier with it, so none can
// change a profile inside it: applying only the closure's events to only the closure's checkpoint profiles gives
// exactly the full as-of view's profiles there. Identifiers are compared by 64-bit hash: a shared hash only
// widens the closure.
//
// Symbols: the aggregates compare symbol numbers only for equality and, in one place, order (the web section
// evicts the least counted path, ties to the lower symbol, once it tracks `tracked_paths` paths). The view's
// table holds the closure's checkpoint symbols in their checkpoint order, then the symbols of the events
// applied, in the order met — which among new symbols can differ from the full view's. So the view is refused
// (the caller replays) when the selected profile's path table is full and the events applied added symbols.

/// The as-of view of one customer built from a checkpoint and the events after it (see above).
public enum CheckpointCustomer {
    /// What `view` found.
    public enum Outcome {
        /// The as-of view of the profiles the customer's history reaches, and the selected living profile in it
        /// (nil: no profile matches as of that time).
        case answered(ProfileProjection, UInt32?)
        /// Why this view cannot answer; the caller builds the whole as-of view instead.
        case unavailable(String)
    }

    /// The most checkpoint profiles a view gathers; a customer whose history reaches more (one device shared by
    /// thousands) is answered by the whole as-of view.
    static let maxProfiles = 10_000

    /// The as-of view at `asOf` of the customer `key`: from the newest as-of checkpoint that serves `asOf` (or
    /// offset 0 when none does), when
    /// that view defines no segment (the caller would need the segment views) or `withSegments` is false (the
    /// caller reads no segment: a timeline).
    /// - Throws: `StoreError` when the log cannot be read; `SnapshotError` when a checkpoint block is damaged.
    /// - Parameters:
    ///   - parallelFrom: the log after the checkpoint is scanned on two threads from this many offsets on.
    ///   - piece: the offsets dealt to a thread at a time.
    public static func view(_ dir: DataDirectory, settings: ProjectionSettings, asOf: Int64, key: CustomerKey,
                            reader: EventReader, withSegments: Bool = true,
                            parallelFrom: Int = 50_000, piece: UInt64 = 65_536) throws -> Outcome {
        // Without a checkpoint that serves the time, the view starts from the empty view at offset 0.
        let found = newestCheckpoint(dir, settings: settings, asOf: asOf, reader: reader)
        let checkpoint = found?.snapshot
        if let checkpoint, checkpoint.internalEvents > 0 && withSegments { return .unavailable("segments are defined") }
        let start = checkpoint?.nextOffset ?? 0
        // The births of a profile id are looked for only when the checkpoint does not know the id.
        var bornID: UInt64?
        if case .id(let id) = key, try checkpoint?.profile(id: id) == nil { bornID = UInt64(id.dropFirst(2), radix: 16) }
        let scanned = try scan(readRanges(dir, from: start, asOf: asOf, reader: reader), asOf: asOf, reader: reader,
                               withSegments: withSegments, bornID: bornID, parallelFrom: parallelFrom, piece: piece)
        guard let tails = scanned else { return .unavailable("segments are defined") }
        let reached: Reach
        switch try reach(key, checkpoint: checkpoint, tails: tails) {
        case .none: return .answered(ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf), nil)
        case .tooMany: return .unavailable("the customer's history reaches more than \(maxProfiles) profiles or needs more than \(maxPasses) passes")
        case .some(let r): reached = r
        }
        let projection = ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        var symbolsFromCheckpoint = 0
        if let checkpoint, let clock = found?.clock {
            symbolsFromCheckpoint = try restore(reached.profiles, of: checkpoint, into: projection, clock: clock)
        }
        try apply(reached.events, reader: reader, to: projection)
        guard let p = key.find(in: projection) else { return .answered(projection, nil) }
        let paths = projection.aggregates(of: p).web?.value.paths.count ?? 0
        if paths >= settings.profile.trackedPaths && projection.symbols.count > symbolsFromCheckpoint {
            return .unavailable("the profile tracks its most viewed paths and new ones came after the checkpoint")
        }
        return .answered(projection, p)
    }

    /// The newest checkpoint that serves `asOf` (Checkpoints.restore's choice), opened for reading records, and
    /// the newest event time before it.
    static func newestCheckpoint(_ dir: DataDirectory, settings: ProjectionSettings, asOf: Int64,
                                 reader: EventReader) -> (snapshot: SnapshotProfiles, clock: Int64)? {
        let directory = dir.snapshotsPath + "/" + Checkpoints.directoryName
        for (offset, path) in Checkpoints.list(in: dir.snapshotsPath).reversed() {
            guard let clock = reader.maxEventTime(before: offset), clock <= asOf else { continue }
            let name = String(path.dropFirst(directory.count + 1))
            guard case .opened(let snapshot) = SnapshotProfiles.open(directory: directory, name: name, settings: settings, proving: reader),
                  snapshot.nextOffset == offset else { continue }
            return (snapshot, clock)
        }
        return nil
    }

    /// Notes the identifiers of the events with `at <= asOf` in `ranges`, on two threads (a second reader of the
    /// same log for the second; `split`), each into a list of its own: `reach` passes over both.
    /// - Parameters:
    ///   - bornID: a profile id hash whose possible births to note (TailEvents).
    ///   - parallelFrom: fewer offsets than this are scanned on one thread.
    ///   - piece: the offsets dealt to a thread at a time.
    /// - Returns: nil when an internal event other than lost offsets is among them and `withSegments` (the view
    ///   would need the segment views).
    static func scan(_ ranges: [Range<UInt64>], asOf: Int64, reader: EventReader, withSegments: Bool, bornID: UInt64? = nil,
                     parallelFrom: Int = 50_000, piece: UInt64 = 65_536) throws -> [TailEvents]? {
        let dealt = split(ranges, parallelFrom: parallelFrom, piece: piece) { reader.frameEnd(containing: $0) }
        let parts = UnsafeMutableBufferPointer<Result<TailEvents?, any Error>>.allocate(capacity: 2)
        parts.initialize(repeating: .success(nil))
        defer { parts.deinitialize().deallocate() }
        nonisolated(unsafe) let slots = parts // each thread writes its own slot only
        if dealt[1].isEmpty {
            slots[0] = Result { try scanOne(dealt[0], asOf: asOf, reader: reader, withSegments: withSegments, bornID: bornID) }
        } else {
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                slots[i] = Result {
                    try scanOne(dealt[i], asOf: asOf, reader: i == 0 ? reader : EventReader(reader.directory), withSegments: withSegments,
                                bornID: bornID)
                }
            }
        }
        guard let first = try parts[0].get() else { return nil }
        if dealt[1].isEmpty { return [first] }
        guard let second = try parts[1].get() else { return nil }
        return [first, second]
    }

    private static func scanOne(_ ranges: [Range<UInt64>], asOf: Int64, reader: EventReader, withSegments: Bool,
                                bornID: UInt64?) throws -> TailEvents? {
        var tail = TailEvents(bornID: bornID)
        for range in ranges {
            var internalEvent = false
            try reader.forEach(from: range.lowerBound, to: range.upperBound, checkingProps: false,
                               onFrame: { tail.beginFrame($1) }) { offset, e in
                guard e.at <= asOf else { return true }
                if e.type.isInternal {
                    internalEvent = withSegments && e.type != .offsetsLost
                    return !internalEvent
                }
                tail.add(e, offset: offset)
                return true
            }
            if internalEvent { return nil }
        }
        return tail
    }

    /// `ranges` dealt to two threads in pieces of at most `piece` offsets, alternately: the events with
    /// `at <= asOf` crowd where the ranges begin (later frames hold only late ones), so halves would not share the
    /// work. The second is empty below `parallelFrom` offsets.
    /// Pieces end where frames end (`frameEnd`), so no frame is decoded by both.
    static func split(_ ranges: [Range<UInt64>], parallelFrom: Int, piece: UInt64 = 65_536,
                      frameEnd: (UInt64) -> UInt64? = { _ in nil }) -> [[Range<UInt64>]] {
        let total = ranges.reduce(0) { $0 + $1.count }
        guard total >= max(parallelFrom, 2) else { return [ranges, []] }
        var dealt: [[Range<UInt64>]] = [[], []], next = 0
        for r in ranges {
            var from = r.lowerBound
            while from < r.upperBound {
                let to = min(r.upperBound, frameEnd(from + piece - 1) ?? from + piece)
                dealt[next].append(from..<to)
                next = 1 - next
                from = to
            }
        }
        return dealt
    }

    /// The ranges of the log after `start` that may hold events with `at <= asOf`: frames whose oldest event is
    /// later are left out when `frame-times` lists them (FrameTimes.swift).
    static func readRanges(_ dir: DataDirectory, from start: UInt64, asOf: Int64, reader: EventReader) throws -> [Range<UInt64>] {
        let end = reader.endOffset
        guard start < end else { return [] }
        guard let times = FrameTimesFile.read(dir.snapshotsPath + "/" + Checkpoints.directoryName,
                                              proving: { try reader.frameChecksum(containing: $0) }) else { return [start..<end] }
        var ranges: [Range<UInt64>] = []
        var from = start
        for (i, frameEnd) in times.ends.enumerated() where frameEnd > start {
            let base = max(i > 0 ? times.ends[i - 1] : 0, start)
            if times.oldest[i] > asOf {
                if from < base { ranges.append(from..<base) }
                from = frameEnd
            }
        }
        if from < end { ranges.append(from..<end) }
        return ranges
    }

    /// The checkpoint profiles and the later events the customer's history reaches.
    struct Reach {
        var profiles: [UInt32] = []
        /// Offsets, ascending.
        var events: [UInt64] = []
    }

    enum ReachOutcome {
        case none, tooMany, some(Reach)
    }

    /// The most passes over the events a closure makes (each pass follows links in log order; a chain of links
    /// that runs against it needs one pass per link): beyond, the whole as-of view answers.
    static let maxPasses = 64

    /// Closes over the customer `key` (see the top of this file) in the checkpoint and the events of `tails`.
    static func reach(_ key: CustomerKey, checkpoint: SnapshotProfiles?, tails: [TailEvents]) throws -> ReachOutcome {
        var identifiers = HashSet64()
        var fresh: [UInt64] = [] // reached identifiers whose checkpoint profiles are not looked up yet
        var profiles: [UInt32] = [], seenProfiles = Set<UInt32>()
        func reachIdentifier(_ h: UInt64) { if identifiers.insert(h) { fresh.append(h) } }
        func reachProfile(_ p: UInt32) throws {
            guard seenProfiles.insert(p).inserted else { return }
            profiles.append(p)
            guard let record = try checkpoint?.record(of: p) else { throw SnapshotError("profile \(p) has no record") }
            for id in record.identifiers {
                var value = id.value
                reachIdentifier(value.withUTF8 { IdentityGraph.hash(kind: id.kind, value: UnsafeRawBufferPointer($0)) })
            }
        }
        switch key {
        case .identifier(let kind, let raw):
            guard case .success(var value) = IdentifierNormalizer().normalize(raw, kind: kind) else { return .none }
            reachIdentifier(value.withUTF8 { IdentityGraph.hash(kind: kind.code, value: UnsafeRawBufferPointer($0)) })
        case .id(let id):
            if let p = try checkpoint?.profile(id: id) { try reachProfile(p) }
            for t in tails { for h in t.births { reachIdentifier(h) } }
        }
        var inClosure = tails.map { [Bool](repeating: false, count: $0.count) }
        var passes = 0, grew = true
        while grew {
            // The checkpoint profiles of the identifiers reached since the last look.
            while let h = fresh.popLast() {
                for p in try checkpoint?.profiles(holdingIdentifierHash: h) ?? [] { try reachProfile(p) }
                guard seenProfiles.count <= maxProfiles else { return .tooMany }
            }
            passes += 1
            guard passes <= maxPasses else { return .tooMany }
            grew = false
            for t in tails.indices {
                for e in 0..<tails[t].count where !inClosure[t][e] {
                    let hashes = tails[t].hashes(of: e)
                    guard hashes.contains(where: identifiers.contains) else { continue }
                    inClosure[t][e] = true
                    grew = true
                    for h in hashes { reachIdentifier(h) }
                }
            }
        }
        guard !profiles.isEmpty || inClosure.contains(where: { $0.contains(true) }) else { return .none }
        var reach = Reach(profiles: profiles.sorted())
        for t in tails.indices {
            for e in 0..<tails[t].count where inClosure[t][e] { reach.events.append(tails[t].offsets[e]) }
        }
        reach.events.sort()
        return .some(reach)
    }

    /// Restores the checkpoint profiles `profiles` into the empty view `projection`, their symbols first (in
    /// checkpoint order). - Returns: the number of symbols that came from the checkpoint.
    static func restore(_ profiles: [UInt32], of checkpoint: SnapshotProfiles, into projection: ProfileProjection,
                        clock: Int64) throws -> Int {
        var records: [(record: ProfileRecord, bytes: [UInt8], range: Range<Int>)] = []
        var used = Set<UInt32>()
        for p in profiles {
            let (bytes, range) = try checkpoint.recordBytes(of: p)
            let record = try bytes.withUnsafeBytes { try ProfileRecord.read(UnsafeRawBufferPointer(rebasing: $0[range])) }
            guard let birth = record.events.first else { throw SnapshotError("living profile \(p) has no event") }
            guard birth < checkpoint.nextOffset else { throw SnapshotError("profile \(p) has an event past the checkpoint") }
            if record.lastSource != ProfileProjection.none { used.insert(record.lastSource) }
            try bytes.withUnsafeBytes { b in
                let body = UnsafeRawBufferPointer(rebasing: b[range])
                var position = record.aggregates.lowerBound
                _ = try ProfileAggregates.deserialize(body, at: &position) { used.insert($0); return $0 }
            }
            records.append((record, bytes, range))
        }
        // Interned in checkpoint order, so the numbers keep their order (sorted sections stay sorted).
        var renumbered: [UInt32: UInt32] = [:]
        for s in used.sorted() {
            renumbered[s] = checkpoint.names.withBytes(Symbol(raw: s)) { projection.symbols.intern($0) }.raw
        }
        if let failure = checkpoint.names.failure { throw failure }
        var restored: [ProfileProjection.RestoredProfile] = []
        for (record, bytes, range) in records {
            _ = projection.graph.adopt(idHash: record.idHash, birth: record.events[0], identifiers: record.identifiers,
                                       mergedIDs: record.mergedIDs, conflicts: record.conflicts)
            let aggregates = try bytes.withUnsafeBytes { b in
                var position = record.aggregates.lowerBound
                return try ProfileAggregates.deserialize(UnsafeRawBufferPointer(rebasing: b[range]), at: &position) { renumbered[$0]! }
            }
            let source = record.lastSource == ProfileProjection.none ? ProfileProjection.none : renumbered[record.lastSource]!
            restored.append(.init(aggregates: aggregates, events: record.events, lastSource: source))
        }
        projection.restore(restored, nextOffset: checkpoint.nextOffset, clock: clock)
        return projection.symbols.count
    }

    /// Applies the events at `offsets` (ascending) to `projection`, passing over every other offset.
    static func apply(_ offsets: [UInt64], reader: EventReader, to projection: ProfileProjection) throws {
        var i = 0
        while i < offsets.count {
            guard let frameEnd = reader.frameEnd(containing: offsets[i]) else {
                throw StoreError(.corrupt, "the log has no event at offset \(offsets[i])", path: reader.directory.logPath, offset: offsets[i])
            }
            try reader.forEach(from: offsets[i], to: frameEnd, onFrame: { projection.beginFrame($0, strings: $1) }) { offset, e in
                guard i < offsets.count, offset == offsets[i] else { return true }
                projection.passOverUnrelated(to: offset)
                projection.apply(e, offset: offset)
                i += 1
                return true
            }
        }
    }

}

extension ProfileProjection {
    /// One checkpoint profile as a one-customer view restores it: aggregates (symbols renumbered into this view's
    /// table), event offsets (ascending) and the source symbol of its last event.
    struct RestoredProfile {
        var aggregates: ProfileAggregates
        var events: [UInt64]
        var lastSource: UInt32
    }

    /// Installs `profiles` (adopted into the graph in the same order) as the as-of view after the checkpoint at
    /// `nextOffset`, whose newest event time was `clock`.
    func restore(_ profiles: [RestoredProfile], nextOffset: UInt64, clock: Int64) {
        let previous = Column(repeating: Self.none, count: Int(nextOffset))
        let owners = Column(repeating: Self.none, count: Int(nextOffset))
        let profileHeads = Column<ProfileHeads>()
        aggregates.grow(to: profiles.count)
        var events = 0
        for (p, restored) in profiles.enumerated() {
            var heads = ProfileHeads()
            heads.lastSource = restored.lastSource
            for o in restored.events {
                owners[Int(o)] = UInt32(p)
                previous[Int(o)] = heads.newest
                heads.newest = UInt32(o)
                if heads.oldest == Self.none { heads.oldest = UInt32(o) }
            }
            profileHeads.append(heads)
            aggregates[p] = restored.aggregates
            events += restored.events.count
        }
        restore(nextOffset: nextOffset, appliedEvents: events, internalEvents: 0, logClock: clock,
                previousEvent: previous, eventProfile: owners, heads: profileHeads)
        resumeAsOf(clock: clock, checkpoint: nextOffset)
    }
}
