import DaichoSegments
import Foundation

/// The newest records of the live segment feed (docs/segments.md "Feed"), held in memory for the clients of
/// `GET /v1/feed`: the projection only appends to it (it never waits for a client), and each client reads from it
/// at its own cursor. A client that falls so far behind that its next record is no longer held is dropped
/// (`take` answers `fellBehind`): the records a client has not yet taken are bounded by `retained`.
///
/// The feed is not stored (it is regenerated from the log), so the hub holds only records made while the server
/// runs: a cursor older than those is answered with a 410 that names the oldest cursor held.
final class FeedHub: @unchecked Sendable {
    /// The most records held.
    let retained: Int
    private let condition = NSCondition()
    /// Record with cursor `c` at `ring[(c - 1) % retained]`, for `c` in `oldestHeld...newest`.
    private var ring: [FeedRecord?]
    /// The cursor of the newest record in the feed (held or not: those before the hub started are not).
    private var newest: UInt64 = 0
    /// The cursor the hub started after: records up to it were never held.
    private var base: UInt64 = 0

    init(retained: Int) {
        precondition(retained > 0, "a feed hub holds at least one record")
        self.retained = retained
        ring = Array(repeating: nil, count: retained)
    }

    /// Starts holding the records of `live` made from now on.
    func follow(_ live: LiveSegments) {
        condition.lock()
        defer { condition.unlock() }
        live.subscribe { [weak self] changes in self?.publish(changes.records) }
        // Subscribing turned tracking on: every record after this count is published to the hub, and `publish`
        // skips the ones made between the subscription and this read (already counted).
        newest = live.read { $0.feedCount }
        base = newest
    }

    /// The cursor of the oldest record a client can resume after: records after it are held.
    private var oldestResumable: UInt64 { max(base, newest > UInt64(retained) ? newest - UInt64(retained) : 0) }

    /// Appends records in feed order (the worker's thread) and wakes the clients waiting for them.
    func publish(_ records: [FeedRecord]) {
        condition.lock()
        defer { condition.unlock() }
        var added = false
        for r in records where r.cursor == newest + 1 {
            ring[Int((r.cursor - 1) % UInt64(retained))] = r
            newest = r.cursor
            added = true
        }
        if added { condition.broadcast() }
    }

    /// Where a client asking to resume after `cursor` (nil: from now on) starts.
    enum Start: Equatable {
        /// After this cursor.
        case after(UInt64)
        /// The cursor is older than every record held; `oldest` is the oldest cursor a client can resume after.
        case tooOld(oldest: UInt64)
        /// The feed never had that many records; `newest` is its newest cursor.
        case beyond(newest: UInt64)
    }

    func start(after cursor: UInt64?) -> Start {
        condition.lock()
        defer { condition.unlock() }
        guard let cursor else { return .after(newest) }
        if cursor > newest { return .beyond(newest: newest) }
        if cursor < oldestResumable { return .tooOld(oldest: oldestResumable) }
        return .after(cursor)
    }

    /// What a client reads from the hub.
    enum Take: Equatable {
        /// The records after the client's cursor, in feed order (empty: none came in time).
        case records([FeedRecord])
        /// The record after the client's cursor is no longer held: the client was too slow and is dropped.
        case fellBehind
    }

    /// The records after `cursor`, at most `limit`, waiting up to `timeout` for the first one.
    func take(after cursor: UInt64, limit: Int, waitingAtMost timeout: Duration) -> Take {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while newest <= cursor {
            if !condition.wait(until: deadline) { return .records([]) }
        }
        if cursor < oldestResumable { return .fellBehind }
        let end = min(newest, cursor + UInt64(limit))
        return .records((cursor + 1...end).map { ring[Int(($0 - 1) % UInt64(retained))]! })
    }
}
