import Daicho
import DaichoProjections

/// Builds the segment view of a data directory by replaying its log (profiles with it), for one-off queries
/// (`daicho segment list|members`, `profile`'s memberships) and as the start of a live worker.
public enum SegmentLoader {
    /// Replays the log of `dir` (events with `at <= asOf` when given) into a new segment projection, then
    /// advances the clock to `asOf`, or for the present view to the wall clock `now` (time-driven exits up to then).
    /// - Returns: the projection and the reader it was built with (to follow the log from there).
    public static func load(_ dir: DataDirectory, asOf: Int64? = nil, settings: ProjectionSettings? = nil,
                            now: Int64 = wallClockMicros(), trackingAfter cursor: UInt64? = nil) throws -> (SegmentProjection, EventReader) {
        guard dir.exists else { throw StoreError("no event log in \(dir.path) (run `daicho append` first, or pass --data)") }
        let settings = try settings ?? ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        let profiles = ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        let segments = SegmentProjection(profiles: profiles, history: try EventReader(dir))
        if let cursor {
            segments.trackChanges(true)
            segments.keepRecords(after: cursor)
        }
        try catchUp(segments, reader)
        if let asOf { segments.settleClock(at: asOf) } else { segments.advanceClock(to: now) }
        return (segments, reader)
    }

    /// Applies the log from the projection's offset to its durable end.
    public static func catchUp(_ segments: SegmentProjection, _ reader: EventReader, to end: UInt64? = nil) throws {
        var frame: FrameContext?
        try reader.forEach(from: segments.nextOffset, to: end, onFrame: { frame = $0 }, onBatch: { strings in
            segments.beginFrame(frame!, strings: strings)
        }) { offset, view in
            segments.apply(view, offset: offset)
            return true
        }
    }
}
