import Daicho

// One profile's record in the snapshot's profiles section (docs/profile.md "Snapshots", section 2): everything
// `profile` and `timeline` print about one customer, so a query reads one record instead of the projection.
//
// record     := empty (an absorbed profile) | living
// living     := id_hash:u64 last_source:varint (symbol + 1, 0 none)
//               event_count:varint offset_delta:varint × n (ascending; the first from 0)
//               identifier_count:varint (node:varint kind:u8 length:varint value linked) × n (by kind, value;
//               node: its number in the identity graph, whose nodes a full restore rebuilds from these; linked:
//               the event that attached it, as its index in the event list + 1 (varint), or 0 and its offset)
//               merged_count:varint merged_id:u64 × n (oldest first)
//               conflicts:varint recent_count:varint (offset:varint kind_count:varint kind:u8 × k) × n
//               aggregates (ProfileAggregates+Serialization.swift) to the end of the record
// A block of the section holds whole records, each as length:varint then its bytes, profile numbers ascending
// from the block's key.

/// One living profile as stored in the snapshot's profiles section.
struct ProfileRecord {
    var idHash: UInt64 = 0
    var lastSource = ProfileProjection.none
    var events: [UInt64] = []
    var identifiers: [(kind: UInt8, value: String, linkedAt: UInt64)] = []
    var mergedIDs: [UInt64] = []
    var conflicts: (count: Int, recent: [(offset: UInt64, kinds: [UInt8])]) = (0, [])
    /// Where the serialized aggregates lie in the bytes the record was read from.
    var aggregates: Range<Int> = 0..<0

    /// Appends profile `p` of `projection` (living) in the record format; `events` ascending.
    static func write(_ p: UInt32, of projection: ProfileProjection, events: ArraySlice<UInt32>, to out: inout [UInt8]) {
        typealias W = AggregateWriter
        let graph = projection.graph
        W.fixed64(graph.idHash[Int(p)], &out)
        let source = projection.heads[Int(p)].lastSource
        W.varint(source == ProfileProjection.none ? 0 : UInt64(source) + 1, &out)
        W.varint(UInt64(events.count), &out)
        var previous: UInt64 = 0
        for o in events { W.varint(UInt64(o) - previous, &out); previous = UInt64(o) }
        W.varint(UInt64(graph.identifierCount(of: p)), &out)
        graph.forEachIdentifierNode(of: p) { node, kind, value, linkedAt in
            W.varint(UInt64(node), &out)
            out.append(kind)
            W.varint(UInt64(value.count), &out)
            out.append(contentsOf: value)
            // The event that linked it is the profile's (it was attributed to the profile it joined): its index in
            // the event list + 1, a byte or two where the offset took three or four; 0 then the offset otherwise.
            if let i = index(of: linkedAt, in: events) { W.varint(UInt64(i - events.startIndex) + 1, &out) }
            else { W.varint(0, &out); W.varint(linkedAt, &out) }
        }
        let merged = graph.mergedIDs[p] ?? []
        W.varint(UInt64(merged.count), &out)
        for m in merged { W.fixed64(m, &out) }
        let conflicts = graph.conflicts(of: p)
        W.varint(UInt64(conflicts.count), &out)
        W.varint(UInt64(conflicts.recent.count), &out)
        for c in conflicts.recent {
            W.varint(c.offset, &out)
            W.varint(UInt64(c.kinds.count), &out)
            out.append(contentsOf: c.kinds)
        }
        projection.aggregatesForSnapshot(Int(p), into: &out)
    }

    /// The index of `offset` in `events` (ascending), if it is there.
    private static func index(of offset: UInt64, in events: ArraySlice<UInt32>) -> Int? {
        guard offset <= UInt64(UInt32.max) else { return nil }
        let (i, found) = events.sortedIndex(of: UInt32(offset), by: { $0 })
        return found ? i : nil
    }

    /// Reads a living record (`bytes` is exactly the record). With `node`, each identifier goes to it (node number,
    /// kind, value bytes valid during the call, linked-at offset) instead of `identifiers`, and merged ids and
    /// conflicts are skipped: a full restore has those in the identity section.
    /// - Throws: when the record is truncated or malformed (or `node` throws).
    static func read(_ bytes: UnsafeRawBufferPointer,
                     node: ((UInt32, UInt8, UnsafeRawBufferPointer, UInt64) throws -> Void)? = nil) throws -> ProfileRecord {
        let withIdentity = node == nil
        var r = AggregateReader(bytes)
        var record = ProfileRecord()
        record.idHash = try r.fixed64()
        let source = try r.varint()
        guard source <= UInt64(UInt32.max) else { throw ProfileSnapshotError(message: "record source out of range") }
        record.lastSource = source == 0 ? ProfileProjection.none : UInt32(source - 1)
        let n = try r.count()
        record.events.reserveCapacity(n)
        var offset: UInt64 = 0
        for i in 0..<n {
            let delta = try r.varint()
            guard i == 0 || delta > 0, delta <= UInt64(UInt32.max) - offset else { throw ProfileSnapshotError(message: "record events out of order") }
            offset += delta
            record.events.append(offset)
        }
        for _ in 0..<(try r.count()) {
            let n = try r.u32()
            let kind = try r.byte()
            let length = try r.count()
            let value = UnsafeRawBufferPointer(rebasing: bytes[r.position..<(r.position + length)])
            r.position += length
            let linkedIndex = try r.varint()
            let linkedAt: UInt64
            if linkedIndex == 0 { linkedAt = try r.varint() }
            else {
                guard linkedIndex <= UInt64(record.events.count) else { throw ProfileSnapshotError(message: "record identifier links event \(linkedIndex) of \(record.events.count)") }
                linkedAt = record.events[Int(linkedIndex - 1)]
            }
            if let node { try node(n, kind, value, linkedAt) }
            else { record.identifiers.append((kind, String(decoding: value, as: UTF8.self), linkedAt)) }
        }
        for _ in 0..<(try r.count()) {
            let m = try r.fixed64()
            if withIdentity { record.mergedIDs.append(m) }
        }
        record.conflicts.count = Int(clamping: try r.varint())
        for _ in 0..<(try r.count()) {
            let at = try r.varint()
            var kinds: [UInt8] = []
            for _ in 0..<(try r.count()) { kinds.append(try r.byte()) }
            if withIdentity { record.conflicts.recent.append((at, kinds)) }
        }
        record.aggregates = r.position..<bytes.count
        return record
    }

    /// The records of a block, in order: each one's range in `block` (empty for an absorbed profile).
    static func ranges(in block: UnsafeRawBufferPointer) throws(ProfileSnapshotError) -> [Range<Int>] {
        var r = AggregateReader(block)
        var out: [Range<Int>] = []
        while r.position < block.count {
            let n = try r.count()
            out.append(r.position..<(r.position + n))
            r.position += n
        }
        return out
    }
}
