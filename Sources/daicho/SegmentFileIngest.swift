import Daicho
import DaichoSegmentSpec
import Foundation

/// `daicho append --format segment`: files of Segment messages (one message per line, or lines that are
/// `{"batch":[…]}`) through the mapping the server uses (docs/segment-compatibility.md, `DIR/mapping.json`), then
/// the same validation, normalization and deduplication as any line. A message the mapping or ingest refuses is
/// kept verbatim in the rejects file with its line number.
struct SegmentFileIngest {
    let store: EventStore
    let mapping: SegmentMapping
    let normalizer: IdentifierNormalizer
    let maxFutureSkewMicros: Int64?
    let rejects: RejectsFile

    /// Mapped lines appended per call (one frame, one fsync each) at most, in bytes.
    static let flushBytes = 2 << 20

    /// A mapped message waiting to be appended, with where it came from.
    private struct Pending {
        var line: [UInt8]
        var input: String
        var lineNumber: Int
        var message: [UInt8]
        var index: Int?
    }

    /// Reads every input to its end and appends what it maps to.
    /// - Returns: the summary (`read` counts messages: a batch line counts each of its messages).
    /// - Throws: `IngestError` when an input cannot be read, `StoreError` when the log cannot be written, and what
    ///   writing the rejects file throws.
    func run(_ inputs: [(name: String, fd: Int32)]) throws -> IngestSummary {
        var summary = IngestSummary()
        let start = Date()
        var pending: [Pending] = []
        var pendingBytes = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            let outcomes = try store.appendLines(pending.map { $0.line[...] }, normalizer: normalizer,
                                                 arrivalMicros: wallClockMicros(), maxFutureSkewMicros: maxFutureSkewMicros)
            for (p, outcome) in zip(pending, outcomes) {
                switch outcome {
                case .appended(let offset):
                    summary.appended += 1
                    summary.firstOffset = summary.firstOffset ?? offset
                    summary.lastOffset = offset
                case .duplicate: summary.duplicates += 1
                case .rejected(let reason): try reject(p.input, p.lineNumber, p.index, reason, p.message, &summary)
                }
            }
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
        }
        for input in inputs {
            let reader = NDJSONChunkReader(fd: input.fd, name: input.name)
            while let chunk = try reader.next() {
                summary.inputBytes += chunk.bytes.count
                var number = chunk.firstLine
                for raw in chunk.bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    defer { number += 1 }
                    let line = Array(raw.last == 0x0D ? raw.dropLast() : raw)
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                    if number == chunk.truncatedLine {
                        summary.read += 1
                        try reject(input.name, number, nil, "line longer than \(NDJSONChunkReader.hardLineCap >> 20) MiB", line, &summary, truncated: true)
                        continue
                    }
                    let batch: SegmentBatch
                    do { batch = try SegmentBatch(line: line) } catch {
                        summary.read += 1
                        try reject(input.name, number, nil, error.message, line, &summary)
                        continue
                    }
                    let receivedAt = wallClockMicros()
                    for i in 0..<batch.count {
                        summary.read += 1
                        let index = batch.isBatch ? i : nil
                        switch batch.map(i, mapping: mapping, receivedAt: receivedAt, normalizer: normalizer) {
                        case .event(let mapped, _):
                            pending.append(Pending(line: mapped, input: input.name, lineNumber: number, message: Array(batch.messageBytes(i)), index: index))
                            pendingBytes += mapped.count
                        case .rejected(let reason):
                            try reject(input.name, number, index, reason, Array(batch.messageBytes(i)), &summary)
                        }
                    }
                    if pendingBytes >= Self.flushBytes { try flush() }
                }
            }
        }
        try flush()
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Keeps a refused message verbatim with its line (and, inside a batch line, its index: `batch[3]: reason`).
    private func reject(_ input: String, _ line: Int, _ index: Int?, _ reason: String, _ bytes: [UInt8],
                        _ summary: inout IngestSummary, truncated: Bool = false) throws {
        summary.rejected += 1
        try rejects.write(input: input, line: line, reason: index.map { "batch[\($0)]: \(reason)" } ?? reason,
                          bytes: bytes, truncated: truncated)
    }
}
