import Daicho
import DaichoProjections

/// Segment memberships of a data directory kept current in memory: replays the log (profiles with it), then a
/// `ProjectionWorker` follows it, re-evaluating memberships as events become durable and as the wall clock
/// passes deadlines. The library's way to subscribe to membership changes in-process:
///
/// ```swift
/// let live = try LiveSegments.open(DataDirectory("daicho-data"))
/// live.subscribe { changes in for r in changes.records { print(r.segment, r.profile, r.change) } }
/// ```
public final class LiveSegments: LiveView {
    public let directory: DataDirectory
    public let worker: ProjectionWorker<SegmentProjection>

    private init(directory: DataDirectory, worker: ProjectionWorker<SegmentProjection>) {
        self.directory = directory
        self.worker = worker
    }

    /// Builds the view and starts following the log.
    /// - Parameters:
    ///   - cursor: feed records up to this cursor are not delivered (resume after a record; 0 delivers the
    ///     whole feed, `nil` only changes from now on).
    ///   - onChange: called on the worker's thread, in feed order: first with the records after `cursor` made
    ///     while catching up, then after each frame or clock advance that changed something.
    ///   - validate: called with the caught-up view before anything is delivered (e.g. to check the segment names
    ///     a caller asks for); what it throws ends `open`.
    ///   - snapshotEvery: write the snapshot (profiles and segment state) after at least this many new events, at
    ///     a frame boundary, so a restart after a crash catches up only the tail; 0 never (a reader such as
    ///     `watch`). A snapshot that cannot be written stops the worker (`error`).
    /// - Throws: `FeedCursorError` when `cursor` is beyond the feed (it never had that many records: a cursor
    ///   from another data directory, or a typo); the loader's errors; what `validate` throws.
    public static func open(_ directory: DataDirectory, after cursor: UInt64? = nil,
                            options: ProjectionWorker<SegmentProjection>.Options = .init(),
                            onChange: (@Sendable (SegmentChanges) -> Void)? = nil,
                            validate: ((SegmentProjection) throws -> Void)? = nil,
                            snapshotEvery: Int = 0) throws -> LiveSegments {
        let (segments, reader) = try SegmentLoader.load(directory, now: options.clock(), trackingAfter: cursor ?? .max)
        if let cursor, cursor > segments.feedCount { throw FeedCursorError(cursor: cursor, feedCount: segments.feedCount) }
        try validate?(segments)
        let backlog = segments.takeChanges()?.records ?? []
        if cursor == nil { segments.keepRecords(after: 0) }
        var options = options
        var checkpoint: ((SegmentProjection) throws -> Void)?
        if snapshotEvery > 0 {
            let settings = try ProjectionSettings.load(directory)
            options.checkpointEvery = snapshotEvery
            checkpoint = { try SegmentLoader.writeSnapshot($0, settings: settings, directory: directory) }
        }
        let worker = ProjectionWorker(projection: segments, reader: reader, options: options, checkpoint: checkpoint)
        let live = LiveSegments(directory: directory, worker: worker)
        if let onChange {
            if !backlog.isEmpty { onChange(SegmentChanges(profiles: nil, records: backlog)) }
            worker.subscribe(onChange)
        }
        worker.start()
        return live
    }

    /// Stops following the log.
    public func close() { worker.stop() }
}

/// A feed cursor beyond the end of the feed: the feed is a pure function of the log and only grows, so no
/// earlier run can have handed it out (docs/segments.md "Feed").
public struct FeedCursorError: Error, CustomStringConvertible, Sendable {
    public let cursor: UInt64
    /// Records in the feed now.
    public let feedCount: UInt64

    public var description: String {
        "cursor \(cursor) is beyond the end of the feed, which holds \(feedCount) record\(feedCount == 1 ? "" : "s"); pass a cursor an earlier watch printed, or 0 for the whole feed"
    }
}
