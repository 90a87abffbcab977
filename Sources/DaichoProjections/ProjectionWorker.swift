import Daicho
import Foundation

/// Keeps a `LogProjection` current on a background thread: catches up from where the projection stands (its
/// snapshot's offset, or 0), then follows the live tail, applying each frame as soon as it is durable — also
/// frames appended by another process. Queries run under `read` and see the view between two frames, never
/// half a frame; the worker holds its lock for one frame at a time, so a query waits at most one frame's apply
/// time, and ingest never waits for the worker (it only reads the log). docs/architecture.md "Projection workers".
public final class ProjectionWorker<Projection: LogProjection>: @unchecked Sendable {
    /// How the worker follows the log.
    public struct Options: Sendable {
        /// How long one wait for new frames lasts before the worker advances the clock and checks for `stop`.
        public var poll: Duration = .milliseconds(50)
        /// Call `checkpoint` after at least this many events since the last one (at a frame boundary).
        public var checkpointEvery: Int = 1_000_000
        /// The wall clock, in µs since the epoch (tests pass a controllable one).
        public var clock: @Sendable () -> Int64 = { wallClockMicros() }

        public init() {}
    }

    /// A handle that ends a subscription when cancelled.
    public struct Subscription: Sendable, Hashable {
        let id: UInt64
    }

    private let projection: Projection
    private let reader: EventReader
    private let options: Options
    private let checkpoint: ((Projection) throws -> Void)?
    /// Guards the projection: the worker holds it while applying one frame, `read` while querying.
    private let viewLock = NSLock()
    /// Guards the fields below, and signals progress to `wait(until:)`.
    private let state = NSCondition()
    private var subscribers: [(Subscription, @Sendable (Projection.Changes) -> Void)] = []
    private var nextSubscription: UInt64 = 0
    private var applied: UInt64
    private var stopRequested = false
    private var running = false
    private var failure: (any Error)?
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - projection: the view to keep current, positioned at its checkpoint (`nextOffset`).
    ///   - reader: a reader of the log the projection was built from.
    ///   - checkpoint: called on the worker thread, with the view locked, every `options.checkpointEvery`
    ///     events (write a snapshot there).
    public init(projection: Projection, reader: EventReader, options: Options = Options(),
                checkpoint: ((Projection) throws -> Void)? = nil) {
        self.projection = projection
        self.reader = reader
        self.options = options
        self.checkpoint = checkpoint
        applied = projection.nextOffset
    }

    /// Starts the worker thread. Call once.
    public func start() {
        state.withLock {
            precondition(!running, "ProjectionWorker.start called twice")
            running = true
        }
        startBackgroundThread(name: "daicho-projection-worker") { [self] in
            do {
                try run()
            } catch {
                state.withLock { failure = error }
            }
            state.withLock {
                running = false
                state.broadcast()
            }
            finished.signal()
        }
    }

    /// Asks the worker to stop after the frame it is applying and waits until it has.
    public func stop() {
        let wasRunning = state.withLock {
            stopRequested = true
            return running
        }
        if wasRunning { finished.wait() }
    }

    /// The error that stopped the worker (a corrupt frame, a failed checkpoint), if any.
    public var error: (any Error)? { state.withLock { failure } }

    /// The offset after the last event applied and published to subscribers.
    public var appliedOffset: UInt64 { state.withLock { applied } }

    /// Runs `body` with the view locked: it sees whole frames only. Keep it short; the worker waits meanwhile.
    public func read<T>(_ body: (Projection) throws -> T) rethrows -> T {
        viewLock.lock()
        defer { viewLock.unlock() }
        return try body(projection)
    }

    /// Waits until every event before `offset` is in the view and subscribers have been told of it, the worker
    /// stopped, or `timeout` passed.
    /// - Returns: true when the view reached `offset`.
    public func wait(until offset: UInt64, timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        return state.withLock {
            while applied < offset, running || !stopRequested {
                if !state.wait(until: deadline) { break }
            }
            return applied >= offset
        }
    }

    /// Calls `handler` on the worker's thread with the changes of each frame once it is applied (and of each clock
    /// advance that changed something), in log order. Keep the handler short: the worker waits for it.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (Projection.Changes) -> Void) -> Subscription {
        let s = state.withLock {
            nextSubscription += 1
            let s = Subscription(id: nextSubscription)
            subscribers.append((s, handler))
            return s
        }
        read { $0.trackChanges(true) }
        return s
    }

    /// Ends a subscription; the handler is not called after this returns (unless it is running right now).
    public func cancel(_ subscription: Subscription) {
        let empty = state.withLock {
            subscribers.removeAll { $0.0 == subscription }
            return subscribers.isEmpty
        }
        if empty { read { $0.trackChanges(false) } }
    }

    // MARK: - The worker thread

    private struct Stop: Error {}

    private func run() throws {
        var sinceCheckpoint = 0
        while !state.withLock({ stopRequested }) {
            try reader.refresh()
            if reader.endOffset > projection.nextOffset {
                do {
                    try applyAvailableFrames(&sinceCheckpoint)
                } catch is Stop {
                    return
                }
            } else {
                viewLock.lock()
                projection.advanceClock(to: options.clock())
                let changes = projection.takeChanges()
                viewLock.unlock()
                publish(changes)
                _ = try reader.waitForEvents(beyond: projection.nextOffset, timeout: options.poll)
            }
        }
    }

    /// Applies the frames durable now, one locked frame at a time, publishing each frame's changes after it.
    private func applyAvailableFrames(_ sinceCheckpoint: inout Int) throws {
        var open = false
        func close() throws {
            let end = projection.nextOffset
            let changes = projection.takeChanges()
            sinceCheckpoint += Int(end - state.withLock { applied })
            if let checkpoint, sinceCheckpoint >= options.checkpointEvery {
                sinceCheckpoint = 0
                try checkpoint(projection)
            }
            viewLock.unlock()
            open = false
            publish(changes)
            state.withLock {
                applied = end
                state.broadcast()
            }
        }
        defer { if open { viewLock.unlock() } }
        try reader.forEach(from: projection.nextOffset, onFrame: { frame, strings in
            if open { try close() }
            if state.withLock({ stopRequested }) { throw Stop() }
            viewLock.lock()
            open = true
            projection.beginFrame(frame, strings: strings)
        }) { offset, view in
            try projection.apply(view, offset: offset)
            return true
        }
        if open { try close() }
    }

    private func publish(_ changes: Projection.Changes?) {
        guard let changes else { return }
        let handlers = state.withLock { subscribers.map(\.1) }
        for handler in handlers { handler(changes) }
    }
}
