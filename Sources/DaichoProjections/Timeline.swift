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
    /// first (by event time, then offset), at most `limit`; only those of `types` when given, and only those older
    /// than `before` (by event time, then offset: the last event of the previous page) when given.
    ///
    /// With a `limit` below the number of offsets, frames are read newest first and reading stops as soon as no
    /// earlier frame can hold an event that belongs on the page: the log index knows the largest event time of the
    /// frames before each one (docs/log-format.md), so a page of a long history reads the few frames it shows.
    public static func events(at offsets: [UInt64], reader: EventReader, limit: Int? = nil, types: Set<EventType>? = nil,
                              before: (at: Int64, offset: UInt64)? = nil) throws -> [(UInt64, Event)] {
        if let limit, limit < offsets.count {
            return try newest(offsets, reader: reader, limit: limit, types: types, before: before)
        }
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
        if let before { events.removeAll { ($0.1.at, $0.0) >= before } }
        events.sort(by: newestFirst)
        if let limit, events.count > limit { events.removeSubrange(limit...) }
        return events
    }

    /// The newest `limit` events at `offsets` (older than `before`, of `types`), reading one frame at a time from
    /// the newest: once `limit` events are held, a frame is read only if the largest event time of it and every
    /// earlier frame reaches the oldest event held (an event of an earlier frame with the same time has a lower
    /// offset, so it sorts after it).
    private static func newest(_ offsets: [UInt64], reader: EventReader, limit: Int, types: Set<EventType>?,
                               before: (at: Int64, offset: UInt64)?) throws -> [(UInt64, Event)] {
        var kept: [(UInt64, Event)] = []
        var high = offsets.endIndex
        while high > offsets.startIndex {
            guard let start = reader.frameStart(containing: offsets[high - 1]) else { throw missing(offsets[high - 1], reader) }
            var low = high - 1
            while low > offsets.startIndex && offsets[low - 1] >= start { low -= 1 }
            var frame = try read(offsets[low..<high], reader, types)
            if let before { frame.removeAll { ($0.1.at, $0.0) >= before } }
            kept += frame
            high = low
            guard kept.count >= limit else { continue }
            kept.sort(by: newestFirst)
            kept.removeSubrange(limit...)
            if let earlier = reader.maxEventTime(before: start), kept[limit - 1].1.at >= earlier { break }
        }
        kept.sort(by: newestFirst)
        if kept.count > limit { kept.removeSubrange(limit...) }
        return kept
    }

    /// Newest first: by event time, then offset.
    private static func newestFirst(_ a: (UInt64, Event), _ b: (UInt64, Event)) -> Bool { (a.1.at, a.0) > (b.1.at, b.0) }

    private static func missing(_ offset: UInt64, _ reader: EventReader) -> StoreError {
        StoreError(.corrupt, "the log has no event at offset \(offset), which the profile index lists; rebuild with `daicho replay`",
                   path: reader.directory.logPath, offset: offset)
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
            if i == before { throw missing(offsets[i], reader) }
        }
        return events
    }
}
