// LEB128 varints and zigzag integers for the batch encoding. See docs/event-encoding.md.

/// Appends unsigned LEB128 varints to a byte array.
@inline(__always)
func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(truncatingIfNeeded: v))
}

/// Maps a signed integer to an unsigned one so that small magnitudes stay small.
@inline(__always)
func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }

/// Inverse of `zigzag`.
@inline(__always)
func unzigzag(_ n: UInt64) -> Int64 { Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1) }

/// A bounds-checked forward cursor over a payload. Reads fail by returning nil / setting `failed`
/// instead of trapping: payloads come from disk and may be corrupt.

struct ByteCursor {
    let base: UnsafeRawPointer
    let end: Int
    var position: Int
    var failed = false


    init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        // An empty buffer may have a nil base address; point at a valid static byte instead.
        self.base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        self.end = buffer.count
        self.position = position
    }

    @inline(__always)
    var remaining: Int { end - position }

    @inline(__always)
    mutating func byte() -> UInt8 {
        guard position < end else { failed = true; return 0 }
        let b = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return b
    }

    @inline(__always)
    mutating func varint() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { break }
        }
        failed = true
        return 0
    }

    @inline(__always)
    mutating func signed() -> Int64 { unzigzag(varint()) }

    @inline(__always)
    mutating func f64() -> Double {
        guard end - position >= 8 else { failed = true; return 0 }
        let bits = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// Returns the next `count` bytes as a buffer into the payload.
    @inline(__always)
    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        guard count >= 0, end - position >= count else { failed = true; return UnsafeRawBufferPointer(start: nil, count: 0) }
        let b = UnsafeRawBufferPointer(start: base + position, count: count)
        position += count
        return b
    }

    @inline(__always)
    mutating func skip(_ count: Int) {
        guard count >= 0, end - position >= count else { failed = true; return }
        position += count
    }
}
