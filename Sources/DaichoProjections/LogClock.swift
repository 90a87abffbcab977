/// How far an event's own time may carry the log's clock beyond the append time of its frame
/// (docs/segments.md "Segment clock").
public enum LogClock {
    /// 5 minutes, µs: an event dated later than its frame's append time plus this advances the segment clock
    /// (and the profile projection's `logClock`) only to that bound, so one event dated 2099 cannot move time
    /// for every profile. A constant, not a setting: the log records the append times, so a replay with the same
    /// code reaches the same clock.
    public static let eventTimeTolerance: Int64 = 300_000_000

    /// The latest instant an event in a frame appended at `appendTime` may advance a clock to.
    @inlinable
    public static func limit(forFrameAppendedAt appendTime: Int64) -> Int64 {
        appendTime > Int64.max - eventTimeTolerance ? Int64.max : appendTime + eventTimeTolerance
    }
}
