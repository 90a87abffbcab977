// Recovery on open for writing. See docs/log-format.md §8.
#if canImport(Glibc)
import Glibc
#endif

/// What recovery did when the writer opened the log.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// The segment whose torn tail was cut off, if any.
    public var truncatedFile: String?
    /// The byte position the file was truncated at, if any.
    public var truncatedAtByte: Int?
    /// Bytes removed (0 when the log was clean).
    public var droppedBytes: Int
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

enum Recovery {
    /// Checks the segment chain, truncates a torn tail of the last segment and syncs it.
    /// - Throws: `.corrupt` (telling the user to run `daicho verify`) for damage that is not a torn
    ///   tail; `.io` for failing system calls.
    static func recover(directory: String) throws(LogError) -> RecoveredLog {
        var segments = try LogDirectory.segments(in: directory)
        if segments.isEmpty {
            let path = directory + "/" + LogFormat.segmentFileName(base: 0)
            let created = try PosixFile.open(path, flags: O_RDWR | O_CREAT)
            try created.syncData()
            try LogDirectory.sync(directory)
            segments = [(0, path)]
        }
        var expected = segments[0].base
        for segment in segments.dropLast() {
            expected = try checkChain(segment: segment, expected: expected, directory: directory)
        }
        let last = segments[segments.count - 1]
        guard last.base == expected else {
            throw corrupt(directory, "segment \(last.path) starts at offset \(last.base) but the previous segment ends at offset \(expected)")
        }
        let file = try PosixFile.open(last.path, flags: O_RDWR)
        let size = try file.size()
        let scanner = SegmentScanner(file: file, limit: size)
        var position = 0
        var report = RecoveryReport(truncatedFile: nil, truncatedAtByte: nil, droppedBytes: 0, description: "clean: no torn tail")
        scan: while true {
            switch try scanner.probe(at: position) {
            case .end:
                break scan
            case .frame(let header, _):
                guard header.baseOffset == expected else {
                    throw corrupt(directory, "\(last.path): frame at byte \(position) has base offset \(header.baseOffset), expected \(expected)")
                }
                expected = header.endOffset
                position += header.frameSize
            case .bad(let reason):
                if let later = try scanner.nextValidFrame(after: position) {
                    throw corrupt(directory, "\(last.path): damaged frame at byte \(position) (offset \(expected)): \(reason), but a valid frame follows at byte \(later); this is not a torn tail, so nothing was truncated")
                }
                try file.truncate(to: position)
                report = RecoveryReport(
                    truncatedFile: last.path, truncatedAtByte: position, droppedBytes: size - position,
                    description: "truncated torn tail of \(last.path) at byte \(position) (offset \(expected)): dropped \(size - position) bytes (\(reason))")
                break scan
            }
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
        LogError(.corrupt, "log is damaged, refusing to open for writing: \(what). Run `daicho verify` on this data directory to list every problem.", path: directory)
    }
}
