// Recovery on open for writing. See docs/log-format.md §8 (the durable mark rule).
#if canImport(Glibc)
import Glibc
#endif

/// What recovery did when the writer opened the log.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// The segment whose torn tail (bytes beyond the durable mark) was cut off, if any.
    public var truncatedFile: String?
    /// The byte position the file was truncated at, if any.
    public var truncatedAtByte: Int?
    /// Bytes removed (0 when the log was clean).
    public var droppedBytes: Int
    /// Whether `head` was missing or unreadable and was rebuilt from the frames.
    public var rebuiltHead: Bool = false
    /// A one-line summary.
    public var description: String
}

/// The state of the log after recovery: where appending continues.
struct RecoveredLog {
    var nextOffset: UInt64
    var activeBase: UInt64
    var active: PosixFile
    var activeSize: Int
    var report: RecoveryReport
}

/// The durable mark: what `head` says was acknowledged, as a byte limit of the last segment.
struct DurableMark {
    /// Bytes of the last segment at or below the mark (acknowledged); `Int.max` when every byte counts
    /// (no readable `head`: nothing can be told apart from acknowledged data).
    var bytes: Int
    /// One past the last acknowledged record, when known.
    var nextOffset: UInt64?
    /// Why the mark is what it is, for messages.
    var source: String
    /// What is wrong with `head` when it has to be rebuilt from the frames ("head is missing"), else nil.
    var headProblem: String?

    /// Reads `head` and places the mark in the last segment (base `lastBase`).
    /// - Throws: `.corrupt` when `head` names a segment that is not there.
    static func read(directory: String, lastBase: UInt64, anyBytes: Bool) throws(LogError) -> DurableMark {
        switch try HeadRecord.read(directory: directory) {
        case .record(let head):
            if head.activeSegmentBase > lastBase {
                throw LogError(.corrupt, "head publishes active segment \(LogFormat.segmentFileName(base: head.activeSegmentBase)) (events up to offset \(head.nextOffset)) but the last segment file is \(LogFormat.segmentFileName(base: lastBase)): acknowledged segment files are missing. Run `daicho verify` on this data directory.", path: directory)
            }
            return DurableMark(bytes: head.durableBytes(ofSegment: lastBase), nextOffset: head.nextOffset,
                               source: "the durable mark in head (offset \(head.nextOffset), byte \(head.durableBytes) of \(LogFormat.segmentFileName(base: head.activeSegmentBase)))")
        case .missing:
            return DurableMark(bytes: anyBytes ? Int.max : 0, nextOffset: nil,
                               source: "head is missing, so every byte counts as acknowledged", headProblem: anyBytes ? "head was missing" : nil)
        case .unreadable:
            return DurableMark(bytes: anyBytes ? Int.max : 0, nextOffset: nil,
                               source: "head does not decode, so every byte counts as acknowledged", headProblem: anyBytes ? "head did not decode" : nil)
        }
    }
}

enum Recovery {
    /// Checks the segment chain, truncates a torn tail of the last segment (only bytes beyond the durable
    /// mark) and syncs it.
    /// - Throws: `.corrupt` (telling the user to run `daicho verify`) for damage at or below the durable
    ///   mark and for any inconsistency; `.io` for failing system calls. Nothing is truncated then.
    static func recover(directory: String) throws(LogError) -> RecoveredLog {
        var segments = try LogDirectory.segments(in: directory)
        if segments.isEmpty {
            let path = directory + "/" + LogFormat.segmentFileName(base: 0)
            let created = try PosixFile.open(path, flags: O_RDWR | O_CREAT)
            try created.syncData()
            try LogDirectory.sync(directory)
            segments = [(0, path)]
        }
        // The log starts at offset 0 (§1): a first segment with a higher base means the files before it are gone.
        guard segments[0].base == 0 else {
            throw corrupt(directory, LogDirectory.missingFirstSegments(segments[0]))
        }
        var expected: UInt64 = 0
        for segment in segments.dropLast() {
            expected = try checkChain(segment: segment, expected: expected, directory: directory)
        }
        let last = segments[segments.count - 1]
        guard last.base == expected else {
            throw corrupt(directory, "segment \(last.path) starts at offset \(last.base) but the previous segment ends at offset \(expected)")
        }
        let file = try PosixFile.open(last.path, flags: O_RDWR)
        let size = try file.size()
        let mark = try DurableMark.read(directory: directory, lastBase: last.base, anyBytes: segments.count > 1 || size > 0)
        let scanner = SegmentScanner(file: file, limit: size)
        var position = 0
        var report = RecoveryReport(truncatedFile: nil, truncatedAtByte: nil, droppedBytes: 0, description: "clean: no torn tail")
        scan: while true {
            if position == mark.bytes, let acknowledged = mark.nextOffset, acknowledged != expected {
                throw corrupt(directory, "\(last.path): the frames up to byte \(position) end at offset \(expected), but \(mark.source) says \(acknowledged)")
            }
            switch try scanner.probe(at: position) {
            case .end:
                if position < mark.bytes && mark.bytes != Int.max {
                    throw corrupt(directory, "\(last.path) ends at byte \(position) (offset \(expected)), below \(mark.source): acknowledged frames were cut off; nothing was truncated")
                }
                break scan
            case .frame(let header, _):
                guard header.baseOffset == expected else {
                    throw corrupt(directory, "\(last.path): frame at byte \(position) has base offset \(header.baseOffset), expected \(expected)")
                }
                if position < mark.bytes && position + header.frameSize > mark.bytes {
                    throw corrupt(directory, "\(last.path): frame at byte \(position) (offset \(expected)) crosses \(mark.source)")
                }
                expected = header.endOffset
                position += header.frameSize
            case .bad(let reason):
                if position < mark.bytes {
                    throw corrupt(directory, "\(last.path): damaged frame at byte \(position) (offset \(expected)): \(reason); it lies below \(mark.source), so it holds acknowledged events and is not a torn tail; nothing was truncated")
                }
                try file.truncate(to: position)
                report = RecoveryReport(
                    truncatedFile: last.path, truncatedAtByte: position, droppedBytes: size - position,
                    description: "truncated torn tail of \(last.path) at byte \(position) (offset \(expected)), beyond \(mark.source): dropped \(size - position) unacknowledged bytes (\(reason))")
                break scan
            }
        }
        if let problem = mark.headProblem {
            report.rebuiltHead = true
            report.description = "\(problem): rebuilt it from the frames (\(expected) events, every frame complete); " + report.description
        }
        try file.syncData()
        return RecoveredLog(nextOffset: expected, activeBase: last.base, active: file, activeSize: position, report: report)
    }

    /// Walks the headers of a non-last segment: dense offsets, frames ending exactly at the file size.
    /// - Returns: the end offset of the segment.
    private static func checkChain(segment: (base: UInt64, path: String), expected: UInt64, directory: String) throws(LogError) -> UInt64 {
        guard segment.base == expected else {
            throw corrupt(directory, "segment \(segment.path) starts at offset \(segment.base) but the previous segment ends at offset \(expected)")
        }
        let file = try PosixFile.open(segment.path, flags: O_RDONLY)
        let scanner = SegmentScanner(file: file, limit: try file.size())
        var next = expected
        var position = 0
        while true {
            switch try scanner.probeHeader(at: position) {
            case .failure(.end):
                return next
            case .failure(.bad(let reason)):
                throw corrupt(directory, "\(segment.path): bad frame at byte \(position) (offset \(next)): \(reason)")
            case .success(let header):
                guard header.baseOffset == next else {
                    throw corrupt(directory, "\(segment.path): frame at byte \(position) has base offset \(header.baseOffset), expected \(next)")
                }
                next = header.endOffset
                position += header.frameSize
            }
        }
    }

    private static func corrupt(_ directory: String, _ what: String) -> LogError {
        LogError(.corrupt, "log is damaged, refusing to open for writing: \(what). Run `daicho verify` on this data directory to list every problem, then `daicho repair` to quarantine the damaged frames.", path: directory)
    }
}
