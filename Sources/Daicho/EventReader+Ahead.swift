import DaichoLog
import Foundation

// Replay on two threads (docs/architecture.md "Replay on two threads"): a reader thread reads, checks,
// decompresses and decodes frames ahead of the thread that applies them, through a bounded ring of recycled
// `DecodedFrame`s. Frames are handed over whole, in offset order: no lock, queue hop or allocation per event.

extension EventReader {
    /// How many frames the reader thread may hold decoded ahead of the applying thread (the ring's size).
    public static let framesAhead = 4

    /// Calls `body` with each frame overlapping `[offset, end)`, in offset order, on the calling thread, while a
    /// second thread reads, decompresses and decodes the next frames and runs `ahead` on each (in order, before
    /// the frame is handed to `body`). A frame's views are valid during `body`; `DecodedFrame.records` says
    /// which records fall inside the range.
    ///
    /// The same frames, events and errors as `forEach`: a damaged frame is thrown after every frame before it
    /// was given to `body`, and `ahead` never sees it. Do not use this reader from `body` or `ahead`.
    /// - Parameters:
    ///   - ahead: work done on the reader thread, at most `framesAhead` frames ahead of `body` (e.g. resolving
    ///     identity); it must touch only state `body` does not. When `body` throws or returns false, `ahead`
    ///     may already have run for the frames after it.
    ///   - body: returns false to stop.
    /// - Throws: `StoreError` on a corrupt frame or batch; what `body` throws.
    public func forEachFrameAhead(from offset: UInt64 = 0, to end: UInt64? = nil,
                                  ahead: @escaping (DecodedFrame) -> Void = { _ in },
                                  _ body: (DecodedFrame) throws -> Bool) throws {
        let stop = min(end ?? endOffset, endOffset)
        guard offset < stop else { return }
        let free = BlockingQueue<DecodedFrame>(capacity: Self.framesAhead)
        let full = BlockingQueue<DecodedFrame>(capacity: Self.framesAhead)
        for slot in 0..<Self.framesAhead { free.push(DecodedFrame(slot: slot)) }
        let failure = FailureBox()
        let finished = DispatchSemaphore(value: 0)
        let work = AheadWork(ahead)
        let thread = Thread { [self] in
            defer {
                full.close()
                finished.signal()
            }
            do {
                try log.forEachFrame(from: offset, to: stop) { frame in
                    guard let decoded = free.pop() else { return false } // closed: the applying thread stopped
                    try decode(frame, into: decoded, from: offset, to: stop)
                    work.body(decoded)
                    full.push(decoded)
                    return true
                }
            } catch let e as LogError {
                failure.set(StoreError(e))
            } catch {
                failure.set(error)
            }
        }
        thread.name = "daicho-frame-reader"
        thread.stackSize = 8 << 20 // as the ingest workers: decoding checks nested props recursively
        thread.start()
        defer {
            free.close()
            finished.wait()
        }
        while let frame = full.pop() {
            guard try body(frame) else { return }
            free.push(frame)
        }
        if let error = failure.error { throw error }
    }

    /// Fills `decoded` from `frame`, with the errors `forEach` gives for a malformed batch.
    private func decode(_ frame: FrameView, into decoded: DecodedFrame, from: UInt64, to: UInt64) throws(StoreError) {
        let header: BatchDecoder.Header
        do {
            header = try decoded.fill(frame, from: from, to: to)
        } catch {
            throw malformedBatch(at: frame.baseOffset, error)
        }
        guard header.records == frame.recordCount else {
            throw recordCountMismatch(at: frame.baseOffset, says: frame.recordCount, holds: header.records)
        }
    }
}

/// The reader thread's per-frame work, carried across the thread boundary: the caller guarantees it touches only
/// state its applying side does not (`forEachFrameAhead`).
private struct AheadWork: @unchecked Sendable {
    let body: (DecodedFrame) -> Void
    init(_ body: @escaping (DecodedFrame) -> Void) { self.body = body }
}
