// Offline check of every frame of every segment. See docs/log-format.md §10.
#if canImport(Glibc)
import Glibc
#endif

/// One problem found by `LogVerifier.verify`.
public struct VerifyProblem: Sendable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    /// The byte position within the file.
    public var bytePosition: Int
    /// The log offset the frame at that position should have, when known.
    public var logOffset: UInt64?
    /// What is wrong.
    public var message: String

    public var description: String {
        "\(file) at byte \(bytePosition)" + (logOffset.map { " (offset \($0))" } ?? "") + ": \(message)"
    }
}

/// The result of `LogVerifier.verify`.
public struct VerifyReport: Sendable {
    /// Complete frames checked.
    public var frames: Int
    /// Records in those frames.
    public var records: Int
    /// Every problem found, in file order.
    public var problems: [VerifyProblem]
    /// Whether no problem was found.
    public var isClean: Bool { problems.isEmpty }
}

/// Checks a log without modifying it.
public enum LogVerifier {
    /// Checks every frame of every segment: magic, header sanity, CRC, dense offsets within and
    /// across segments, zstd decoding with its checksum and the decoded size; also `head`.
    /// After a damaged frame it resumes at the next valid frame so later damage is reported too.
    /// Run it while no writer appends (a tail being written would be reported as torn).
    /// - Parameter directory: the log directory.
    /// - Returns: the frames and records checked and every problem found.
    /// - Complexity: reads and decodes the whole log once.
    public static func verify(directory: String) -> VerifyReport {
        var report = VerifyReport(frames: 0, records: 0, problems: [])
        let segments: [(base: UInt64, path: String)]
        do {
            segments = try LogDirectory.segments(in: directory)
        } catch {
            report.problems.append(VerifyProblem(file: directory, bytePosition: 0, logOffset: nil, message: error.message))
            return report
        }
        let decoder = FrameDecoder()
        let head = try? HeadRecord.read(directory: directory)
        var expected: UInt64 = 0   // the log starts at offset 0 (§1): a missing first segment is a gap
        for (number, segment) in segments.enumerated() {
            if segment.base != expected {
                report.problems.append(VerifyProblem(
                    file: segment.path, bytePosition: 0, logOffset: expected,
                    message: "segment starts at offset \(segment.base) but the previous segment ends at offset \(expected) (\(segment.base > expected ? "gap" : "overlap"))"))
                expected = segment.base
            }
            do throws(LogError) {
                let isLast = number == segments.count - 1
                try check(segment: segment.path, isLast: isLast, durableBytes: isLast ? durableBytes(head, lastBase: segment.base) : 0,
                          expected: &expected, decoder: decoder, report: &report)
            } catch {
                report.problems.append(VerifyProblem(file: segment.path, bytePosition: 0, logOffset: nil, message: error.message))
            }
        }
        checkHead(directory: directory, end: expected, hasFrames: report.frames > 0, report: &report)
        return report
    }

    /// The bytes of the last segment at or below the durable mark (§8): all of them without a readable `head`.
    private static func durableBytes(_ head: HeadReadResult?, lastBase: UInt64) -> Int {
        guard case .record(let record) = head else { return Int.max }
        return record.durableBytes(ofSegment: lastBase)
    }

    private static func check(segment path: String, isLast: Bool, durableBytes: Int, expected: inout UInt64, decoder: FrameDecoder, report: inout VerifyReport) throws(LogError) {
        let file = try PosixFile.open(path, flags: O_RDONLY)
        let size = try file.size()
        let scanner = SegmentScanner(file: file, limit: size)
        var position = 0
        while true {
            switch try scanner.probe(at: position) {
            case .end:
                if isLast && position < durableBytes && durableBytes != Int.max {
                    report.problems.append(VerifyProblem(file: path, bytePosition: position, logOffset: expected,
                                                         message: "the segment ends at byte \(position), below the durable mark at byte \(durableBytes): acknowledged frames were cut off; `daicho repair` records the lost offsets"))
                }
                return
            case .frame(let header, let frame):
                if header.baseOffset != expected {
                    report.problems.append(VerifyProblem(file: path, bytePosition: position, logOffset: expected,
                                                         message: "frame has base offset \(header.baseOffset), expected \(expected)"))
                }
                do throws(LogError) {
                    _ = try decoder.decode(header, stored: UnsafeRawBufferPointer(rebasing: frame[LogFormat.headerSize...]), path: path, position: position)
                } catch {
                    report.problems.append(VerifyProblem(file: path, bytePosition: position, logOffset: header.baseOffset, message: error.message))
                }
                report.frames += 1
                report.records += Int(header.recordCount)
                expected = header.endOffset
                position += header.frameSize
            case .bad(let reason):
                if let later = try scanner.nextValidFrame(after: position), case .frame(let next, _) = try scanner.probe(at: later) {
                    report.problems.append(VerifyProblem(file: path, bytePosition: position, logOffset: expected,
                                                         message: "damaged frame (\(reason)); `daicho repair` quarantines it; skipped \(later - position) bytes holding offsets \(expected)..<\(next.baseOffset) to the next valid frame at byte \(later)"))
                    expected = next.baseOffset
                    position = later
                } else {
                    let remedy = !isLast ? "trailing bytes in a segment that is not the last; `daicho repair` quarantines them"
                        : position < durableBytes ? "they lie below the durable mark, so they hold acknowledged events: not a torn tail; `daicho repair` quarantines them"
                        : "a torn tail beyond the durable mark: the next open for writing truncates it"
                    report.problems.append(VerifyProblem(file: path, bytePosition: position, logOffset: expected,
                                                         message: "\(size - position) bytes are not a complete frame (\(reason)); \(remedy)"))
                    return
                }
            }
        }
    }

    private static func checkHead(directory: String, end: UInt64, hasFrames: Bool, report: inout VerifyReport) {
        let path = directory + "/" + LogFormat.headFileName
        switch try? HeadRecord.read(directory: directory) {
        case .record(let head) where head.nextOffset > end:
            report.problems.append(VerifyProblem(file: path, bytePosition: 0, logOffset: head.nextOffset,
                                                 message: "head publishes end offset \(head.nextOffset) beyond the last complete frame (offset \(end))"))
        case .unreadable:
            report.problems.append(VerifyProblem(file: path, bytePosition: 0, logOffset: nil,
                                                 message: "head does not decode (bad magic, version or CRC); the next open for writing rewrites it"))
        case .missing where hasFrames:
            report.problems.append(VerifyProblem(file: path, bytePosition: 0, logOffset: nil,
                                                 message: "head is missing while segments hold frames: readers refuse the log; the next open for writing (or `daicho repair`) rebuilds it from the frames"))
        case .record, .missing, nil:
            break
        }
    }
}
