import Daicho
import DaichoJSON

/// The profiles of a data directory kept current in memory: loads the newest snapshot (or replays), then a
/// `ProjectionWorker` follows the log as events become durable — appended through this process's `EventStore`
/// or by another process. The library's entry point for lookups and profile-change subscriptions:
///
/// ```swift
/// let profiles = try LiveProfiles.open(DataDirectory("daicho-data"))
/// profiles.subscribe { changes in print(changes.changed) }
/// let json = profiles.profile(.email, "taro@example.jp")
/// profiles.close()
/// ```
public final class LiveProfiles: LiveView {
    /// The data directory followed.
    public let directory: DataDirectory
    /// Why the snapshot was not used (the views were rebuilt by replay), when that happened.
    public let notice: String?
    public let worker: ProjectionWorker<ProfileProjection>

    private init(directory: DataDirectory, notice: String?, worker: ProjectionWorker<ProfileProjection>) {
        self.directory = directory
        self.notice = notice
        self.worker = worker
    }

    /// Loads the profiles of `directory` and starts following its log.
    /// - Parameters:
    ///   - snapshotEvery: write a snapshot after this many new events (at a frame boundary); 0 never.
    /// - Throws: `StoreError` when there is no log or a settings file is invalid.
    public static func open(_ directory: DataDirectory, snapshotEvery: Int = 1_000_000,
                            options: ProjectionWorker<ProfileProjection>.Options = .init()) throws -> LiveProfiles {
        guard directory.exists else { throw StoreError.noLog(in: directory.path) }
        let settings = try ProjectionSettings.load(directory)
        let (projection, reader, notice) = try ProjectionLoader.load(directory, settings: settings, asOf: nil)
        var options = options
        options.checkpointEvery = snapshotEvery > 0 ? snapshotEvery : Int.max
        let worker = ProjectionWorker(projection: projection, reader: reader, options: options) { projection in
            try ProjectionLoader.writeSnapshot(projection, settings: settings, directory: directory)
        }
        worker.start()
        return LiveProfiles(directory: directory, notice: notice, worker: worker)
    }

    /// The profile (docs/profile.md) of an identifier given as producers write it (normalized as ingest does).
    /// - Parameter now: the as-of instant for `age_days` and recency (µs since the epoch); default the wall clock.
    public func profile(_ kind: IdentifierKind, _ value: String, now: Int64? = nil) -> JSONValue? {
        worker.read { projection in
            projection.profile(kind: kind, raw: value).map { projection.json(of: $0, now: now ?? wallClockMicros()) }
        }
    }

    /// The profile with this id (absorbed ids resolve to the survivor).
    public func profile(id: String, now: Int64? = nil) -> JSONValue? {
        worker.read { projection in
            projection.graph.profile(id: id).map { projection.json(of: $0, now: now ?? wallClockMicros()) }
        }
    }

    /// Stops following the log and writes a snapshot of the view, so the next open starts from here (unless
    /// the log defines segments: see `ProjectionLoader.writeSnapshot`).
    public func close() throws {
        worker.stop()
        let settings = try ProjectionSettings.load(directory)
        try worker.read { try ProjectionLoader.writeSnapshot($0, settings: settings, directory: directory) }
    }
}
