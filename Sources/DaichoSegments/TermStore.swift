import DaichoProjections

/// The per-profile state of one aggregate term (docs/segments.md "Window buckets"): window buckets for a
/// windowed term, a running count and sum otherwise. Indexed by profile number; shared by every segment whose
/// rule has an equal term. A class, so reading it from the projection's store list never copies its arrays.
final class TermStore {
    let term: AggregateTerm
    /// Segments using the term; the store is freed when it drops to 0.
    var users = 0
    var buckets: [WindowBuckets?] = []
    /// All-time count and sum (fixed-point µ-units, so the sum does not depend on arrival order).
    var totals: [(count: Int64, units: Int64)] = []

    init(term: AggregateTerm) { self.term = term }

    /// Adds an event's contribution for profile `p` at clock `now`.
    func add(_ p: UInt32, at time: Int64, value: Double, now: Int64) {
        let i = Int(p)
        if let window = term.window {
            while buckets.count <= i { buckets.append(nil) }
            if buckets[i] == nil { buckets[i] = WindowBuckets(window: window) }
            _ = buckets[i]!.add(at: time, value: value, now: now)
        } else {
            while totals.count <= i { totals.append((0, 0)) }
            totals[i].count &+= 1
            totals[i].units &+= WindowBuckets.micros(value)
        }
    }

    /// The term's count and sum for `p` at `now`.
    func value(_ p: UInt32, now: Int64) -> AggregateValue {
        let i = Int(p)
        if term.window != nil {
            guard i < buckets.count, let b = buckets[i] else { return AggregateValue(count: 0, sum: 0) }
            return b.aggregate(now: now)
        }
        guard i < totals.count else { return AggregateValue(count: 0, sum: 0) }
        return AggregateValue(count: totals[i].count, sum: Double(totals[i].units) / 1_000_000)
    }

    /// When `p`'s value next changes with the clock alone.
    func nextChange(_ p: UInt32, now: Int64) -> Int64? {
        let i = Int(p)
        guard term.window != nil, i < buckets.count, let b = buckets[i] else { return nil }
        return b.nextChange(now: now)
    }

    /// Folds absorbed profile `a` into `p`.
    func absorb(_ a: UInt32, into p: UInt32, now: Int64) {
        let ai = Int(a), pi = Int(p)
        if term.window != nil {
            guard ai < buckets.count, let other = buckets[ai] else { return }
            buckets[ai] = nil
            while buckets.count <= pi { buckets.append(nil) }
            if buckets[pi] == nil { buckets[pi] = WindowBuckets(window: other.window) }
            buckets[pi]!.absorb(other, now: now)
        } else {
            guard ai < totals.count else { return }
            let other = totals[ai]
            totals[ai] = (0, 0)
            while totals.count <= pi { totals.append((0, 0)) }
            totals[pi].count &+= other.count
            totals[pi].units &+= other.units
        }
    }

    /// Bytes held (for the memory report).
    var memoryBytes: Int {
        var bytes = buckets.capacity * MemoryLayout<WindowBuckets?>.stride + totals.capacity * 16
        for case let b? in buckets { bytes += b.memoryBytes }
        return bytes
    }
}
