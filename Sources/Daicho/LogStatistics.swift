import DaichoLog

/// What `daicho stats` reports, computed by one pass over the log.
public struct LogStatistics: Sendable {
    public var events = 0
    public var eventsByType: [EventType: Int] = [:]
    public var firstEventTime: Int64?
    public var lastEventTime: Int64?
    public var firstOffset: UInt64 = 0
    public var endOffset: UInt64 = 0
    public var frames = 0
    public var bytesOnDisk = 0
    public var uncompressedBytes = 0
    /// NDJSON bytes of the appended events (recorded in each batch header).
    public var ndjsonBytes = 0
    public var segments: [SegmentInfo] = []

    /// NDJSON bytes per byte on disk.
    public var compressionRatio: Double { bytesOnDisk == 0 ? 0 : Double(ndjsonBytes) / Double(bytesOnDisk) }

    /// Scans the whole log.
    /// - Complexity: O(events); decodes every batch but materializes nothing.
    public static func compute(_ reader: EventReader) throws -> LogStatistics {
        var s = LogStatistics()
        s.segments = reader.log.segments
        s.bytesOnDisk = s.segments.reduce(0) { $0 + $1.bytes }
        s.uncompressedBytes = s.segments.reduce(0) { $0 + $1.uncompressedBytes }
        s.endOffset = reader.endOffset
        var counts = [Int](repeating: 0, count: 256)
        var first = Int64.max, last = Int64.min
        var firstOffset: UInt64?
        let decoder = BatchDecoder()
        try reader.log.forEachFrame(from: 0) { frame in
            if firstOffset == nil { firstOffset = frame.baseOffset }
            s.frames += 1
            let header = try decoder.forEach(in: frame.payload) { view in
                counts[Int(view.type.rawValue)] += 1
                if view.at < first { first = view.at }
                if view.at > last { last = view.at }
            }
            s.events += header.records
            s.ndjsonBytes += header.sourceBytes
            return true
        }
        for t in EventType.allCases where counts[Int(t.rawValue)] > 0 { s.eventsByType[t] = counts[Int(t.rawValue)] }
        if s.events > 0 { s.firstEventTime = first; s.lastEventTime = last }
        s.firstOffset = firstOffset ?? 0
        return s
    }

    /// A frame whose checksum is fine but whose event batch does not decode.
    public struct BatchProblem: Sendable {
        public var offset: UInt64
        public var message: String
    }

    /// Decodes every batch of the log and every event's props; returns the batches that fail.
    public static func batchProblems(_ reader: EventReader) -> [BatchProblem] {
        var problems: [BatchProblem] = []
        let decoder = BatchDecoder()
        do {
            try reader.log.forEachFrame(from: 0) { frame in
                do {
                    let header = try decoder.forEach(in: frame.payload) { view in _ = try view.materialize() }
                    if header.records != frame.recordCount {
                        problems.append(BatchProblem(offset: frame.baseOffset,
                                                     message: "frame says \(frame.recordCount) events, its batch holds \(header.records)"))
                    }
                } catch {
                    problems.append(BatchProblem(offset: frame.baseOffset, message: "\(error)"))
                }
                return true
            }
        } catch {
            problems.append(BatchProblem(offset: 0, message: "\(error)"))
        }
        return problems
    }
}
