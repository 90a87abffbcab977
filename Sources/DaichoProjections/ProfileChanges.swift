import Daicho

/// The profiles one frame of events (or several, when the worker catches up) changed: what a subscriber to
/// profile changes receives (`ProjectionWorker.subscribe`).
public struct ProfileChanges: Sendable, Equatable {
    /// The offsets applied: `lowerBound` is the first event, `upperBound` the next offset to come.
    public var offsets: Range<UInt64>
    /// The profile ids whose view changed, each once, in the order they first changed; ids are the living ids
    /// after the frame (a profile that was absorbed appears under its survivor).
    public var changed: [String]
    /// Merges in these events: the absorbed profile id (which keeps resolving) and the id that absorbed it.
    public var merged: [Merge]

    /// One merge: `absorbed` now resolves to `into`.
    public struct Merge: Sendable, Equatable {
        public var absorbed: String
        public var into: String
    }
}

/// Records which profiles the events since the last `take` touched (profile numbers; ids are made on `take`).
final class ProfileChangeLog {
    private var first: UInt64?
    private var touched: [UInt32] = []
    private var merges: [(absorbed: UInt32, into: UInt32)] = []

    @inline(__always)
    func record(offset: UInt64, profile: UInt32, absorbed: UnsafeBufferPointer<UInt32>) {
        if first == nil { first = offset }
        if touched.last != profile { touched.append(profile) }
        for a in absorbed { merges.append((a, profile)) }
    }

    func take(through end: UInt64, graph: IdentityGraph) -> ProfileChanges? {
        guard let start = first else { return nil }
        var seen = Set<UInt32>()
        var changed: [String] = []
        for p in touched {
            let living = graph.living(p)
            if seen.insert(living).inserted { changed.append(graph.id(of: living)) }
        }
        let merged = merges.map { ProfileChanges.Merge(absorbed: graph.id(of: $0.absorbed), into: graph.id(of: graph.living($0.into))) }
        first = nil
        touched.removeAll(keepingCapacity: true)
        merges.removeAll(keepingCapacity: true)
        return ProfileChanges(offsets: start..<end, changed: changed, merged: merged)
    }
}

extension ProfileProjection: LogProjection {
    /// Profiles do not depend on the wall clock (age and recency are computed when a profile is read).
    public func advanceClock(to micros: Int64) {}

    public func trackChanges(_ on: Bool) {
        if on, changeLog == nil { changeLog = ProfileChangeLog() }
        if !on { changeLog = nil }
    }

    public func takeChanges() -> ProfileChanges? { changeLog?.take(through: nextOffset, graph: graph) }
}
