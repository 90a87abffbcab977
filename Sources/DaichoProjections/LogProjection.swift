import Daicho

/// A view derived from the log, kept current by a `ProjectionWorker` (docs/architecture.md "Projection workers").
/// The worker hands over whole frames: `beginFrame`, then `apply` for each of the frame's events in offset order,
/// then `takeChanges` once the frame is applied. Profiles (this issue) and segments (docs/segments.md) plug in
/// the same way; a projection that feeds another composes it rather than registering twice.
public protocol LogProjection: AnyObject {
    /// What subscribers are told after a frame (or a clock advance) changed the view.
    associatedtype Changes: Sendable

    /// The offset of the next event to apply: everything before it is in the view.
    var nextOffset: UInt64 { get }
    /// Called before a frame's events with the frame's description and the batch's strings.
    func beginFrame(_ frame: FrameContext, strings: StringTable)
    /// Applies the event at `offset` (offsets arrive in order, each once).
    /// - Throws: when the view cannot be kept right (e.g. a read of the log it needs failed); the view is then
    ///   unusable and must be rebuilt.
    func apply(_ e: EventView, offset: UInt64) throws
    /// Advances time-dependent state to the wall clock `micros` while the log is idle (no-op when nothing
    /// depends on time).
    func advanceClock(to micros: Int64)
    /// Starts or stops recording changes for `takeChanges` (off by default: replay pays nothing).
    func trackChanges(_ on: Bool)
    /// The changes since the last call, or nil when there were none (or tracking is off).
    func takeChanges() -> Changes?
}

extension LogProjection {
    /// Applies the log from `nextOffset` to its durable end (or `end`, exclusive), frame by frame. With
    /// `ReplayThreads.count` 2 a reader thread reads, decompresses and decodes the frames ahead
    /// (`EventReader.forEachFrameAhead`); the events are applied on the calling thread either way.
    public func applyLog(_ reader: EventReader, to end: UInt64? = nil) throws {
        guard ReplayThreads.count > 1 else {
            try reader.forEach(from: nextOffset, to: end, onFrame: { beginFrame($0, strings: $1) }) { offset, view in
                try apply(view, offset: offset)
                return true
            }
            return
        }
        try reader.forEachFrameAhead(from: nextOffset, to: end) { frame in
            beginFrame(frame.context, strings: frame.strings)
            for i in frame.records { try apply(frame.view(i), offset: frame.offset(of: i)) }
            return true
        }
    }
}
