/// A min-heap of (deadline, segment, profile): when the clock reaches a deadline, that profile's membership of
/// that segment is re-evaluated (docs/segments.md "Re-evaluation"). Entries made stale by a later evaluation
/// stay in the heap and are skipped when popped.
struct DeadlineHeap {
    struct Entry: Comparable {
        var time: Int64
        /// The segment's definition sequence number (stable across drops).
        var segment: UInt32
        var profile: UInt32

        static func < (a: Entry, b: Entry) -> Bool {
            (a.time, a.segment, a.profile) < (b.time, b.segment, b.profile)
        }
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var min: Entry? { entries.first }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i] < entries[parent] else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < entries.count, entries[l] < entries[m] { m = l }
                if r < entries.count, entries[r] < entries[m] { m = r }
                if m == i { break }
                entries.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
