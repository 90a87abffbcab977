import Daicho
import DaichoProjections
import Foundation

/// Brings the snapshot of a data directory up to date beside an ingest in this process, so the snapshot refresh
/// does not start only when the ingest ends (docs/profile.md "When append writes the snapshot"). A thread restores
/// the view from the snapshot while the ingest runs, then applies each frame once it is durable; when the ingest
/// ends, `finish` applies the frames left and writes the snapshot, if the policy (`SnapshotPolicy`) asks for one.
///
/// The frames are read back from the log rather than taken from the appender: the view then runs exactly the
/// catch-up a query or `replay` runs (the same reader, decoder and two-thread apply), so the snapshot is the one a
/// replay writes, byte for byte, and it reflects only durable frames. The cost of reading back is a decode
/// (≈ 5M events/s, docs/benchmarks.md "read + decode"), small beside the apply.
public final class SnapshotFollower: @unchecked Sendable {
    /// What `finish` did.
    public enum Outcome: String, Sendable {
        /// The snapshot now reflects the whole log.
        case written
        /// The snapshot lacks too few events for a rewrite (`SnapshotPolicy`); queries catch up from it.
        case deferred
    }

    private let directory: DataDirectory
    private let settings: ProjectionSettings
    private let stopFlag = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)
    // Written by the thread only, read by `finish` after `finished` was signalled.
    private var view: (segments: SegmentProjection, reader: EventReader, holding: UInt64)?
    /// The reader and the snapshot's offset from its header, when the view was never restored.
    private var pendingReader: EventReader?
    private var pendingHolds: UInt64 = 0
    private var failure: (any Error)?

    /// Starts following the log of `directory` (which must exist: the writer has opened it).
    public init(_ directory: DataDirectory, settings: ProjectionSettings) {
        self.directory = directory
        self.settings = settings
        let thread = Thread { [self] in
            defer { finished.signal() }
            do { try follow() } catch { failure = error }
        }
        thread.name = "daicho-snapshot-follower"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private var shouldStop: Bool { stopFlag.withLock { stopRequested } }

    /// The most events applied between two looks at the stop flag.
    static let stepEvents: UInt64 = 65_536

    /// Restores the view and applies the log as it becomes durable — but only once the events appended are enough
    /// for a rewrite: a small append to a large log neither restores the snapshot nor applies anything.
    private func follow() throws {
        let reader = try EventReader(directory)
        // What the snapshot holds, from its header alone (0: none usable, so any append rewrites it).
        let holds = ProjectionSnapshot.offset(directory: directory.snapshotsPath, settingsHash: settings.hash,
                                              proving: reader) ?? 0
        while !shouldStop {
            let end = reader.endOffset
            if view == nil, holds == 0 || SnapshotPolicy.rewrites(behind: end - min(end, holds), holding: holds,
                                                                   config: settings.profile) {
                view = try restore(reader)
            }
            if let (segments, _, holding) = view, end > segments.nextOffset,
               SnapshotPolicy.rewrites(behind: end - holding, holding: holding, config: settings.profile) {
                // In steps, so an append that ends with nothing appended (`cancel`) does not wait for a whole
                // log without a snapshot to be applied; `finish` applies whatever is left.
                try segments.catchUp(reader, to: min(end, segments.nextOffset + Self.stepEvents))
                continue
            }
            // Wakes when the writer publishes a frame (GrowthNotifier) or after the timeout, to look at the stop flag.
            _ = try reader.waitForEvents(beyond: end, timeout: .milliseconds(10))
        }
        pendingReader = reader
        pendingHolds = holds
    }

    /// The view from the snapshot (a new one when none is usable), the reader it follows and the offset it holds.
    private func restore(_ reader: EventReader) throws -> (segments: SegmentProjection, reader: EventReader, holding: UInt64) {
        let (restored, _) = try SegmentLoader.fromSnapshot(directory, settings: settings, reader: reader, cursor: nil)
        let segments = try restored
            ?? SegmentProjection(profiles: ProfileProjection(rules: settings.rules, config: settings.profile, asOf: nil),
                                 history: EventReader(directory))
        return (segments, reader, segments.nextOffset)
    }

    /// Stops following once the ingest has ended (the writer closed: every frame is durable), applies what is
    /// left and writes the snapshot when the policy asks for one.
    /// - Throws: what restoring, applying or writing threw (the log is untouched; the next query catches up).
    public func finish() throws -> Outcome {
        stopFlag.withLock { stopRequested = true }
        finished.wait()
        if let failure { throw failure }
        if view == nil {
            guard let reader = pendingReader else { preconditionFailure("the follower ended without a reader or an error") }
            try reader.refresh()
            guard SnapshotPolicy.rewrites(behind: reader.endOffset - min(reader.endOffset, pendingHolds), holding: pendingHolds,
                                          config: settings.profile) else {
                return .deferred
            }
            view = try restore(reader)
        }
        guard let view else { preconditionFailure("the follower ended without a view or an error") }
        try view.reader.refresh()
        guard SnapshotPolicy.rewrites(behind: view.reader.endOffset - view.holding, holding: view.holding,
                                      config: settings.profile) else {
            return .deferred
        }
        try view.segments.catchUp(view.reader)
        try SegmentLoader.writeSnapshot(view.segments, settings: settings, directory: directory)
        return .written
    }

    /// Stops following and drops the view (the ingest failed); waits for the thread so none outlives the append.
    public func cancel() {
        stopFlag.withLock { stopRequested = true }
        finished.wait()
    }
}
