import Daicho

/// One customer's events, read from the log through the projection's per-profile index.
public enum Timeline {
    /// The events of profile `p`, newest first (by event time, then offset), at most `limit`.
    /// Reads only the frames that hold them.
    public static func events(of p: UInt32, in projection: ProfileProjection, reader: EventReader, limit: Int? = nil) throws -> [(UInt64, Event)] {
        let offsets = projection.eventOffsets(of: p).sorted()
        var events: [(UInt64, Event)] = []
        events.reserveCapacity(offsets.count)
        var i = 0
        while i < offsets.count {
            let before = i
            try reader.forEachInFrame(containing: offsets[i]) { o, view in
                if i < offsets.count && offsets[i] == o {
                    events.append((o, try view.materialize()))
                    i += 1
                }
            }
            if i == before { throw StoreError("the log has no event at offset \(offsets[i])") }
        }
        events.sort { ($0.1.at, $0.0) > ($1.1.at, $1.0) }
        if let limit, events.count > limit { events.removeSubrange(limit...) }
        return events
    }
}
