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
}
