// Per-profile store of one windowed aggregate term. Rules: docs/segments.md "Window buckets".

/// Sparse time buckets holding the count and sum of a term's events, so `count(… within D)` and
/// `sum(… within D)` are answered at any clock without keeping events.
///
/// Bucket k covers [k·w, (k+1)·w) (epoch-aligned; w is 1 minute for D < 2h, 1 hour for D < 2d, else 1 day)
/// and is in the window at `now` iff (k+1)·w > now − D. Only buckets holding events exist. Sums are
/// fixed-point µ-units added with clamping at the Int64 bounds (never wrapping), so within the documented
/// range the result does not depend on arrival order.
public struct WindowBuckets: Sendable, Hashable {
    struct Bucket: Sendable, Hashable {
        var index: Int32
        var count: UInt32
        var sum: Int64
    }

    /// The smallest and largest value of a bucket (µ-units), kept only by stores that track them.
    struct Extremes: Sendable, Hashable {
        var min: Int64
        var max: Int64

        @inline(__always)
        mutating func include(_ other: Extremes) {
            min = Swift.min(min, other.min)
            max = Swift.max(max, other.max)
        }
    }

    /// The window D, µs.
    public let window: Int64
    /// The bucket width w, µs.
    public let width: Int64
    /// Ascending by index.
    var buckets: ContiguousArray<Bucket> = []
    /// Whether `extremes` is kept (`min`/`max` terms).
    public let tracksExtremes: Bool
    /// Parallel to `buckets` when `tracksExtremes`, else empty.
    var extremes: ContiguousArray<Extremes> = []

    /// An empty store for window `window` (µs, > 0), keeping each bucket's smallest and largest value when
    /// `tracksExtremes` (16 more bytes per bucket).
    public init(window: Int64, tracksExtremes: Bool = false) {
        precondition(window > 0, "a window is positive")
        self.window = window
        self.tracksExtremes = tracksExtremes
        width = Self.width(forWindow: window)
    }

    /// The bucket width for a window: 1 minute below 2 hours, 1 hour below 2 days, else 1 day (µs).
    public static func width(forWindow window: Int64) -> Int64 {
        let minute: Int64 = 60_000_000, hour = 60 * minute
        return window < 2 * hour ? minute : window < 48 * hour ? hour : 24 * hour
    }

    /// Number of buckets held (expired ones included until `expire`).
    public var bucketCount: Int { buckets.count }

    /// Approximate bytes held (array header and buckets).
    public var memoryBytes: Int {
        MemoryLayout<WindowBuckets>.size + (buckets.capacity == 0 ? 0 : 32 + buckets.capacity * MemoryLayout<Bucket>.stride)
            + (extremes.capacity == 0 ? 0 : 32 + extremes.capacity * MemoryLayout<Extremes>.stride)
    }

    @inline(__always)
    private func bucketIndex(_ time: Int64) -> Int32 {
        Int32(clamping: RuleEvaluator.floorDivide(time, width))
    }

    /// The lowest bucket index in the window at `now`.
    @inline(__always)
    private func firstIncluded(_ now: Int64) -> Int32 {
        bucketIndex(now &- window)
    }

    /// Position of the first bucket with index ≥ `index`.
    @inline(__always)
    private func position(of index: Int32) -> Int {
        var lo = 0, hi = buckets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if buckets[mid].index < index { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Adds an event at `time` with `value` (0 for counting terms) and drops buckets that left the window.
    /// - Returns: false, adding nothing, when the event's bucket is already outside the window (a late event).
    /// - Complexity: O(log n) to find the bucket, O(n) when inserting before the newest bucket or expiring.
    @discardableResult
    public mutating func add(at time: Int64, value: Double, now: Int64) -> Bool {
        let first = firstIncluded(now)
        let k = bucketIndex(time)
        guard k >= first else { return false }
        expire(now: now)
        let units = Self.micros(value)
        let one = Extremes(min: units, max: units)
        let last = buckets.count - 1
        if last < 0 || buckets[last].index < k {
            buckets.append(Bucket(index: k, count: 1, sum: units))
            if tracksExtremes { extremes.append(one) }
        } else if buckets[last].index == k {
            buckets[last].add(count: 1, sum: units)
            if tracksExtremes { extremes[last].include(one) }
        } else {
            let i = position(of: k)
            if i < buckets.count, buckets[i].index == k {
                buckets[i].add(count: 1, sum: units)
                if tracksExtremes { extremes[i].include(one) }
            } else {
                buckets.insert(Bucket(index: k, count: 1, sum: units), at: i)
                if tracksExtremes { extremes.insert(one, at: i) }
            }
        }
        return true
    }

    /// Count and sum of the events in the window at `now` (`now` not before the last `add`/`expire` clock).
    /// - Complexity: O(buckets in the window).
    public func aggregate(now: Int64) -> AggregateValue {
        var count: Int64 = 0, sum: Int64 = 0
        var range: Extremes?
        for i in position(of: firstIncluded(now))..<buckets.count {
            count += Int64(buckets[i].count) // at most 2^32 per bucket and 2^20 buckets: no overflow
            sum = Self.saturatingAdd(sum, buckets[i].sum)
            if tracksExtremes { if range == nil { range = extremes[i] } else { range!.include(extremes[i]) } }
        }
        return AggregateValue(count: count, sum: Double(sum) / 1_000_000, min: range.map { Double($0.min) / 1_000_000 },
                              max: range.map { Double($0.max) / 1_000_000 })
    }

    /// Drops the buckets outside the window at `now`.
    public mutating func expire(now: Int64) {
        let i = position(of: firstIncluded(now))
        if i > 0 {
            buckets.removeFirst(i)
            if tracksExtremes { extremes.removeFirst(i) }
        }
    }

    /// When `aggregate` next changes without new events: the instant the oldest bucket in the window leaves it,
    /// (k+1)·w + D; nil when the window is empty at `now`.
    public func nextChange(now: Int64) -> Int64? {
        let i = position(of: firstIncluded(now))
        guard i < buckets.count else { return nil }
        return (Int64(buckets[i].index) + 1) &* width &+ window
    }

    /// Adds every bucket of `other` (same window): the result equals adding both event sets.
    public mutating func absorb(_ other: WindowBuckets, now: Int64) {
        precondition(other.window == window, "absorbing buckets of another window")
        precondition(other.tracksExtremes == tracksExtremes, "absorbing buckets of another kind")
        var merged = ContiguousArray<Bucket>()
        var mergedExtremes = ContiguousArray<Extremes>()
        merged.reserveCapacity(buckets.count + other.buckets.count)
        var a = 0, b = 0
        while a < buckets.count || b < other.buckets.count {
            if b == other.buckets.count || (a < buckets.count && buckets[a].index < other.buckets[b].index) {
                merged.append(buckets[a])
                if tracksExtremes { mergedExtremes.append(extremes[a]) }
                a += 1
            } else if a == buckets.count || other.buckets[b].index < buckets[a].index {
                merged.append(other.buckets[b])
                if tracksExtremes { mergedExtremes.append(other.extremes[b]) }
                b += 1
            } else {
                var m = buckets[a]
                m.add(count: other.buckets[b].count, sum: other.buckets[b].sum)
                merged.append(m)
                if tracksExtremes {
                    var e = extremes[a]
                    e.include(other.extremes[b])
                    mergedExtremes.append(e)
                }
                a += 1; b += 1
            }
        }
        buckets = merged
        extremes = mergedExtremes
        expire(now: now)
    }

    /// A value in fixed-point µ-units, clamped to the Int64 range (docs/segments.md "Window buckets": exact range).
    @inline(__always)
    static func micros(_ x: Double) -> Int64 {
        let m = (x * 1_000_000).rounded()
        return m >= 9.223372036854775e18 ? Int64.max : m <= -9.223372036854775e18 ? Int64.min : m.isNaN ? 0 : Int64(m)
    }

    /// `a + b`, clamped to the Int64 range instead of wrapping: a sum at the bound means "at least this much".
    @inline(__always)
    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : r
    }
}

extension WindowBuckets.Bucket {
    /// Adds events to the bucket: the count and the sum clamp at their bounds, never wrap.
    @inline(__always)
    mutating func add(count n: UInt32, sum units: Int64) {
        let (c, overflow) = count.addingReportingOverflow(n)
        count = overflow ? UInt32.max : c
        sum = WindowBuckets.saturatingAdd(sum, units)
    }
}
