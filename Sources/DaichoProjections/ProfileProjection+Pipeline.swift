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

/// What the reader thread resolved for the events of one frame, handed to the applying thread with the frame.
final class ResolvedFrame {
    /// Per delivered record, in order: its profile (`IdentityGraph.unattributed` when none) and whether it linked
    /// new identifier nodes.
    var profiles: [UInt32] = []
    var linkedNew: [Bool] = []
    /// The rare records whose merges absorbed profiles, in record order.
    var merges: [(index: Int, absorbed: [UInt32])] = []

    func reset() {
        profiles.removeAll(keepingCapacity: true)
        linkedNew.removeAll(keepingCapacity: true)
        merges.removeAll(keepingCapacity: true)
    }
}

extension ProfileProjection {
    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive) with identity resolved on the
    /// reader thread; the same result as `applyLog`.
    func applyLogResolvingAhead(_ reader: EventReader, to end: UInt64?) throws {
        let resolved = (0..<EventReader.framesAhead).map { _ in ResolvedFrame() }
        try reader.forEachFrameAhead(from: nextOffset, to: end, ahead: { [unowned self] frame in
            let r = resolved[frame.slot]
            r.reset()
            for i in frame.records {
                let identity = resolveIdentity(frame.view(i), offset: frame.offset(of: i))
                r.profiles.append(identity.profile)
                r.linkedNew.append(identity.linkedNew)
                if !identity.absorbed.isEmpty { r.merges.append((i, identity.absorbed)) }
            }
        }) { frame in
            let r = resolved[frame.slot]
            beginFrame(frame.context, strings: frame.strings)
            var merge = 0
            for (k, i) in frame.records.enumerated() {
                var absorbed: [UInt32] = []
                if merge < r.merges.count && r.merges[merge].index == i {
                    absorbed = r.merges[merge].absorbed
                    merge += 1
                }
                applyResolved(frame.view(i), offset: frame.offset(of: i), profile: r.profiles[k],
                              linkedNew: r.linkedNew[k], absorbed: absorbed)
            }
            return true
        }
    }
}
