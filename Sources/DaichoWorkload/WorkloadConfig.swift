/// What to generate: how many lines, how many customers, the seed and the noise rates.
///
/// The same configuration always produces byte-identical output.
public struct WorkloadConfig: Sendable, Hashable {
    /// Number of NDJSON lines to produce, re-sent duplicates and bad lines included.
    public var events: Int
    /// Number of distinct customers the events are spread over (heavy-tailed activity). At most 10⁸.
    public var customers: Int
    /// Seed of the pseudo-random generator.
    public var seed: UInt64
    /// Share of lines that are exact re-sends of an earlier line (same id, same bytes).
    public var duplicateRate: Double
    /// Share of events whose time lies hours or days behind the generator's clock.
    public var lateRate: Double
    /// Share of lines that the ingest must reject: broken JSON, unknown type, missing ids, bad time.
    public var badLineRate: Double
    /// The most customers a workload holds: user ids are 8 digits, and the generator keeps a counter per customer.
    public static let maximumCustomers = 100_000_000

    /// Clock start in microseconds since the Unix epoch; the events then spread over one year (``span``).
    public var start: Int64

    /// 2025-06-01T00:00:00+09:00 in microseconds since the Unix epoch: the default year of data ends on
    /// 2026-06-01, in the past, so ingest's future-skew check (docs/ingest.md "Time") never rejects it and a
    /// library workload gives the same ingest result whatever the day it runs.
    public static let defaultStart: Int64 = 1_748_703_600_000_000

    /// The time the events spread over: 365 days, in microseconds.
    public static let span: Int64 = 365 * 86_400 * 1_000_000

    /// Every event time is before this instant: `start + span`.
    public var end: Int64 { start + Self.span }

    /// The `start` whose data ends at `end` (what `daicho generate --end` uses; the default end is now).
    public static func start(endingAt end: Int64) -> Int64 { end - span }

    /// Creates a configuration.
    /// - Parameters:
    ///   - events: Number of lines to produce (>= 0).
    ///   - customers: Number of customers (1...100_000_000).
    ///   - seed: Seed of the pseudo-random generator.
    ///   - duplicateRate: Share of re-sent duplicate lines, in [0, 1].
    ///   - lateRate: Share of late events, in [0, 1].
    ///   - badLineRate: Share of invalid lines, in [0, 1].
    ///   - start: Clock start in microseconds since the Unix epoch.
    public init(
        events: Int,
        customers: Int,
        seed: UInt64 = 42,
        duplicateRate: Double = 0.01,
        lateRate: Double = 0.02,
        badLineRate: Double = 0.0005,
        start: Int64 = WorkloadConfig.defaultStart
    ) {
        self.events = events
        self.customers = customers
        self.seed = seed
        self.duplicateRate = duplicateRate
        self.lateRate = lateRate
        self.badLineRate = badLineRate
        self.start = start
    }
}

/// Counts of what a generator has produced so far.
public struct WorkloadStats: Sendable, Hashable {
    /// Lines produced (every kind).
    public var lines: Int
    /// Bytes produced, newlines included.
    public var bytes: Int
    /// Lines that are exact re-sends of an earlier line.
    public var duplicates: Int
    /// Valid events whose time lies behind every earlier non-late event.
    public var late: Int
    /// Lines the ingest must reject.
    public var bad: Int

    /// Creates stats with the given counts (all zero by default).
    public init(lines: Int = 0, bytes: Int = 0, duplicates: Int = 0, late: Int = 0, bad: Int = 0) {
        self.lines = lines
        self.bytes = bytes
        self.duplicates = duplicates
        self.late = late
        self.bad = bad
    }
}
