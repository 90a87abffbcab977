/// When `daicho append` rewrites the snapshot (docs/profile.md "When append writes the snapshot"). A rewrite costs
/// in proportion to the snapshot (every profile is serialized, compressed and written again); leaving it behind
/// costs every later query the catch-up of the events it lacks. So a small append to a large log leaves the
/// snapshot where it is, and the lag it leaves is bounded: the events behind count across appends.
public enum SnapshotPolicy {
    /// How many of the events a snapshot holds one lagging event stands for: a snapshot is rewritten once it lacks
    /// a sixteenth of what it holds, so rewriting a small one (a new data directory: none at all) never waits.
    public static let holdingPerLaggingEvent: UInt64 = 16

    /// Whether a snapshot holding `holding` events (its offset; 0 when there is none usable) and lacking the
    /// `behind` events after it is rewritten: when it lacks any and at least `config.snapshotMinEvents` of them or
    /// a sixteenth of `holding`.
    public static func rewrites(behind: UInt64, holding: UInt64, config: ProfileConfig) -> Bool {
        behind > 0 && (behind >= UInt64(max(0, config.snapshotMinEvents))
                       || behind >= holding / holdingPerLaggingEvent)
    }
}
