/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: a small, fast, reproducible generator.
///
/// The workload must be byte-identical for a given seed on every platform, so the generator never
/// touches `SystemRandomNumberGenerator` and every draw goes through this type.
struct Xoshiro256: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose state is four SplitMix64 outputs of `seed`.
    init(seed: UInt64) {
        var x = seed
        s0 = splitMix64(&x)
        s1 = splitMix64(&x)
        s2 = splitMix64(&x)
        s3 = splitMix64(&x)
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }

    /// A number in `0..<n` (Lemire's multiply-high; the bias is below 2⁻³² for our ranges).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// A number in `range`.
    @inline(__always)
    mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `true` with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// An element of a non-empty pool.
    @inline(__always)
    mutating func pick<T>(_ pool: ContiguousArray<T>) -> T {
        pool[below(pool.count)]
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(by k: UInt64) -> UInt64 {
        (self << k) | (self >> (64 - k))
    }
}

/// One SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
@inline(__always)
func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return mix64(state)
}

/// The SplitMix64 finaliser: a bijection on `UInt64`, so distinct inputs give distinct outputs.
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
