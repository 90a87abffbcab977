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

    /// An empty buffer with room for at least `capacity` bytes: a recycled one when there is one.
    func take(capacity: Int) -> [UInt8] {
        var buffer = lock.withLock { buffers.popLast() } ?? []
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(capacity)
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
