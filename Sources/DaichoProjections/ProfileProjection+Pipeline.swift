import Daicho
import Foundation

// Replay on two threads (docs/architecture.md "Replay on two threads"). The reader thread reads, decompresses
// and decodes each frame, resolves its events' identity (`resolveIdentity`: the identity graph is touched by
// that thread only) and reads the props the aggregates use (`AggregateProps.read`: pure reads of the frame); the
// calling thread applies everything else (`applyResolved`: aggregates, timeline index, symbols) in offset order,
// a few frames behind. Each half sees the events in the same order as the single-threaded `apply`, so the result
// is the same, byte for byte (tests compare the two).

/// How many threads a replay uses: 2 (the default) — a reader thread decodes frames and, for the profile
/// projection, resolves identity ahead of the thread that applies them; 1 — one thread does everything, the
/// single-threaded reference. Set with the environment variable `DAICHO_REPLAY_THREADS` (1 or 2).
public enum ReplayThreads {
    /// The thread count in use.
    public static let count: Int = ProcessInfo.processInfo.environment["DAICHO_REPLAY_THREADS"] == "1" ? 1 : 2
}

/// What the reader thread resolved for the events of one frame, handed to the applying thread with the frame (one
/// thread at a time owns it, so its fields skip dynamic exclusivity checks). Columns, refilled per frame: after the
/// first frames nothing is allocated, and reading them retains nothing per event.
final class ResolvedFrame {
    /// How many of the frame's delivered records were resolved (all, unless resolving stopped at a segment
    /// definition in this frame or before it).
    @exclusivity(unchecked) var resolved = 0
    /// Per resolved record, in order: its profile (`IdentityGraph.unattributed` when none), whether it linked
    /// new identifier nodes, its dashboard identity figures, and the props its aggregates read (`.none` when unattributed).
    let profiles = Column<UInt32>()
    let linkedNew = Column<Bool>()
    let figures = Column<IdentityFigures>()
    let props = Column<AggregateProps>()
    /// The rare records whose merges absorbed profiles, in record order: the record and its range of `absorbed`.
    @exclusivity(unchecked) var merges: [(index: Int, absorbed: Range<Int>)] = []
    let absorbed = Column<UInt32>()

    func reset() {
        resolved = 0
        profiles.removeAll()
        linkedNew.removeAll()
        figures.removeAll()
        props.removeAll()
        merges.removeAll(keepingCapacity: true)
        absorbed.removeAll()
    }

    /// Resolves the frame's delivered records for `projection` and reads their props, stopping before the first
    /// segment definition or drop when `stoppingAtSegmentEvents` (`stopped` then stays set for the frames after).
    func resolve(_ frame: DecodedFrame, for projection: ProfileProjection, stoppingAtSegmentEvents: Bool, stopped: inout Bool) {
        reset()
        let config = projection.config
        for i in frame.records {
            let e = frame.view(i)
            if stoppingAtSegmentEvents && (e.type == .segmentDefined || e.type == .segmentDropped) { stopped = true }
            if stopped { break }
            // Only while this thread owns the graph: once stopped, the applying thread resolves and writes it.
            projection.prefetchIdentity(frame, after: i)
            let identity = projection.resolveIdentity(e, offset: frame.offset(of: i), batch: frame.context.baseOffset)
            profiles.append(identity.profile)
            linkedNew.append(identity.linkedNew)
            figures.append(identity.figures)
            props.append(identity.profile == IdentityGraph.unattributed ? .none : AggregateProps.read(e, config: config))
            if !identity.absorbed.isEmpty {
                let start = absorbed.count
                identity.absorbed.withUnsafeBufferPointer { absorbed.append(contentsOf: $0) }
                merges.append((i, start..<absorbed.count))
            }
            resolved += 1
        }
    }

    /// The profiles frame record `i` absorbed (empty almost always); `merge` is the caller's position in
    /// `merges`, moved past the record when it had any.
    @inline(__always)
    func absorbed(record i: Int, merge: inout Int) -> UnsafeBufferPointer<UInt32> {
        guard merge < merges.count && merges[merge].index == i else { return UnsafeBufferPointer(start: nil, count: 0) }
        let range = merges[merge].absorbed
        merge += 1
        return UnsafeBufferPointer(rebasing: absorbed.buffer[range])
    }
}

extension ProfileProjection {
    /// How many events ahead the apply loop asks for a profile's aggregates; their sections are asked for at half
    /// the distance, once the aggregates (which hold the sections' references) have arrived.
    static let prefetchDistance = 8

    /// Hints the CPU to fetch what applying the resolved records after `k` will touch: profiles are scattered
    /// over memory, so at a million profiles each event's aggregates, timeline head and section are cache misses
    /// that the loop would otherwise wait for one after another (docs/benchmarks.md "Prefetching profiles").
    @inline(__always)
    func prefetch(_ r: ResolvedFrame, ahead k: Int) {
        let far = k + Self.prefetchDistance, near = k + Self.prefetchDistance / 2
        if far < r.resolved {
            let p = Int(r.profiles[far])
            aggregates.prefetch(p)
            heads.prefetch(p)
        }
        if near < r.resolved { aggregates.prefetchSection(Int(r.profiles[near]), for: r.props[near]) }
    }

    /// Hints the CPU to fetch the identity state that resolving the frame's records a little after record `i`
    /// will touch, in two stages (`IdentityGraph.prefetchSlots`, then `prefetchNodes` for a nearer record).
    @inline(__always)
    func prefetchIdentity(_ frame: DecodedFrame, after i: Int) {
        let end = frame.records.upperBound, batch = frame.context.baseOffset
        let far = i + Self.prefetchDistance, near = i + Self.prefetchDistance / 2
        if far < end {
            let ahead = frame.view(far)
            graph.prefetchSlots(ahead.identifiers, strings: ahead.strings, batch: batch)
        }
        if near < end { graph.prefetchNodes(frame.view(near).identifiers, batch: batch) }
    }

    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive) with identity and props resolved
    /// on the reader thread; the same result as `applyLog`. Each frame is applied in one loop over its resolved
    /// columns, with no call through a closure per event.
    func applyLogResolvingAhead(_ reader: EventReader, to end: UInt64?) throws {
        let resolved = (0..<EventReader.framesAhead).map { _ in ResolvedFrame() }
        var stopped = false // the reader thread's own; never set here
        try reader.forEachFrameAhead(from: nextOffset, to: end, ahead: { [unowned self] frame in
            resolved[frame.slot].resolve(frame, for: self, stoppingAtSegmentEvents: false, stopped: &stopped)
        }) { frame in
            let r = resolved[frame.slot]
            beginFrame(frame.context, strings: frame.strings)
            var merge = 0
            var k = 0
            for i in frame.records {
                prefetch(r, ahead: k)
                applyResolved(frame.view(i), offset: frame.offset(of: i), profile: r.profiles[k], linkedNew: r.linkedNew[k],
                              figures: r.figures[k],
                              absorbed: r.absorbed(record: i, merge: &merge), props: r.props[k])
                k += 1
            }
            return true
        }
    }

    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive) with identity resolved on the
    /// reader thread, for a view composed over the profiles (segments): `apply` is called with each event, its
    /// offset and a closure that applies it to the profiles (with the identity resolved ahead, or whole).
    /// - Parameters:
    ///   - stoppingAtSegmentEvents: resolve ahead only up to the first segment definition or drop; from that
    ///     event on every event is applied whole on the calling thread (a view whose segments read the identity
    ///     graph must see it exactly as of the event it applies). Pass true only when no segment exists yet.
    ///   - beginFrame: called with each frame before its events.
    public func applyLogResolvingAhead(_ reader: EventReader, to end: UInt64?, stoppingAtSegmentEvents: Bool,
                                       beginFrame: (FrameContext, StringTable) -> Void,
                                       apply: (EventView, UInt64, _ applyProfiles: () -> Void) throws -> Void) throws {
        let resolved = (0..<EventReader.framesAhead).map { _ in ResolvedFrame() }
        var stopped = false // the reader thread's own
        try reader.forEachFrameAhead(from: nextOffset, to: end, ahead: { [unowned self] frame in
            resolved[frame.slot].resolve(frame, for: self, stoppingAtSegmentEvents: stoppingAtSegmentEvents, stopped: &stopped)
        }) { frame in
            let r = resolved[frame.slot]
            beginFrame(frame.context, frame.strings)
            var merge = 0
            for (k, i) in frame.records.enumerated() {
                let e = frame.view(i), offset = frame.offset(of: i)
                guard k < r.resolved else {
                    try apply(e, offset) { self.apply(e, offset: offset) }
                    continue
                }
                prefetch(r, ahead: k)
                let absorbed = r.absorbed(record: i, merge: &merge)
                try apply(e, offset) {
                    applyResolved(e, offset: offset, profile: r.profiles[k], linkedNew: r.linkedNew[k],
                                  figures: r.figures[k], absorbed: absorbed,
                                  props: r.props[k])
                }
            }
            return true
        }
    }
}
