/// A view kept current by a `ProjectionWorker` (`LiveProfiles`, `LiveSegments`): the worker's query and
/// subscription surface, written once.
public protocol LiveView: Sendable {
    associatedtype Projection: LogProjection
    /// The worker following the log.
    var worker: ProjectionWorker<Projection> { get }
}

extension LiveView {
    /// The offset after the last event in the view (and published to subscribers).
    public var appliedOffset: UInt64 { worker.appliedOffset }

    /// Waits until the events before `offset` (e.g. `EventStore.nextOffset` after an append) are in the view and
    /// subscribers have been told.
    /// - Returns: false on timeout or when the worker stopped on an error (`error`).
    public func wait(until offset: UInt64, timeout: Duration = .seconds(10)) -> Bool {
        worker.wait(until: offset, timeout: timeout)
    }

    /// The error that stopped following the log, if any (the view stays readable as of `appliedOffset`).
    public var error: (any Error)? { worker.error }

    /// Runs `body` against a consistent view (whole frames only). Keep it short: the worker waits meanwhile.
    public func read<T>(_ body: (Projection) throws -> T) rethrows -> T { try worker.read(body) }

    /// Calls `handler` on the worker's thread after each frame (or clock advance) that changed the view, in log order.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (Projection.Changes) -> Void) -> ProjectionWorker<Projection>.Subscription {
        worker.subscribe(handler)
    }

    /// Ends a subscription.
    public func cancel(_ subscription: ProjectionWorker<Projection>.Subscription) { worker.cancel(subscription) }
}
