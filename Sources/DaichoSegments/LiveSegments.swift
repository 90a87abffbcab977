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
    public static func open(_ directory: DataDirectory, after cursor: UInt64? = nil,
                            options: ProjectionWorker<SegmentProjection>.Options = .init(),
                            onChange: (@Sendable (SegmentChanges) -> Void)? = nil) throws -> LiveSegments {
        let (segments, reader) = try SegmentLoader.load(directory, now: options.clock(), trackingAfter: cursor ?? .max)
        let backlog = segments.takeChanges()?.records ?? []
        if cursor == nil { segments.keepRecords(after: 0) }
        let worker = ProjectionWorker(projection: segments, reader: reader, options: options)
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
