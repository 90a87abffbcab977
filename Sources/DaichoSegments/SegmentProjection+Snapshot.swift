import Daicho
import DaichoProjections

// The segment projection's state inside the profile snapshot's dependents section (docs/segments.md
// "Snapshots"): the clock, the feed position, every segment (its definition, members with entry times and
// pending deadlines) and every term store, then the segments' size histories (with a version of their own).
// Rules are recompiled on restore; the deadline heap is rebuilt from the segments' pending deadlines (stale heap
// entries are never needed). Version 3 added the histories: an older state is rebuilt by replay, which counts them.

extension SegmentProjection {
    static let stateVersion: UInt64 = 3

    /// The state to store beside the profiles at `nextOffset`.
    public func encodeState() -> [UInt8] {
        var w = SnapshotWriter()
        w.u64(Self.stateVersion)
        w.u64(nextOffset)
        w.i64(clock)
        w.u64(feedCount)
        w.u64(UInt64(nextSequence))
        w.count(segments.count)
        for s in segments {
            w.u64(UInt64(s.sequence))
            for text in [s.name, s.text, s.description] { var t = text; t.withUTF8 { w.data(UnsafeRawBufferPointer($0)) } }
            w.i64(s.definedAt)
            w.u64(s.definedOffset)
            let members = s.members.sorted
            w.count(members.count)
            for p in members { w.varint(UInt64(p)); w.i64(s.members.since[p]!) }
            let deadlines = s.deadlines.keys.sorted()
            w.count(deadlines.count)
            for p in deadlines { w.varint(UInt64(p)); w.i64(s.deadlines[p]!) }
        }
        // Term stores: identified by the first segment (definition order) and term index that use them.
        w.count(stores.count)
        for (id, store) in stores.enumerated() {
            guard let store else { w.u8(0); continue }
            w.u8(1)
            let (segment, term) = firstUse(of: id)
            w.u64(UInt64(segments[segment].sequence))
            w.count(term)
            var contents = SnapshotWriter()
            store.encode(into: &contents)
            contents.bytes.withUnsafeBytes { w.data($0) }
        }
        w.u64(SegmentHistory.version)
        for s in segments { s.history.encode(into: &w) }
        return w.bytes
    }

    private func firstUse(of id: Int) -> (segment: Int, term: Int) {
        for (i, s) in segments.enumerated() {
            if let t = s.terms.firstIndex(of: id) { return (i, t) }
        }
        preconditionFailure("term store \(id) has no segment")
    }

    /// Restores state written by `encodeState` over `profiles` (restored from the same snapshot).
    /// - Throws: `SnapshotError` when the bytes are damaged or were written at another offset.
    public convenience init(profiles: ProfileProjection, restoring state: [UInt8], history: EventReader?) throws {
        self.init(unchecked: profiles, history: history)
        profiles.loadSnapshotSections()
        let storeRanges = try state.withUnsafeBytes { try restore($0) }
        for (id, term, range) in storeRanges {
            stores[id] = TermStore(term: term, encoded: state[range])
            termIDs[term] = id
        }
        try assignTerms()
        restoredFrom = profiles.nextOffset
    }

    /// Restores everything but the term stores' contents; returns, per store, its id, term and where its
    /// contents are in the state bytes (decoded on first use).
    private func restore(_ raw: UnsafeRawBufferPointer) throws -> [(Int, AggregateTerm, Range<Int>)] {
        var storeRanges: [(Int, AggregateTerm, Range<Int>)] = []
        do {
            var r = SnapshotReader(raw)
            guard try r.u64() == Self.stateVersion else { throw SnapshotError("segment state of another version") }
            guard try r.u64() == profiles.nextOffset else { throw SnapshotError("segment state of another offset") }
            clock = try r.i64()
            feedCount = try r.u64()
            nextSequence = UInt32(truncatingIfNeeded: try r.u64())
            for _ in 0..<(try r.count()) {
                let sequence = UInt32(truncatingIfNeeded: try r.u64())
                let name = String(decoding: try r.data(), as: UTF8.self)
                let text = String(decoding: try r.data(), as: UTF8.self)
                let description = String(decoding: try r.data(), as: UTF8.self)
                let definedAt = try r.i64(), definedOffset = try r.u64()
                let state = SegmentState(sequence: sequence, name: name, text: text, description: description,
                                         definedAt: definedAt, definedOffset: definedOffset, symbols: profiles.symbols)
                let memberCount = try r.count()
                state.members.reserve(memberCount)
                for _ in 0..<memberCount {
                    let p = UInt32(truncatingIfNeeded: try r.varint())
                    state.members.insert(p, since: try r.i64())
                }
                let deadlineCount = try r.count()
                state.deadlines.reserveCapacity(deadlineCount)
                for _ in 0..<deadlineCount {
                    let p = UInt32(truncatingIfNeeded: try r.varint())
                    let deadline = try r.i64()
                    state.deadlines[p] = deadline
                    heap.push(DeadlineHeap.Entry(time: deadline, segment: sequence, profile: p))
                }
                segments.append(state)
                bySequence[sequence] = state
            }
            let storeCount = try r.count()
            stores = Array(repeating: nil, count: storeCount)
            for id in 0..<storeCount {
                guard try r.u8() == 1 else { continue }
                let sequence = UInt32(truncatingIfNeeded: try r.u64())
                let termIndex = try r.count(minimumBytes: 0)
                guard let owner = bySequence[sequence], let rule = owner.rule, termIndex < rule.terms.count else {
                    throw SnapshotError("term store \(id) names no segment term")
                }
                let contents = try r.data()
                let start = r.position - contents.count
                storeRanges.append((id, rule.terms[termIndex], start..<r.position))
            }
            guard try r.u64() == SegmentHistory.version else { throw SnapshotError("segment size history of another version") }
            for s in segments { s.history = try SegmentHistory(from: &r) }
            guard r.isAtEnd else { throw SnapshotError("bytes after the segment state") }
        }
        return storeRanges
    }

    /// Each segment's terms by rule order, and the users of each store.
    private func assignTerms() throws {
        for s in segments {
            guard let rule = s.rule else { continue }
            var ids: [Int] = []
            for term in rule.terms {
                guard let id = termIDs[term] else { throw SnapshotError("segment \(s.name) has a term without a store") }
                stores[id]!.users += 1
                ids.append(id)
            }
            s.terms = ids
        }
        rebuildDependencies()
    }
}
