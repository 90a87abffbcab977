import Foundation

/// Byte buffers handed back by the ingest workers once a chunk is encoded, so the chunk reader refills
/// memory that is already mapped instead of faulting in fresh multi-MiB arrays for every chunk.
/// A buffer is only reused when uniquely referenced; otherwise copy-on-write would copy it anyway.
final class ChunkBufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var buffers: [[UInt8]] = []
    private let maxBuffers: Int

    /// - Parameter maxBuffers: how many idle buffers to keep; more are freed.
    init(maxBuffers: Int) { self.maxBuffers = maxBuffers }

    /// A buffer of exactly `count` bytes whose contents are unspecified (the caller overwrites them): a recycled
    /// one when there is one, so only bytes beyond its previous size are written here, and a fresh one is not
    /// zero-filled at all.
    func take(count: Int) -> [UInt8] {
        guard var buffer = lock.withLock({ buffers.popLast() }) else {
            return [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        } else {
            buffer.removeLast(buffer.count - count)
        }
        return buffer
    }

    /// Keeps `buffer` for a later `take` (dropped when the pool is full).
    func give(_ buffer: [UInt8]) {
        guard buffer.capacity > 0 else { return }
        lock.withLock {
            if buffers.count < maxBuffers { buffers.append(buffer) }
        }
    }
}
