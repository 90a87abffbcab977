import Daicho

// The dashboard section of the profile snapshot (docs/profile.md "Snapshots", section 6), zstd-compressed:
//
//   dimensions: count (varint), then each dimension's symbol number (varint), from dimension 1 on
//   orders seen: the bitset's words up to the last nonzero one (SnapshotWriter.array of u64)
//   days: count, then per day in day order: day (varint of its 32-bit two's complement), the 7 event counts, new
//         and returning buyers, merges, refused merges, new profiles (varints)
//   purchases: count, then per key ascending: key (varint), revenue (i64 low and high halves), orders (varint)
//   inquiries: count, then per key ascending: key, opened, closed (varints)
//   mentions: count, then per key ascending: key, mentions, sentiment count (varints), sentiment sum (i64), reach
//
// Keys and days are sorted, so a replay and a restore write the same bytes.

extension DashboardAggregates {
    /// Appends the section's plain bytes.
    func write(to w: inout SnapshotWriter) {
        w.count(dimensionSymbols.count - 1)
        for s in dimensionSymbols.dropFirst() { w.varint(UInt64(s)) }
        // Up to the last word with a bit set: the in-memory array grows ahead by halves, differently after a restore.
        w.array(Array(ordersSeen[..<((ordersSeen.lastIndex { $0 != 0 } ?? -1) + 1)]))
        let all = allDays.filter { $0.value != DashboardDay() }.sorted { $0.key < $1.key }
        w.count(all.count)
        for (day, f) in all {
            w.varint(UInt64(UInt32(bitPattern: day)))
            for i in 0..<7 { w.varint(UInt64(f.events[i])) }
            for v in [f.newBuyers, f.returningBuyers, f.merges, f.refused, f.newProfiles] { w.varint(UInt64(v)) }
        }
        w.count(purchases.count)
        for (k, v) in purchases.sorted(by: { $0.key < $1.key }) {
            w.varint(k)
            w.u64(UInt64(truncatingIfNeeded: v.revenue))
            w.i64(Int64(truncatingIfNeeded: v.revenue >> 64))
            w.varint(UInt64(v.orders))
        }
        w.count(inquiries.count)
        for (k, v) in inquiries.sorted(by: { $0.key < $1.key }) {
            w.varint(k)
            w.varint(UInt64(v.opened))
            w.varint(UInt64(v.closed))
        }
        w.count(mentions.count)
        for (k, v) in mentions.sorted(by: { $0.key < $1.key }) {
            w.varint(k)
            w.varint(UInt64(v.mentions))
            w.varint(UInt64(v.sentimentCount))
            w.i64(v.sentimentSum)
            w.varint(UInt64(v.reach))
        }
    }

    /// Fills this (empty) state from the section's plain bytes.
    /// - Throws: `SnapshotError` when they are damaged.
    func read(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { b in
            var r = SnapshotReader(b)
            try read(from: &r)
            guard r.isAtEnd else { throw SnapshotError("bytes after the dashboard aggregates") }
        }
    }

    /// Replaces this (empty) state with the section's.
    /// - Throws: `SnapshotError` when the bytes are truncated or name a dimension or category out of range.
    func read(from r: inout SnapshotReader) throws(SnapshotError) {
        let dimensions = try r.count()
        guard dimensions < Int(Self.otherDimension) else { throw SnapshotError("dashboard: too many dimensions") }
        for _ in 0..<dimensions { _ = dimension(UInt32(truncatingIfNeeded: try r.varint())) }
        guard dimensionSymbols.count == dimensions + 1 else { throw SnapshotError("dashboard: a dimension is listed twice") }
        ordersSeen = try r.array(of: UInt64.self)
        func count() throws(SnapshotError) -> Int64 {
            let v = try r.varint()
            guard v <= UInt64(Int64.max) else { throw SnapshotError("dashboard: count out of range") }
            return Int64(v)
        }
        func key(_ check: (UInt16, UInt16) -> Bool) throws(SnapshotError) -> UInt64 {
            let k = try r.varint()
            let (_, a, b) = Self.parts(k)
            guard check(a, b) else { throw SnapshotError("dashboard: key out of range") }
            return k
        }
        let known = { (d: UInt16) in Int(d) < self.dimensionSymbols.count || d == Self.otherDimension }
        for _ in 0..<(try r.count()) {
            let day = Int32(bitPattern: UInt32(truncatingIfNeeded: try r.varint()))
            var f = DashboardDay()
            for i in 0..<7 { f.events[i] = try count() }
            f.newBuyers = try count()
            f.returningBuyers = try count()
            f.merges = try count()
            f.refused = try count()
            f.newProfiles = try count()
            days[day] = f
        }
        for _ in 0..<(try r.count()) {
            let k = try key { known($0) && known($1) }
            let low = try r.u64(), high = try r.i64()
            purchases[k] = DashboardPurchases(revenue: Int128(high) << 64 | Int128(low), orders: try count())
        }
        for _ in 0..<(try r.count()) {
            let k = try key { Int($0) < Self.categoryNames.count && known($1) }
            inquiries[k] = DashboardInquiries(opened: try count(), closed: try count())
        }
        for _ in 0..<(try r.count()) {
            let k = try key { $0 == 0 && known($1) }
            mentions[k] = DashboardMentions(mentions: try count(), sentimentCount: try count(), sentimentSum: try r.i64(), reach: try count())
        }
    }
}
