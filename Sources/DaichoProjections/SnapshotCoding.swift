import Daicho

// Little-endian building blocks of the projection snapshot (docs/profile.md "Snapshots").

/// A snapshot that cannot be read: damaged, truncated, or of another format.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Appends snapshot fields to a byte array.
public struct SnapshotWriter {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }

    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    public mutating func count(_ n: Int) { varint(UInt64(n)) }

    /// A length-prefixed byte string.
    public mutating func data(_ d: UnsafeRawBufferPointer) { count(d.count); bytes.append(contentsOf: d) }

    /// An array of fixed-width integers, length-prefixed, copied as little-endian memory.
    public mutating func array<T: FixedWidthInteger>(_ a: [T]) {
        count(a.count)
        #if _endian(little)
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in a { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        #endif
    }
}

/// Reads snapshot fields; every read is bounds-checked and throws on damage.
public struct SnapshotReader {
    let base: UnsafeRawBufferPointer
    public private(set) var position: Int

    public init(_ base: UnsafeRawBufferPointer, position: Int = 0) {
        self.base = base
        self.position = position
    }

    public var isAtEnd: Bool { position == base.count }

    private mutating func take(_ n: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard n >= 0, base.count - position >= n else { throw SnapshotError("snapshot truncated at byte \(position)") }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: base[position..<(position + n)])
    }

    public mutating func u8() throws(SnapshotError) -> UInt8 { try take(1)[0] }

    /// The next `n` bytes, in place.
    mutating func bytes(_ n: Int) throws(SnapshotError) -> UnsafeRawBufferPointer { try take(n) }

    public mutating func u64() throws(SnapshotError) -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }

    public mutating func i64() throws(SnapshotError) -> Int64 { Int64(bitPattern: try u64()) }

    public mutating func varint() throws(SnapshotError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while shift < 64 {
            let b = try u8()
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        throw SnapshotError("bad varint at byte \(position)")
    }

    /// A count, checked against the bytes left (each counted item needs at least `minimumBytes`).
    public mutating func count(minimumBytes: Int = 1) throws(SnapshotError) -> Int {
        let n = try varint()
        guard n <= UInt64(base.count - position) / UInt64(max(1, minimumBytes)) else {
            throw SnapshotError("count \(n) at byte \(position) exceeds the snapshot")
        }
        return Int(n)
    }

    public mutating func data() throws(SnapshotError) -> UnsafeRawBufferPointer { try take(try count()) }

    public mutating func array<T: FixedWidthInteger>(of: T.Type) throws(SnapshotError) -> [T] {
        let n = try count(minimumBytes: MemoryLayout<T>.size)
        let raw = try take(n * MemoryLayout<T>.size)
        #if _endian(little)
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            initialized = n
        }
        #else
        return (0..<n).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        #endif
    }
}
