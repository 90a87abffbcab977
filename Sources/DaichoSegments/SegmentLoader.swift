import Daicho
import DaichoProjections

/// Builds the segment view of a data directory (profiles with it) for one-off queries (`daicho segment
/// list|members`, `profile`'s memberships) and as the start of a live worker: the newest snapshot with its
/// segment state plus the log's tail, or a replay from offset 0 when there is no usable snapshot.
public enum SegmentLoader {
    /// Loads the view of `dir` (events with `at <= asOf` when given: always a replay), then advances the clock to
    /// `asOf`, or for the present view to the wall clock `now` (time-driven exits up to then).
    /// - Parameters:
    ///   - trackingAfter: keep the feed records after this cursor for `takeChanges` (a snapshot that is already
    ///     past the cursor cannot give them back, so the view is then replayed from offset 0).
    /// - Returns: the projection and the reader it was built with (to follow the log from there).
    public static func load(_ dir: DataDirectory, asOf: Int64? = nil, settings: ProjectionSettings? = nil,
                            now: Int64? = wallClockMicros(), trackingAfter cursor: UInt64? = nil) throws -> (SegmentProjection, EventReader) {
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        let settings = try settings ?? ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        var notice: String?
        var restored: SegmentProjection?
        if asOf == nil { (restored, notice) = try fromSnapshot(dir, settings: settings, reader: reader, cursor: cursor) }
        let segments = try restored
            ?? SegmentProjection(profiles: ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf),
                                 history: EventReader(dir))
        segments.notice = notice
        if let cursor {
            segments.trackChanges(true)
            segments.keepRecords(after: cursor)
        }
        try segments.catchUp(reader)
        if let asOf { segments.settleClock(at: asOf) } else if let now { segments.advanceClock(to: now) }
        return (segments, reader)
    }

    /// The view restored from `dir`'s snapshot, or nil when it has none usable for segments: no snapshot, a
    /// snapshot that does not prove it belongs to this log (ahead of it, or built from a log cut or replaced
    /// since), one written without the segment state of a log that defines segments, one already past `cursor`,
    /// or one that cannot be read; with a notice saying why when that is not routine.
    /// - Throws: `StoreError` when the log cannot be opened for the history reader.
    static func fromSnapshot(_ dir: DataDirectory, settings: ProjectionSettings, reader: EventReader,
                             cursor: UInt64?) throws -> (SegmentProjection?, notice: String?) {
        let profiles: ProfileProjection
        switch ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: settings.hash, rules: settings.rules,
                                       config: settings.profile, proving: reader) {
        case .ignored(let why):
            return (nil, why == "no snapshot" ? nil : "\(why); rebuilt by replay")
        case .loaded(let loaded):
            profiles = loaded
        }
        let segments: SegmentProjection
        if let state = profiles.dependentState {
            do {
                segments = try SegmentProjection(profiles: profiles, restoring: state, history: try EventReader(dir))
            } catch let error as SnapshotError {
                return (nil, "the snapshot's segment state does not restore (\(error)); rebuilt by replay")
            }
        } else if profiles.internalEvents == 0 {
            segments = SegmentProjection(profiles: profiles, history: try EventReader(dir))
        } else {
            return (nil, nil) // a profiles-only writer's snapshot (documented): segments need the replay
        }
        if let cursor, cursor < segments.feedCount { return (nil, nil) }
        return (segments, nil)
    }

    /// Writes the snapshot of the view: the profiles with the segment state beside them.
    public static func writeSnapshot(_ segments: SegmentProjection, settings: ProjectionSettings, directory: DataDirectory) throws {
        try ProjectionSnapshot.write(segments.profiles, settingsHash: settings.hash, directory: directory.snapshotsPath,
                                     log: directory, dependents: segments.encodeState())
    }

    /// Brings the snapshot of `dir` up to the log's end (profiles and segments), without advancing the clock to
    /// the wall clock: what `append` and `segment define` do before they return.
    /// - Returns: the view written (`segment define` reports the new segment's members from it).
    @discardableResult
    public static func refreshSnapshot(_ dir: DataDirectory) throws -> SegmentProjection {
        let settings = try ProjectionSettings.load(dir)
        let (segments, _) = try load(dir, settings: settings, now: nil)
        try writeSnapshot(segments, settings: settings, directory: dir)
        return segments
    }

    /// Rebuilds the view from offset 0 (up to `end`, exclusive).
    /// - Parameters:
    ///   - snapshotEvery: with `asOf` nil and `writeSnapshots`, write a snapshot after at most this many events, so a
    ///     long replay that is interrupted resumes from the last one; closer while the log is short enough for the
    ///     as-of checkpoint policy, and where frames end (docs/profile.md "Checkpoints").
    ///   - writeSnapshots: false for a view that must not replace the snapshot of the whole log (`daicho replay
    ///     --to-offset`); an `asOf` view never writes one.
    public static func replay(_ dir: DataDirectory, settings: ProjectionSettings, asOf: Int64?, to end: UInt64? = nil,
                              snapshotEvery: Int = 1_000_000, writeSnapshots: Bool = true,
                              progress: ((Int) -> Void)? = nil) throws -> SegmentProjection {
        let reader = try EventReader(dir)
        let segments = SegmentProjection(profiles: ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf),
                                         history: try EventReader(dir))
        let last = end ?? reader.endOffset
        let writes = asOf == nil && writeSnapshots
        var chunkEnd = UInt64(0)
        while chunkEnd < last {
            // Snapshots where frames end, spaced so each becomes an as-of checkpoint (docs/profile.md "Checkpoints").
            let step = writes ? Checkpoints.replayStep(to: last, snapshotEvery: snapshotEvery, config: settings.profile)
                : UInt64(max(1, snapshotEvery))
            chunkEnd = min(last, chunkEnd + step)
            if writes, chunkEnd < last, let frameEnd = reader.frameEnd(containing: chunkEnd - 1) { chunkEnd = min(last, frameEnd) }
            try segments.catchUp(reader, to: chunkEnd)
            progress?(Int(segments.nextOffset))
            if writes { try writeSnapshot(segments, settings: settings, directory: dir) }
        }
        return segments
    }
}
