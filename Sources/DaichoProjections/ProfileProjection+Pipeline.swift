import Daicho
import Foundation

// Replay on two threads (docs/architecture.md "Replay on two threads"). The reader thread reads, decompresses
// and decodes each frame and resolves its events' identity (`resolveIdentity`: the identity graph is touched by
// that thread only); the calling thread applies everything else (`applyResolved`: aggregates, timeline index,
// symbols) in offset order, a few frames behind. Each half sees the events in the same order as the
// single-threaded `apply`, so the result is the same, byte for byte (tests compare the two).

/// How many threads a replay uses: 2 (the default) — a reader thread decodes frames and, for the profile
/// projection, resolves identity ahead of the thread that applies them; 1 — one thread does everything, the
/// single-threaded reference. Set with the environment variable `DAICHO_REPLAY_THREADS` (1 or 2).
public enum ReplayThreads {
    /// The thread count in use.
    public static let count: Int = ProcessInfo.processInfo.environment["DAICHO_REPLAY_THREADS"] == "1" ? 1 : 2
}

/// What the reader thread resolved for the events of one frame, handed to the applying thread with the frame (one
/// thread at a time owns it, so its fields skip dynamic exclusivity checks).
final class ResolvedFrame {
    /// How many of the frame's delivered records were resolved (all, unless resolving stopped at a segment
    /// definition in this frame or before it).
    @exclusivity(unchecked) var resolved = 0
    /// Per resolved record, in order: its profile (`IdentityGraph.unattributed` when none) and whether it linked
    /// new identifier nodes.
    @exclusivity(unchecked) var profiles: [UInt32] = []
    @exclusivity(unchecked) var linkedNew: [Bool] = []
    /// The rare records whose merges absorbed profiles, in record order.
    @exclusivity(unchecked) var merges: [(index: Int, absorbed: [UInt32])] = []

    func reset() {
        resolved = 0
        profiles.removeAll(keepingCapacity: true)
        linkedNew.removeAll(keepingCapacity: true)
        merges.removeAll(keepingCapacity: true)
    }
}

extension ProfileProjection {
    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive) with identity resolved on the
    /// reader thread; the same result as `applyLog`.
    func applyLogResolvingAhead(_ reader: EventReader, to end: UInt64?) throws {
        try applyLogResolvingAhead(reader, to: end, stoppingAtSegmentEvents: false,
                                   beginFrame: { beginFrame($0, strings: $1) }) { _, _, applyProfiles in applyProfiles() }
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
            let r = resolved[frame.slot]
            r.reset()
            for i in frame.records {
                let e = frame.view(i)
                if stoppingAtSegmentEvents && (e.type == .segmentDefined || e.type == .segmentDropped) { stopped = true }
                if stopped { break }
                let identity = resolveIdentity(e, offset: frame.offset(of: i))
                r.profiles.append(identity.profile)
                r.linkedNew.append(identity.linkedNew)
                if !identity.absorbed.isEmpty { r.merges.append((i, identity.absorbed)) }
                r.resolved += 1
            }
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
                var absorbed: [UInt32] = []
                if merge < r.merges.count && r.merges[merge].index == i {
                    absorbed = r.merges[merge].absorbed
                    merge += 1
                }
                try apply(e, offset) {
                    applyResolved(e, offset: offset, profile: r.profiles[k], linkedNew: r.linkedNew[k], absorbed: absorbed)
                }
            }
            return true
        }
    }
}
