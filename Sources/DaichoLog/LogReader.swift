// Reading durable frames, seeking, and tailing. See docs/log-format.md §6, §8 and §9.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One frame handed to `LogReader.forEachFrame`.
public struct FrameView {
    /// Offset of the frame's first record (may be below the offset asked for).
    public let baseOffset: UInt64
    /// Records in the frame.
    public let recordCount: Int
    /// Event time (µs) of the first record.
    public let firstEventTime: Int64
    /// Largest event time (µs) in the frame.
    public let maxEventTime: Int64
    /// Wall-clock time (µs) the writer appended the frame.
    public let appendTime: Int64
    /// The decompressed batch; valid only inside the callback.
    public let payload: UnsafeRawBufferPointer
}

/// A segment file as seen by a reader (durable part only).
public struct SegmentInfo: Sendable {
    /// The file path.
    public var path: String
    /// Offset of the segment's first record.
    public var baseOffset: UInt64
    /// Durable bytes indexed.
    public var bytes: Int
    /// Records in the durable frames.
    public var records: Int
    /// Sum of the frames' uncompressed payload sizes.
    public var uncompressedBytes: Int
}

/// Reads the durable frames of a log. Any number of readers, in any process, take no lock.
/// A reader is used from one thread at a time.
public final class LogReader {
    /// The log directory.
    public let directory: String
    private var index = FrameIndex()
    private var infos: [SegmentInfo] = []
    private var files: [PosixFile] = []
    private var end: UInt64 = 0
    private let notifier: GrowthNotifier
    private let decoder = FrameDecoder()
    private var scanner: (segment: Int, scanner: SegmentScanner)?

    /// Opens a reader and indexes the frames that are durable now.
    /// - Parameter directory: the log directory.
    /// - Throws: `.io` when the directory cannot be read; `.corrupt` when durable frames are damaged.
    public init(directory: String) throws(LogError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LogError(.io, "log directory \(directory) does not exist", path: directory, errno: ENOENT)
        }
        self.directory = directory
        notifier = GrowthNotifier.shared(for: directory)
        try refresh()
    }

    /// The offset after the last durable record.
    public var endOffset: UInt64 { end }

    /// The segments with their durable sizes.
    public var segments: [SegmentInfo] { infos }

    /// Picks up frames made durable since the last refresh (rereads `head`).
    /// - Throws: `.corrupt` when a durable frame header is damaged or `head` is inconsistent; `.io`.
    public func refresh() throws(LogError) {
        guard let head = try readHead() else { return }
        guard head.nextOffset != end else { return }
        guard head.nextOffset > end else {
            throw LogError(.corrupt, "head publishes end offset \(head.nextOffset), below the \(end) already read; the log was replaced or damaged", path: directory)
        }
        if infos.last.map({ $0.baseOffset < head.activeSegmentBase }) ?? true {
            let known = infos.last?.baseOffset
            for segment in try LogDirectory.segments(in: directory)
            where segment.base <= head.activeSegmentBase && known.map({ segment.base > $0 }) ?? true {
                files.append(try PosixFile.open(segment.path, flags: O_RDONLY))
                infos.append(SegmentInfo(path: segment.path, baseOffset: segment.base, bytes: 0, records: 0, uncompressedBytes: 0))
            }
        }
        var segment = index.entries.last.map { Int($0.segment) } ?? 0
        while segment < infos.count && end < head.nextOffset {
            let isActive = infos[segment].baseOffset == head.activeSegmentBase
            let size = try files[segment].size()
            // A file shorter than its published durable length was cut: index what is there, so the error
            // names the true byte of the cut frame.
            let limit = isActive ? min(Int(clamping: head.durableBytes), size) : size
            try indexFrames(segment: segment, limit: limit)
            segment += 1
        }
        guard end == head.nextOffset else {
            let last = infos.last.map { " (\($0.path) ends after its complete frames at byte \($0.bytes))" } ?? ""
            throw LogError(.corrupt, "head publishes end offset \(head.nextOffset) but the durable frames end at offset \(end)\(last): acknowledged frames are missing; run `daicho verify`", path: directory)
        }
    }

    /// The first offset of the frame where reading from time `micros` must start: no earlier
    /// frame holds an event at or after `micros` (event times may be late, so later frames may
    /// still hold earlier events). Returns `endOffset` when no frame qualifies.
    /// - Complexity: O(log frames).
    public func offset(forTime micros: Int64) -> UInt64 {
        let i = index.firstFrame(atOrAfterTime: micros)
        return i < index.entries.count ? index.entries[i].baseOffset : end
    }

    /// The first offset of the frame holding `offset`; nil when `offset` is not durable.
    /// - Complexity: O(log frames).
    public func frameStart(containing offset: UInt64) -> UInt64? {
        let i = index.firstFrame(reaching: offset)
        guard offset < end, i < index.entries.count else { return nil }
        return index.entries[i].baseOffset
    }

    /// The offset after the frame holding `offset` (where the next frame starts); nil when `offset` is not durable.
    /// - Complexity: O(log frames).
    public func frameEnd(containing offset: UInt64) -> UInt64? {
        let i = index.firstFrame(reaching: offset)
        guard offset < end, i < index.entries.count else { return nil }
        return index.entries[i].baseOffset + UInt64(index.entries[i].recordCount)
    }

    /// The largest event time of the frames before `offset` (`Int64.min` for offset 0), from their headers; nil
    /// when `offset` falls inside a frame or beyond the durable end.
    /// - Complexity: O(log frames).
    public func maxEventTime(before offset: UInt64) -> Int64? {
        guard offset > 0 else { return .min }
        guard offset <= end else { return nil }
        let i = index.firstFrame(reaching: offset - 1)
        guard i < index.entries.count else { return nil }
        let e = index.entries[i]
        return e.baseOffset + UInt64(e.recordCount) == offset ? e.runningMaxTime : nil
    }

    /// Calls `body` for each durable frame overlapping `[offset, end)`, in offset order. A frame
    /// that starts below `offset` is passed whole; the caller skips its leading records.
    /// - Parameters:
    ///   - offset: the first offset wanted.
    ///   - end: one past the last offset wanted (default: `endOffset`).
    ///   - body: receives each frame (its payload valid only during the call); returns false to stop.
    /// - Throws: `LogError` `.corrupt` for a CRC or zstd failure, `.io`, or what `body` throws.
    public func forEachFrame(from offset: UInt64 = 0, to end: UInt64? = nil, _ body: (FrameView) throws -> Bool) throws {
        let stop = min(end ?? self.end, self.end)
        guard offset < stop else { return }
        var i = index.firstFrame(reaching: offset)
        while i < index.entries.count {
            let entry = index.entries[i]
            guard entry.baseOffset < stop else { return }
            let segmentScanner = try scanner(for: Int(entry.segment))
            let path = infos[Int(entry.segment)].path
            // Read ahead only when the range goes on past this frame: one frame picked out reads just its bytes.
            let more = i + 1 < index.entries.count && index.entries[i + 1].baseOffset < stop
            let frame = try segmentScanner.bytes(at: entry.position, count: entry.frameSize, readAhead: more)
            guard let header = FrameHeader.parse(frame), header.baseOffset == entry.baseOffset, header.frameSize == entry.frameSize else {
                throw LogError(.corrupt, "frame header at byte \(entry.position) (offset \(entry.baseOffset)) changed since it was indexed; run `daicho verify`", path: path)
            }
            guard header.crcMatches(frame: frame) else {
                throw LogError(.corrupt, "CRC mismatch in frame at byte \(entry.position) (offset \(entry.baseOffset)); run `daicho verify`", path: path)
            }
            let stored = UnsafeRawBufferPointer(rebasing: frame[LogFormat.headerSize...])
            let payload = try decoder.decode(header, stored: stored, path: path, position: entry.position)
            let view = FrameView(baseOffset: header.baseOffset, recordCount: Int(header.recordCount),
                                 firstEventTime: header.firstEventTime, maxEventTime: header.maxEventTime,
                                 appendTime: header.appendTime, payload: payload)
            guard try body(view) else { return }
            i += 1
        }
    }

    /// The base offset of the durable frame holding `offset` and the CRC32C chained over the CRCs of that frame and
    /// every earlier one (`IndexEntry.chainCRC`): what a file derived from the log up to that offset records to
    /// prove on load that it belongs to this log (a log cut, repaired or replaced and grown again has other frames
    /// there or before). Reads one header.
    /// - Returns: nil when `offset` is not below `endOffset`.
    /// - Throws: `.corrupt` when the header changed since it was indexed; `.io`.
    public func frameChecksum(containing offset: UInt64) throws(LogError) -> (base: UInt64, crc: UInt32)? {
        let i = index.firstFrame(reaching: offset)
        guard offset < end, i < index.entries.count else { return nil }
        let entry = index.entries[i]
        let header = try scanner(for: Int(entry.segment)).bytes(at: entry.position, count: LogFormat.headerSize)
        guard let parsed = FrameHeader.parse(header), parsed.baseOffset == entry.baseOffset else {
            throw LogError(.corrupt, "frame header at byte \(entry.position) (offset \(entry.baseOffset)) changed since it was indexed; run `daicho verify`", path: infos[Int(entry.segment)].path)
        }
        return (parsed.baseOffset, entry.chainCRC)
    }

    /// Blocks until `endOffset > offset` (frames made durable by this or another process) or the
    /// timeout passes. Wakes at once for a writer in this process; otherwise polls `head` every 2 ms.
    /// - Parameters:
    ///   - offset: the offset to grow beyond.
    ///   - timeout: the longest time to wait.
    /// - Returns: whether the log grew beyond `offset`.
    public func waitForGrowth(beyond offset: UInt64, timeout: Duration) throws(LogError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let seen = notifier.current
            try refresh()
            if end > offset { return true }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return false }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            notifier.wait(after: seen, upTo: min(seconds, 0.002))
        }
    }

    // MARK: - Internals

    /// The published durable end, or nil when there is nothing (new) to read. A `head` that does not decode is
    /// a write racing with this read: the reader keeps its view, and on its first look retries for up to
    /// 200 ms. A missing or undecodable `head` beside segment files that hold frames is an error, never an
    /// empty log (docs/log-format.md §6).
    /// - Throws: `.corrupt` naming the remedy when `head` is missing or stays unreadable with frames present.
    private func readHead() throws(LogError) -> HeadRecord? {
        var attempts = 0
        while true {
            switch try HeadRecord.read(directory: directory) {
            case .record(let head):
                return head
            case .unreadable where !infos.isEmpty:
                return nil
            case .unreadable where attempts < 100:
                attempts += 1
                usleep(2_000)
            case .unreadable, .missing:
                let segments = try LogDirectory.segments(in: directory)
                var bytes = 0
                for segment in segments { bytes += try PosixFile.open(segment.path, flags: O_RDONLY).size() }
                guard bytes > 0 else { return nil }
                let what = FileManager.default.fileExists(atPath: directory + "/" + LogFormat.headFileName) ? "does not decode" : "is missing"
                throw LogError(.corrupt, "the log's head file \(what), but \(segments.count) segment file(s) hold \(bytes) bytes of frames: refusing to answer from an empty log. Run `daicho verify`, then `daicho repair` (or any `daicho append`) to rebuild head from the frames", path: directory + "/" + LogFormat.headFileName)
            }
        }
    }

    /// Walks headers of `segment` from its indexed end to `limit`, appending to the index.
    private func indexFrames(segment: Int, limit: Int) throws(LogError) {
        let file = files[segment]
        let headers = SegmentScanner(file: file, limit: limit)
        var position = infos[segment].bytes
        if position == 0 && segment == 0 && infos[segment].baseOffset != 0 {
            throw LogError(.corrupt, LogDirectory.missingFirstSegments((infos[segment].baseOffset, file.path)) + "; run `daicho verify`", path: file.path)
        }
        if position == 0 && infos[segment].baseOffset != end {
            throw LogError(.corrupt, "segment starts at offset \(infos[segment].baseOffset) but the previous one ends at offset \(end); run `daicho verify`", path: file.path)
        }
        while true {
            switch try headers.probeHeader(at: position) {
            case .failure(.end):
                return
            case .failure(.bad(let reason)):
                throw LogError(.corrupt, "durable frame at byte \(position) (offset \(end)) is damaged: \(reason); run `daicho verify`", path: file.path)
            case .success(let header):
                guard header.baseOffset == end else {
                    throw LogError(.corrupt, "frame at byte \(position) has base offset \(header.baseOffset), expected \(end); run `daicho verify`", path: file.path)
                }
                index.append(header, segment: segment, position: position)
                position += header.frameSize
                end = header.endOffset
                infos[segment].bytes = position
                infos[segment].records += Int(header.recordCount)
                infos[segment].uncompressedBytes += Int(header.uncompressedLength)
            }
        }
    }

    private func scanner(for segment: Int) throws(LogError) -> SegmentScanner {
        let limit = infos[segment].bytes
        if let current = scanner, current.segment == segment {
            current.scanner.limit = limit
            return current.scanner
        }
        let created = SegmentScanner(file: files[segment], limit: limit)
        scanner = (segment, created)
        return created
    }
}
