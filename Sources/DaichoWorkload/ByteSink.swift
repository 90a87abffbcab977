/// A fixed-capacity byte writer over scratch memory: the generator writes a line's UTF-8 here,
/// never through `String`, with one bounds check per write and no reference counting, then copies
/// the finished line out in one go.
struct ByteSink {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    /// A writer over `capacity` bytes at `base`; the memory must outlive the writer.
    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// The bytes written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// The byte at `index` (below `count`).
    subscript(index: Int) -> UInt8 {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "workload line exceeds the scratch buffer")
        base[count] = byte
        count &+= 1
    }

    /// Appends a run of bytes.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= capacity &- count, "workload line exceeds the scratch buffer")
        if let source = bytes.baseAddress { (base + count).update(from: source, count: bytes.count) }
        count &+= bytes.count
    }

    /// Appends the bytes of a pool entry.
    @inline(__always)
    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Drops the last `n` bytes.
    mutating func removeLast(_ n: Int) {
        precondition(n <= count)
        count -= n
    }

    /// Appends the UTF-8 bytes of a compile-time string.
    @inline(__always)
    mutating func put(_ s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the decimal digits of `value`.
    @inline(__always)
    mutating func putDecimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            putDecimal(UInt64(-value))
        } else {
            putDecimal(UInt64(value))
        }
    }

    /// Appends the decimal digits of `value`.
    mutating func putDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor &*= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: v / divisor) &+ 48)
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends `value` as exactly `width` decimal digits, zero-padded (value must fit).
    @inline(__always)
    mutating func putPadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor &*= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: v / divisor) &+ 48)
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends the low `digits` nibbles of `value` as lowercase hexadecimal.
    @inline(__always)
    mutating func putHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            append(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
            shift -= 4
        }
    }

    /// Appends a fixed-point number with two decimals from an amount in hundredths (e.g. 1250 → "12.5").
    mutating func putCents(_ hundredths: Int) {
        if hundredths < 0 { append(UInt8(ascii: "-")) }
        let magnitude = hundredths.magnitude
        putDecimal(UInt64(magnitude / 100))
        let fraction = Int(magnitude % 100)
        if fraction != 0 {
            append(UInt8(ascii: "."))
            if fraction % 10 == 0 {
                append(UInt8(truncatingIfNeeded: fraction / 10) &+ 48)
            } else {
                putPadded(fraction, width: 2)
            }
        }
    }
}
