import DaichoLog
import Synchronization

/// A controllable clock for the frames' append times, so a test writes a log whose history it chooses
/// (docs/segments.md "Segment clock": append times bound how far event times move the clock).
final class AppendClock: Sendable {
    private let now: Atomic<Int64>

    init(_ start: Int64) { now = Atomic(start) }

    /// Stamps the next frames with `micros`.
    func set(_ micros: Int64) { now.store(micros, ordering: .relaxed) }

    /// Writer options whose frames are stamped by this clock.
    var options: LogOptions {
        var options = LogOptions()
        options.appendClock = { [self] in now.load(ordering: .relaxed) }
        return options
    }
}
