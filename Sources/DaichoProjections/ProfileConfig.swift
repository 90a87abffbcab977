import Daicho
import DaichoLog
import Foundation

/// Settings of the profile aggregates (`DIR/daicho.json`; docs/profile.md).
public struct ProfileConfig: Sendable {
    /// The longest pause between page views of one session, µs (default 30 minutes).
    public var sessionGapMicros: Int64
    /// The zone whose calendar days RFM counts (default UTC).
    public var businessTimeZone: TimeZone {
        didSet { calendar = BusinessCalendar(timeZone: businessTimeZone) }
    }
    /// The currency of the RFM fields; purchases in other currencies count only in `orders` and `revenue`.
    public var rfmCurrency: String {
        didSet { rfmCurrencyRef = Self.staticRef(rfmCurrency) }
    }
    /// How far ahead of its arrival an event's `at` may lie before ingest rejects it, µs (default 24 h;
    /// `max_future_skew`, docs/ingest.md "Time"). Read here because it lives in the same `daicho.json`.
    public var maxFutureSkewMicros: Int64 = ProfileConfig.defaultMaxFutureSkewMicros
    /// 24 hours.
    public static let defaultMaxFutureSkewMicros = IngestOptions.defaultMaxFutureSkewMicros
    /// The zstd level of the frames `append` and `serve` write (`compression_level`, docs/log-format.md §3).
    /// Read here because it lives in the same `daicho.json`; it changes only frames written afterwards.
    public var compressionLevel: Int32 = FrameCompressor.defaultLevel
    /// The longest `session_gap_minutes`: one year, so session arithmetic on µs times never overflows.
    public static let maxSessionGapMinutes = 525_600.0
    /// How many paths `top_paths` lists (default 10).
    public var topPaths: Int
    /// Distinct paths counted exactly per profile; beyond this, Space-Saving estimates (default 64).
    public var trackedPaths: Int
    /// Take an as-of checkpoint when a snapshot is written at least this many events past the nearest one (and
    /// past a `checkpointsKept`-th of the log); 0 takes none (`checkpoint_every`, docs/profile.md "Checkpoints").
    public var checkpointEvery: Int = ProfileConfig.defaultCheckpointEvery
    /// The most checkpoints kept (`checkpoints_kept`); older ones are thinned where they stand closest together.
    public var checkpointsKept: Int = ProfileConfig.defaultCheckpointsKept
    /// 100,000 events.
    public static let defaultCheckpointEvery = 100_000
    /// 8 checkpoints.
    public static let defaultCheckpointsKept = 8
    /// `append` rewrites the snapshot once it would otherwise lack at least this many events (or a sixteenth of
    /// the events it holds); 0 rewrites it after every append (`snapshot_min_events`, docs/profile.md "When append
    /// writes the snapshot").
    public var snapshotMinEvents: Int = ProfileConfig.defaultSnapshotMinEvents
    /// 10,000 events.
    public static let defaultSnapshotMinEvents = 10_000
    /// The largest `checkpoints_kept` accepted.
    public static let maxCheckpointsKept = 1_000
    /// Day boundaries of `businessTimeZone`, precomputed.
    public private(set) var calendar: BusinessCalendar
    /// The static-table ref of `rfmCurrency`, or 0 when it is not a static string (batch refs of static strings
    /// are always their static refs, so a purchase's currency ref is compared without reading bytes).
    private(set) var rfmCurrencyRef: UInt32

    /// - Parameters:
    ///   - sessionGapMicros: Longest pause inside a session, µs.
    ///   - businessTimeZone: Zone of the calendar days used by RFM.
    ///   - rfmCurrency: Currency code of the RFM fields.
    ///   - topPaths: Number of paths in `top_paths`.
    ///   - trackedPaths: Paths tracked per profile (1...65535).
    public init(sessionGapMicros: Int64 = 30 * 60 * 1_000_000, businessTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
                rfmCurrency: String = "JPY", topPaths: Int = 10, trackedPaths: Int = 64) {
        self.sessionGapMicros = sessionGapMicros
        self.businessTimeZone = businessTimeZone
        self.rfmCurrency = rfmCurrency
        self.topPaths = topPaths
        self.trackedPaths = trackedPaths
        calendar = BusinessCalendar(timeZone: businessTimeZone)
        rfmCurrencyRef = Self.staticRef(rfmCurrency)
    }

    private static func staticRef(_ s: String) -> UInt32 {
        StaticStrings.table.firstIndex(of: s).map { UInt32($0) } ?? 0
    }
}
