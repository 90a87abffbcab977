import Foundation
import DaichoLog

/// The frame whose events a reader is about to deliver (docs/log-format.md §3).
public struct FrameContext: Sendable, Equatable {
    /// The offset of the frame's first event.
    public let baseOffset: UInt64
    /// Events in the frame.
    public let recordCount: Int
    /// The newest event time in the frame (µs since the epoch).
    public let maxEventTime: Int64
    /// When the writer appended the frame (µs since the epoch, the writer's wall clock).
    public let appendTime: Int64
}

/// The read side of a data directory: events in offset order from any offset or time, and a live tail.
/// Any number of readers may run beside the writer; they see only complete, durable frames.
public final class EventReader: @unchecked Sendable {
    public let directory: DataDirectory
    let log: LogReader
    private let decoder = BatchDecoder()

    /// Opens the log of `directory` for reading.
    public init(_ directory: DataDirectory) throws(StoreError) {
        self.directory = directory
        do {
            log = try LogReader(directory: directory.logPath)
        } catch {
            throw error.kind == .io && error.errno == ENOENT ? .noLog(in: directory.path) : StoreError(error)
        }
    }

    /// The offset after the last durable event.
    public var endOffset: UInt64 { log.endOffset }

    /// Picks up events made durable since the last look.
    public func refresh() throws(StoreError) {
        do { try log.refresh() } catch { throw StoreError(error) }
    }

    /// The base offset of the frame holding `offset` and the CRC32C chained over the CRCs of that frame and every
    /// earlier one, nil when `offset` is not durable yet: what a snapshot records to prove it belongs to this log
    /// (docs/profile.md "Snapshots").
    public func frameChecksum(containing offset: UInt64) throws(StoreError) -> (base: UInt64, crc: UInt32)? {
        do { return try log.frameChecksum(containing: offset) } catch { throw StoreError(error.description) }
    }

    /// The first offset whose frame may hold an event at or after `micros` (event times can be late).
    public func offset(forTime micros: Int64) -> UInt64 { log.offset(forTime: micros) }

    /// The offset where the frame after the one holding `offset` starts; nil when `offset` is not durable.
    public func frameEnd(containing offset: UInt64) -> UInt64? { log.frameEnd(containing: offset) }

    /// The first offset of the frame holding `offset`; nil when `offset` is not durable.
    public func frameStart(containing offset: UInt64) -> UInt64? { log.frameStart(containing: offset) }

    /// The newest event time before `offset` (from the frame headers; `Int64.min` for offset 0), or nil when
    /// `offset` is not where a durable frame ends: every event before `offset` has `at` at most this.
    public func maxEventTime(before offset: UInt64) -> Int64? { log.maxEventTime(before: offset) }

    /// Calls `body` with each event's offset and view, from `offset` up to `end` (exclusive), in order.
    /// `body` returns false to stop. Views are valid only during the call.
    /// - Throws: `StoreError` on a corrupt frame or batch; what `body` throws.
    /// `onFrame` is called with each frame's description and its batch's strings before its events (per-batch
    /// caches reset there; a frame holds one batch).
    /// - Parameter checkingProps: false skips checking each event's props whole: only for callers that never
    ///   read props (`EventView.readProps` relies on the check), such as a scan of identifiers.
    public func forEach(from offset: UInt64 = 0, to end: UInt64? = nil, checkingProps: Bool = true,
                        onFrame: (FrameContext, StringTable) throws -> Void = { _, _ in },
                        _ body: (UInt64, EventView) throws -> Bool) throws {
        var stop = false
        do { try log.forEachFrame(from: offset, to: end) { frame in
            let context = FrameContext(baseOffset: frame.baseOffset, recordCount: frame.recordCount,
                                       maxEventTime: frame.maxEventTime, appendTime: frame.appendTime)
            var o = frame.baseOffset
            let header: BatchDecoder.Header
            do {
                header = try decoder.forEach(in: frame.payload, checkingProps: checkingProps, onBatch: { try onFrame(context, $0) }) { view in
                    defer { o += 1 }
                    guard !stop, o >= offset, end.map({ o < $0 }) ?? true else { return }
                    if try !body(o, view) { stop = true }
                }
            } catch let e as BatchError {
                throw malformedBatch(at: frame.baseOffset, e)
            }
            guard header.records == frame.recordCount else {
                throw recordCountMismatch(at: frame.baseOffset, says: frame.recordCount, holds: header.records)
            }
            return !stop
        } } catch let e as LogError { throw StoreError(e) }
    }

    /// The error for a frame whose event batch does not decode.
    func malformedBatch(at base: UInt64, _ e: BatchError) -> StoreError {
        StoreError(.corrupt, "the event batch of the frame at offset \(base) is malformed: \(e.message); run `daicho verify`",
                   path: directory.logPath, offset: base)
    }

    /// The error for a frame whose header and batch disagree on the number of records.
    func recordCountMismatch(at base: UInt64, says: Int, holds: Int) -> StoreError {
        StoreError(.corrupt, "frame at offset \(base) says \(says) records, its batch holds \(holds); run `daicho verify`",
                   path: directory.logPath, offset: base)
    }

    /// Calls `body` for every event of the one frame that holds `offset` (random access through the sparse index).
    public func forEachInFrame(containing offset: UInt64, _ body: (UInt64, EventView) throws -> Void) throws {
        try log.forEachFrame(from: offset, to: offset + 1) { frame in
            var o = frame.baseOffset
            try decoder.forEach(in: frame.payload) { view in
                try body(o, view)
                o += 1
            }
            return false
        }
    }

    /// The events of the frame holding `offset` that `selecting` selects by offset (asked once per event of the
    /// frame, in order) and whose type is in `types` (every type when nil), materialized, in order. Only those
    /// events are decoded — the others are passed over by their length — and only their props read
    /// (`materialize` throws on malformed ones), so picking a few events out of a large frame (`daicho timeline`)
    /// pays for little more than reading, checking and decompressing it.
    /// - Throws: `BatchError` for a malformed record or selected props; `StoreError` for log errors.
    public func materialize(inFrameContaining offset: UInt64, selecting: (UInt64) -> Bool,
                            types: Set<EventType>? = nil) throws -> [(UInt64, Event)] {
        var events: [(UInt64, Event)] = []
        try log.forEachFrame(from: offset, to: offset + 1) { frame in
            // `body` follows the `selecting` call that chose its record: `current` is its offset.
            var current: UInt64 = 0
            try decoder.forEach(in: frame.payload, checkingProps: false, selecting: { index in
                current = frame.baseOffset + UInt64(index)
                return selecting(current)
            }) { view in
                if types?.contains(view.type) ?? true { events.append((current, try view.materialize())) }
            }
            return false
        }
        return events
    }

    /// Waits until an event at `offset` or later is durable (appended by this or another process), or `timeout`.
    public func waitForEvents(beyond offset: UInt64, timeout: Duration) throws(StoreError) -> Bool {
        do { return try log.waitForGrowth(beyond: offset, timeout: timeout) } catch { throw StoreError(error) }
    }

    /// Follows the log: calls `body` for every event from `offset` on, in order, then for each new event as it
    /// becomes durable (appended by this or another process), until `body` returns false or `shouldStop` says so.
    /// - Parameters:
    ///   - offset: the first offset to deliver; pass `endOffset` to see only new events.
    ///   - poll: how long one wait for new events may last before `shouldStop` is asked again.
    /// - Returns: the offset after the last event delivered (where to resume).
    @discardableResult
    public func follow(from offset: UInt64, poll: Duration = .milliseconds(100), shouldStop: () -> Bool = { false },
                       _ body: (UInt64, EventView) throws -> Bool) throws -> UInt64 {
        var next = offset
        while !shouldStop() {
            if endOffset > next {
                var keepGoing = true
                try forEach(from: next) { o, view in
                    keepGoing = try body(o, view)
                    next = o + 1
                    return keepGoing
                }
                if !keepGoing { return next }
            }
            _ = try waitForEvents(beyond: next, timeout: poll)
        }
        return next
    }
}
