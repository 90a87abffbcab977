import DaichoProjections

/// The per-profile state of one aggregate term (docs/segments.md "Window buckets"): window buckets for a
/// windowed term, a running count and sum otherwise. Indexed by profile number; shared by every segment whose
/// rule has an equal term. A class, so reading it from the projection's store list never copies its arrays; owned
/// by the projection's thread, so its arrays skip dynamic exclusivity checks.
final class TermStore {
    let term: AggregateTerm
    /// Segments using the term; the store is freed when it drops to 0.
    var users = 0
    /// By `term.props` index: the prop's slot in the `PropsScan` of the term's event type (set by the projection).
    var slots: [Int] = []
    @exclusivity(unchecked) private var buckets: [WindowBuckets?] = []
    /// All-time count and sum (fixed-point µ-units, so the sum does not depend on arrival order).
    @exclusivity(unchecked) private var totals: [(count: Int64, units: Int64)] = []
    /// Parallel to `totals` for a term with `extremes`: the all-time smallest and largest value (µ-units).
    @exclusivity(unchecked) private var totalExtremes: [WindowBuckets.Extremes] = []
    /// The contents as stored in a snapshot, decoded on first use: a query that touches no term (a profile
    /// lookup with nothing due) never pays for the buckets of every profile.
    @exclusivity(unchecked) private var encoded: ArraySlice<UInt8>?

    init(term: AggregateTerm, encoded: ArraySlice<UInt8>? = nil) {
        self.term = term
        self.encoded = encoded
    }

    /// The contents for a snapshot (`load` reads them back); still-encoded contents are copied as they are.
    func encode(into w: inout SnapshotWriter) {
        if let encoded {
            w.bytes.append(contentsOf: encoded)
            return
        }
        w.count(buckets.count)
        for b in buckets {
            guard let b else { w.count(0); continue }
            w.count(b.buckets.count + 1)
            for (i, bucket) in b.buckets.enumerated() {
                w.i64(Int64(bucket.index)); w.varint(UInt64(bucket.count)); w.i64(bucket.sum)
                if term.extremes { w.i64(b.extremes[i].min); w.i64(b.extremes[i].max) }
            }
        }
        w.count(totals.count)
        for (i, t) in totals.enumerated() {
            w.i64(t.count); w.i64(t.units)
            if term.extremes { w.i64(totalExtremes[i].min); w.i64(totalExtremes[i].max) }
        }
    }

    /// Decodes `encoded` if it is still pending. The bytes passed the snapshot section's checksum, so bytes that
    /// do not decode are a bug: it traps with the reason.
    @inline(__always)
    private func load() {
        guard let bytes = encoded else { return }
        encoded = nil
        do {
            try bytes.withUnsafeBytes { raw throws in
                var r = SnapshotReader(raw)
                for _ in 0..<(try r.count(minimumBytes: 0)) {
                    let n = try r.count(minimumBytes: 0)
                    guard n > 0, let window = term.window else { buckets.append(nil); continue }
                    var b = WindowBuckets(window: window, tracksExtremes: term.extremes)
                    for _ in 0..<(n - 1) {
                        let index = Int32(truncatingIfNeeded: try r.i64())
                        let count = UInt32(truncatingIfNeeded: try r.varint())
                        b.buckets.append(WindowBuckets.Bucket(index: index, count: count, sum: try r.i64()))
                        if term.extremes { b.extremes.append(WindowBuckets.Extremes(min: try r.i64(), max: try r.i64())) }
                    }
                    buckets.append(b)
                }
                for _ in 0..<(try r.count(minimumBytes: 0)) {
                    totals.append((try r.i64(), try r.i64()))
                    if term.extremes { totalExtremes.append(WindowBuckets.Extremes(min: try r.i64(), max: try r.i64())) }
                }
                guard r.isAtEnd else { throw SnapshotError("bytes after a term store") }
            }
        } catch {
            preconditionFailure("segment snapshot: a term store that passed its checksum does not decode: \(error)")
        }
    }

    /// Adds an event's contribution for profile `p` at clock `now`.
    func add(_ p: UInt32, at time: Int64, value: Double, now: Int64) {
        load()
        let i = Int(p)
        if let window = term.window {
            while buckets.count <= i { buckets.append(nil) }
            if buckets[i] == nil { buckets[i] = WindowBuckets(window: window, tracksExtremes: term.extremes) }
            _ = buckets[i]!.add(at: time, value: value, now: now)
        } else {
            while totals.count <= i { totals.append((0, 0)) }
            let units = WindowBuckets.micros(value)
            totals[i].count += 1 // one per event: cannot reach 2^63
            totals[i].units = WindowBuckets.saturatingAdd(totals[i].units, units)
            if term.extremes { include(WindowBuckets.Extremes(min: units, max: units), first: totals[i].count == 1, at: i) }
        }
    }

    /// The term's count and sum for `p` at `now`.
    func value(_ p: UInt32, now: Int64) -> AggregateValue {
        load()
        let i = Int(p)
        if term.window != nil {
            guard i < buckets.count, let b = buckets[i] else { return AggregateValue(count: 0, sum: 0) }
            return b.aggregate(now: now)
        }
        guard i < totals.count else { return AggregateValue(count: 0, sum: 0) }
        let e = term.extremes && totals[i].count > 0 ? totalExtremes[i] : nil
        return AggregateValue(count: totals[i].count, sum: Double(totals[i].units) / 1_000_000,
                              min: e.map { Double($0.min) / 1_000_000 }, max: e.map { Double($0.max) / 1_000_000 })
    }

    /// Folds `e` into profile `i`'s all-time extremes (replacing them when `first`).
    private func include(_ e: WindowBuckets.Extremes, first: Bool, at i: Int) {
        while totalExtremes.count <= i { totalExtremes.append(WindowBuckets.Extremes(min: 0, max: 0)) }
        if first { totalExtremes[i] = e } else { totalExtremes[i].include(e) }
    }

    /// When `p`'s value next changes with the clock alone.
    func nextChange(_ p: UInt32, now: Int64) -> Int64? {
        load()
        let i = Int(p)
        guard term.window != nil, i < buckets.count, let b = buckets[i] else { return nil }
        return b.nextChange(now: now)
    }

    /// Folds absorbed profile `a` into `p`.
    func absorb(_ a: UInt32, into p: UInt32, now: Int64) {
        load()
        let ai = Int(a), pi = Int(p)
        if term.window != nil {
            guard ai < buckets.count, let other = buckets[ai] else { return }
            buckets[ai] = nil
            while buckets.count <= pi { buckets.append(nil) }
            if buckets[pi] == nil { buckets[pi] = WindowBuckets(window: other.window, tracksExtremes: term.extremes) }
            buckets[pi]!.absorb(other, now: now)
        } else {
            guard ai < totals.count else { return }
            let other = totals[ai]
            totals[ai] = (0, 0)
            while totals.count <= pi { totals.append((0, 0)) }
            let first = totals[pi].count == 0
            totals[pi].count += other.count
            totals[pi].units = WindowBuckets.saturatingAdd(totals[pi].units, other.units)
            if term.extremes, other.count > 0 { include(totalExtremes[ai], first: first, at: pi) }
        }
    }

    /// Bytes held (for the memory report).
    var memoryBytes: Int {
        if let encoded { return encoded.count }
        var bytes = buckets.capacity * MemoryLayout<WindowBuckets?>.stride + totals.capacity * 16 + totalExtremes.capacity * 16
        for case let b? in buckets { bytes += b.memoryBytes }
        return bytes
    }
}
