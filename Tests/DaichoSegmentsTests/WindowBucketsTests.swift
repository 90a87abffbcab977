import Testing
import DaichoTestSupport
@testable import DaichoSegments

/// `WindowBuckets` against a plain list of (time, value), with the bucket rule of docs/segments.md.
@Suite struct WindowBucketsTests {
    /// The reference: every event kept, filtered by "its bucket ends after now − D".
    struct Reference {
        let window: Int64, width: Int64
        var events: [(time: Int64, value: Double)] = []

        /// The width by docs/segments.md "Window buckets": a minute below 2 h, an hour below 2 d, else a day.
        init(window: Int64) {
            self.window = window
            width = window < 2 * hour ? minute : window < 2 * day ? hour : day
        }

        /// The end of the width-aligned bucket holding `t`: the start is `t` minus its non-negative remainder
        /// (times before 1970 included), computed here without the evaluator's helpers.
        func bucketEnd(_ t: Int64) -> Int64 {
            let remainder = ((t % width) + width) % width
            return t - remainder + width
        }
        func inWindow(_ t: Int64, _ now: Int64) -> Bool { bucketEnd(t) > now - window }

        mutating func add(_ t: Int64, _ v: Double, now: Int64) -> Bool {
            guard inWindow(t, now) else { return false }
            events.append((t, v))
            return true
        }

        func aggregate(_ now: Int64) -> (count: Int64, sum: Double) {
            let kept = events.filter { inWindow($0.time, now) }
            return (Int64(kept.count), kept.reduce(0) { $0 + $1.value })
        }

        func nextChange(_ now: Int64) -> Int64? {
            events.filter { inWindow($0.time, now) }.map { bucketEnd($0.time) + window }.min()
        }
    }

    @Test func widthFollowsTheWindow() {
        #expect(WindowBuckets.width(forWindow: 30 * minute) == minute)
        #expect(WindowBuckets.width(forWindow: 2 * hour - 1) == minute)
        #expect(WindowBuckets.width(forWindow: 2 * hour) == hour)
        #expect(WindowBuckets.width(forWindow: day) == hour)
        #expect(WindowBuckets.width(forWindow: 2 * day) == day)
        #expect(WindowBuckets.width(forWindow: 90 * day) == day)
    }

    /// Seed, window and the clock's start (the last one before 1970, where a bucket index is negative).
    static let windows: [(seed: UInt64, window: Int64, start: Int64)] = [
        (1, 30 * minute, jan1), (2, day, jan1), (3, 7 * day, jan1), (4, 90 * day, jan1), (5, 3 * hour, jan1),
        (6, day, -3 * day - 17 * minute),
    ]

    @Test(arguments: windows)
    func matchesTheReference(seed: UInt64, window: Int64, start: Int64) {
        var rng = SeededGenerator(seed: seed)
        var store = WindowBuckets(window: window)
        var reference = Reference(window: window)
        #expect(store.width == reference.width)
        var now = start
        for step in 0..<3_000 {
            // The clock moves forward by up to a tenth of the window; events land up to 1.5 windows back
            // (some late) or slightly ahead of the clock.
            now += Int64.random(in: 0...(window / 10), using: &rng)
            let t = now - Int64.random(in: -(window / 50)...(window * 3 / 2), using: &rng)
            let v = Double(Int.random(in: 0...100_000, using: &rng)) / 100
            #expect(store.add(at: t, value: v, now: now) == reference.add(t, v, now: now), "step \(step)")
            if step % 7 == 0 { store.expire(now: now) }
            let probe = now + Int64.random(in: 0...window, using: &rng) * (step % 3 == 0 ? 1 : 0)
            let got = store.aggregate(now: probe), want = reference.aggregate(probe)
            #expect(got.count == want.count, "step \(step)")
            #expect(abs(got.sum - want.sum) < 1e-6 * max(1, want.sum), "step \(step)")
            #expect(store.nextChange(now: probe) == reference.nextChange(probe), "step \(step)")
        }
    }

    /// Issue 8: `min`/`max` over windowed values. A store that tracks extremes gives the smallest and largest
    /// value of the events the reference counts in the window (nil when none), also after merging another
    /// profile's store; a store that does not track them gives nil.
    @Test(arguments: windows)
    func minAndMaxMatchTheReference(seed: UInt64, window: Int64, start: Int64) {
        var rng = SeededGenerator(seed: seed + 100)
        var store = WindowBuckets(window: window, tracksExtremes: true)
        var other = WindowBuckets(window: window, tracksExtremes: true)
        var plain = WindowBuckets(window: window)
        var reference = Reference(window: window)
        var now = start
        for step in 0..<2_000 {
            now += Int64.random(in: 0...(window / 10), using: &rng)
            let t = now - Int64.random(in: -(window / 50)...(window * 3 / 2), using: &rng)
            let v = Double(Int.random(in: -50_000...100_000, using: &rng)) / 100
            // Every fifth event goes to another profile's store, merged in every 100 steps.
            if step % 5 == 0 {
                _ = other.add(at: t, value: v, now: now)
                _ = reference.add(t, v, now: now)
            } else {
                #expect(store.add(at: t, value: v, now: now) == reference.add(t, v, now: now), "step \(step)")
            }
            _ = plain.add(at: t, value: v, now: now)
            if step % 100 == 99 {
                store.absorb(other, now: now)
                other = WindowBuckets(window: window, tracksExtremes: true)
            }
            if step % 7 == 0 { store.expire(now: now) }
            guard step % 100 == 99 else { continue }
            let probe = now + Int64.random(in: 0...window, using: &rng) * (step % 3 == 0 ? 1 : 0)
            let kept = reference.events.filter { reference.inWindow($0.time, probe) }.map(\.value)
            let got = store.aggregate(now: probe)
            #expect(got.count == Int64(kept.count), "step \(step)")
            #expect(got.min == kept.min(), "step \(step)")
            #expect(got.max == kept.max(), "step \(step)")
            #expect(plain.aggregate(now: probe).min == nil)
        }
    }

    /// Every event inside (now − D, now] counts; none at or before now − D − w does.
    @Test func precisionIsOneBucket() {
        var rng = SeededGenerator(seed: 9)
        for window in [45 * minute, 12 * hour, 30 * day] {
            var store = WindowBuckets(window: window)
            let width = store.width
            let now = jan1 + 1234 * minute + 17
            var inside = 0, straddling = 0
            for _ in 0..<500 {
                let age = Int64.random(in: 0..<(window + 2 * width), using: &rng)
                if store.add(at: now - age, value: 1, now: now) { if age < window { inside += 1 } else { straddling += 1 } }
                else { #expect(age >= window) }
                #expect(age < window + width || !store.add(at: now - age, value: 1, now: now))
            }
            #expect(store.aggregate(now: now).count == Int64(inside + straddling))
        }
    }

    @Test func deadlineIsWhenTheOldestBucketLeaves() {
        var store = WindowBuckets(window: day) // hour buckets
        store.add(at: jan1 + 10 * hour + 5 * minute, value: 2, now: jan1 + 11 * hour)
        store.add(at: jan1 + 11 * hour, value: 3, now: jan1 + 11 * hour)
        #expect(store.nextChange(now: jan1 + 11 * hour) == jan1 + 11 * hour + day)
        #expect(store.aggregate(now: jan1 + 11 * hour + day - 1) == AggregateValue(count: 2, sum: 5))
        #expect(store.aggregate(now: jan1 + 11 * hour + day) == AggregateValue(count: 1, sum: 3))
        #expect(store.nextChange(now: jan1 + 11 * hour + day) == jan1 + 12 * hour + day)
        #expect(store.nextChange(now: jan1 + 12 * hour + day) == nil)
        store.expire(now: jan1 + 12 * hour + day)
        #expect(store.bucketCount == 0)
    }

    @Test func absorbEqualsAddingBothEventSets() {
        var rng = SeededGenerator(seed: 11)
        var a = WindowBuckets(window: 7 * day), b = a, both = a
        let now = jan1 + 30 * day
        for i in 0..<200 {
            let t = now - Int64.random(in: 0..<(8 * day), using: &rng)
            let v = Double(Int.random(in: 1...999, using: &rng))
            if i % 2 == 0 { a.add(at: t, value: v, now: now) } else { b.add(at: t, value: v, now: now) }
            both.add(at: t, value: v, now: now)
        }
        a.absorb(b, now: now)
        #expect(a == both)
    }

    @Test func memoryIsSixteenBytesPerBucket() {
        var store = WindowBuckets(window: 90 * day)
        for d in 0..<90 { store.add(at: jan1 - Int64(d) * day, value: 1, now: jan1) }
        #expect(store.bucketCount == 90)
        #expect(MemoryLayout<WindowBuckets.Bucket>.stride == 16)
        // The report counts the array's capacity, which growth (and the allocator) may leave up to twice the count.
        #expect(store.memoryBytes == MemoryLayout<WindowBuckets>.size + 32 + store.buckets.capacity * 16)
        #expect(store.buckets.capacity < 2 * 90 + 16)
    }

    /// Issue 8: windowed sums saturated in `micros` and then wrapped when added (a sum could turn negative).
    /// Within the documented range (every partial sum within ±9,223,372,036,854 units) they are exact; beyond
    /// it they clamp at the bound, in buckets, across buckets, in all-time totals and in merges.
    @Test func windowedSumsAreExactInRangeAndClampBeyondItNeverWrap() {
        let day: Int64 = 86_400_000_000
        let now = 100 * day
        var b = WindowBuckets(window: 30 * day)
        b.add(at: now - day, value: 4e12, now: now)
        b.add(at: now - day, value: 4e12, now: now)
        #expect(b.aggregate(now: now).sum == 8e12, "exact within the range")
        b.add(at: now - day, value: 4e12, now: now) // the same bucket passes the bound
        b.add(at: now - 2 * day, value: 1e20, now: now) // one value beyond it, in another bucket
        let top = Double(Int64.max) / 1_000_000
        #expect(b.aggregate(now: now).sum == top)
        #expect(b.aggregate(now: now).count == 4)

        var negative = WindowBuckets(window: 30 * day)
        for d in 1...3 { negative.add(at: now - Int64(d) * day, value: -5e12, now: now) }
        #expect(negative.aggregate(now: now).sum == Double(Int64.min) / 1_000_000)

        var merged = WindowBuckets(window: 30 * day)
        merged.add(at: now - day, value: 6e12, now: now)
        var other = WindowBuckets(window: 30 * day)
        other.add(at: now - day, value: 6e12, now: now)
        merged.absorb(other, now: now)
        #expect(merged.aggregate(now: now).sum == top)

        let store = TermStore(term: try! CompiledRule(compiling: "sum(purchase.amount) > 0").terms[0])
        for _ in 0..<3 { store.add(0, at: now, value: 4e12, now: now) }
        #expect(store.value(0, now: now).sum == top)
        #expect(store.value(0, now: now).count == 3)
    }
}
