import Daicho
import Dispatch

/// One customer's events, read from the log through the projection's per-profile index.
public enum Timeline {
    /// Offsets from which the frames are read by two threads (each frame read costs about 1–2 ms: read, checksum
    /// and decompress the whole frame, decode the events wanted).
    static let parallelFrom = 4

    /// The events of profile `p`, newest first (by event time, then offset), at most `limit`; only those of `types`
    /// when given. Reads only the frames that hold them; with several, on two threads (a second reader of the same log).
    public static func events(of p: UInt32, in projection: ProfileProjection, reader: EventReader, limit: Int? = nil,
                              types: Set<EventType>? = nil) throws -> [(UInt64, Event)] {
        try events(at: projection.eventOffsets(of: p).sorted(), reader: reader, limit: limit, types: types)
    }

    /// The events at `offsets` (ascending: one profile's, e.g. from `SnapshotProfiles.eventOffsets(of:)`), newest
    /// first (by event time, then offset), at most `limit`; only those of `types` when given.
    public static func events(at offsets: [UInt64], reader: EventReader, limit: Int? = nil,
                              types: Set<EventType>? = nil) throws -> [(UInt64, Event)] {
        var events: [(UInt64, Event)]
        if offsets.count >= parallelFrom {
            let half = offsets.count / 2
            // One result slot per thread, written by that thread only.
            let parts = UnsafeMutableBufferPointer<Result<[(UInt64, Event)], any Error>>.allocate(capacity: 2)
            parts.initialize(repeating: .success([]))
            defer { parts.deinitialize().deallocate() }
            nonisolated(unsafe) let slots = parts
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                slots[i] = Result {
                    i == 0 ? try read(offsets[..<half], reader, types)
                           : try read(offsets[half...], EventReader(reader.directory), types)
                }
            }
            events = try parts[0].get() + parts[1].get()
        } else {
            events = try read(offsets[...], reader, types)
        }
        events.sort { ($0.1.at, $0.0) > ($1.1.at, $1.0) }
        if let limit, events.count > limit { events.removeSubrange(limit...) }
        return events
    }

    /// The events at `offsets` (ascending) of `types` (all when nil), in that order, one frame read per frame that
    /// holds any.
    private static func read(_ offsets: ArraySlice<UInt64>, _ reader: EventReader, _ types: Set<EventType>?) throws -> [(UInt64, Event)] {
        var events: [(UInt64, Event)] = []
        events.reserveCapacity(offsets.count)
        var i = offsets.startIndex
        while i < offsets.endIndex {
            let before = i
            events += try reader.materialize(inFrameContaining: offsets[i], selecting: { o in
                guard i < offsets.endIndex && offsets[i] == o else { return false }
                i += 1
                return true
            }, types: types)
            if i == before { throw StoreError(.corrupt, "the log has no event at offset \(offsets[i]), which the profile index lists; rebuild with `daicho replay`", path: reader.directory.logPath, offset: offsets[i]) }
        }
        return events
    }
}
