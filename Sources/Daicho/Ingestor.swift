import Foundation
import DaichoLog

// The ingest pipeline: parse and encode chunks in parallel, then dedup, compress and append them in input
// order. See docs/ingest.md.

/// A line that was not appended, kept verbatim with where it came from and why.
public struct RejectedLine: Sendable {
    public var input: String
    public var line: Int
    public var reason: String
    public var bytes: [UInt8]
    /// True when the line was longer than `NDJSONChunkReader.hardLineCap` and `bytes` holds only its start.
    public var truncated: Bool
}

/// What one ingest run did; printed by `daicho append` as its summary line.
public struct IngestSummary: Sendable, Equatable {
    public var read = 0
    public var appended = 0
    public var duplicates = 0
    public var rejected = 0
    public var firstOffset: UInt64?
    public var lastOffset: UInt64?
    public var seconds = 0.0
    public var inputBytes = 0

    public init() {}
}

/// Progress of a running ingest, for the terminal progress line.
public struct IngestProgress: Sendable {
    public var lines: Int
    public var bytes: Int
    public var seconds: Double

    public init(lines: Int, bytes: Int, seconds: Double) {
        self.lines = lines
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// Settings of an ingest run.
public struct IngestOptions: Sendable {
    /// Parse/encode threads (the committer is one more).
    public var workers: Int
    public var normalizer: IdentifierNormalizer
    public var maxLineBytes: Int
    /// Reject events whose `at` lies more than this many µs after their arrival (the wall clock when their
    /// chunk is parsed); nil accepts any time. docs/ingest.md "Time".
    public var maxFutureSkewMicros: Int64?

    /// 24 hours, the default of `daicho.json` `max_future_skew`.
    public static let defaultMaxFutureSkewMicros: Int64 = 24 * 3_600 * 1_000_000

    public init(workers: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4)),
                normalizer: IdentifierNormalizer = IdentifierNormalizer(),
                maxLineBytes: Int = EventLineEncoder.defaultMaxLineBytes,
                maxFutureSkewMicros: Int64? = IngestOptions.defaultMaxFutureSkewMicros) {
        self.workers = workers
        self.normalizer = normalizer
        self.maxLineBytes = maxLineBytes
        self.maxFutureSkewMicros = maxFutureSkewMicros
    }
}

/// A chunk after parsing: its records (not yet deduplicated) and its rejects.
struct EncodedChunk: @unchecked Sendable {
    var index: Int
    var builder: BatchBuilder
    var rejects: [RejectedLine]
    var lines: Int
    var bytes: Int
}

/// Validates, normalizes, dedups and appends NDJSON chunks to an `EventStore`.
final class Ingestor: @unchecked Sendable {
    let store: EventStore
    let options: IngestOptions

    init(store: EventStore, options: IngestOptions) {
        self.store = store
        self.options = options
    }

    /// Runs the pipeline until `nextChunk` returns nil.
    /// - Parameters:
    ///   - nextChunk: the source of chunks (called on the calling thread).
    ///   - onReject: called in input order for each rejected line, on the committer thread.
    ///   - onProgress: called after each appended chunk, on the committer thread.
    /// - Throws: `IngestError` when reading or the log fails; what was appended before stays appended.
    func run(nextChunk: () throws(IngestError) -> NDJSONChunk?,
             onReject: @escaping (RejectedLine) throws -> Void,
             onProgress: @escaping (IngestProgress) -> Void) throws(IngestError) -> IngestSummary {
        let started = DispatchTime.now()
        let work = BlockingQueue<(index: Int, chunk: NDJSONChunk)>(capacity: options.workers * 2)
        let done = ReorderBuffer<EncodedChunk>()
        let builders = BlockingQueue<BatchBuilder>(capacity: options.workers * 3 + 2)
        for _ in 0..<(options.workers * 3 + 2) { builders.push(BatchBuilder()) }
        let failure = FailureBox()

        var threads: [Thread] = []
        for _ in 0..<options.workers {
            let options = self.options
            let t = Thread {
                var encoder = EventLineEncoder(normalizer: options.normalizer, maxLineBytes: options.maxLineBytes)
                // The builder first, then the job: a worker that holds chunk k always has a builder to finish it
                // with. The other order can deadlock: while one worker waits for a builder holding chunk k, the
                // others fill every builder with chunks after k, which the committer keeps until k arrives.
                while var builder = builders.pop() {
                    guard var job = work.pop() else {
                        builders.push(builder)
                        break
                    }
                    builder.reset()
                    encoder.setArrival(wallClockMicros(), maxFutureSkew: options.maxFutureSkewMicros)
                    let encoded = Self.encode(job.chunk, index: job.index, encoder: &encoder, builder: &builder)
                    job.chunk.recycle()
                    done.put(job.index, encoded)
                }
            }
            t.stackSize = 8 << 20
            threads.append(t)
        }
        // The committer deduplicates and compresses chunk after chunk; the appender writes and fsyncs frames,
        // so one frame's fsync overlaps the next frame's compression (group commit stays one frame per sync).
        let state = CommitterState(onReject: onReject, onProgress: onProgress)
        let commits = BlockingQueue<Commit>(capacity: 2)
        let appenderDone = DispatchSemaphore(value: 0)
        let committer = Thread { [store] in
            defer { commits.close() }
            var payload: [UInt8] = []
            var duplicate: [Bool] = []
            var next = 0
            while let chunk = done.take(next) {
                next += 1
                if failure.isSet { builders.push(chunk.builder); continue }
                do {
                    for r in chunk.rejects { try state.onReject(r) }
                    duplicate.removeAll(keepingCapacity: true)
                    for i in 0..<chunk.builder.count { duplicate.append(!store.dedup.insert(chunk.builder.fingerprint(i))) }
                    let s = chunk.builder.makePayload(into: &payload, keep: { !duplicate[$0] })
                    commits.push(Commit(frame: s.records > 0 ? store.prepareFrame(payload, summary: s) : nil,
                                        appended: s.records, duplicates: chunk.builder.count - s.records,
                                        rejected: chunk.rejects.count, lines: chunk.lines, bytes: chunk.bytes))
                } catch {
                    failure.set(error)
                }
                builders.push(chunk.builder)
            }
        }
        let appender = Thread { [store] in
            defer { appenderDone.signal() }
            while let c = commits.pop() {
                if failure.isSet { continue }
                do {
                    if let frame = c.frame {
                        let base = try store.appendFrame(frame)
                        if state.summary.firstOffset == nil { state.summary.firstOffset = base }
                        state.summary.lastOffset = base + UInt64(c.appended) - 1
                    }
                    state.summary.read += c.lines
                    state.summary.appended += c.appended
                    state.summary.duplicates += c.duplicates
                    state.summary.rejected += c.rejected
                    state.summary.inputBytes += c.bytes
                    state.onProgress(IngestProgress(lines: state.summary.read, bytes: state.summary.inputBytes,
                                                    seconds: seconds(since: started)))
                } catch {
                    failure.set(error)
                }
            }
        }
        committer.stackSize = 8 << 20
        threads.forEach { $0.start() }
        committer.start()
        appender.start()

        var index = 0
        var readError: IngestError?
        do {
            while !failure.isSet, let chunk = try nextChunk() {
                work.push((index, chunk))
                index += 1
            }
        } catch {
            readError = error
        }
        work.close()
        done.finish(count: index)
        appenderDone.wait()
        builders.close()
        if let readError { throw readError }
        if let e = failure.error { throw e as? IngestError ?? IngestError.io(e as? StoreError ?? StoreError(.io, "\(e)")) }
        var summary = state.summary
        summary.seconds = seconds(since: started)
        return summary
    }

    /// Parses every line of `chunk` into `builder`; blank lines are skipped and not counted.
    static func encode(_ chunk: NDJSONChunk, index: Int, encoder: inout EventLineEncoder, builder: inout BatchBuilder) -> EncodedChunk {
        var rejects: [RejectedLine] = []
        var lines = 0
        chunk.bytes.withUnsafeBytes { all in
            var lineNumber = chunk.firstLine
            var start = 0
            let n = all.count
            while start < n {
                var end = start
                if let hit = memchr(all.baseAddress! + start, 0x0A, n - start) {
                    end = UnsafeRawPointer(hit) - all.baseAddress!
                } else {
                    end = n
                }
                var stop = end
                if stop > start && all[stop - 1] == 0x0D { stop -= 1 } // CRLF input
                let line = UnsafeRawBufferPointer(rebasing: all[start..<stop])
                if !isBlank(line) {
                    lines += 1
                    if chunk.truncatedLine == lineNumber {
                        rejects.append(RejectedLine(input: chunk.inputName, line: lineNumber,
                                                    reason: "line is longer than \(NDJSONChunkReader.hardLineCap) bytes (kept truncated)",
                                                    bytes: Array(line), truncated: true))
                    } else if let reason = encoder.encode(line: line, into: &builder) {
                        rejects.append(RejectedLine(input: chunk.inputName, line: lineNumber, reason: reason,
                                                    bytes: Array(line), truncated: false))
                    }
                }
                lineNumber += 1
                start = end + 1
            }
        }
        return EncodedChunk(index: index, builder: builder, rejects: rejects, lines: lines, bytes: chunk.bytes.count)
    }

    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for b in line where b != 0x20 && b != 0x09 && b != 0x0D { return false }
        return true
    }
}

/// One chunk's outcome on its way from the committer to the appender: its frame (nil when every event was
/// a duplicate) and its counts.
private struct Commit: Sendable {
    var frame: PreparedFrame?
    var appended: Int
    var duplicates: Int
    var rejected: Int
    var lines: Int
    var bytes: Int
}

/// What the committer and appender threads share; handed over by the thread starts and read back after both have finished. handed over by the thread start and read back after it has finished.
private final class CommitterState: @unchecked Sendable {
    /// Written by the appender only.
    var summary = IngestSummary()
    let onReject: (RejectedLine) throws -> Void
    let onProgress: (IngestProgress) -> Void

    init(onReject: @escaping (RejectedLine) throws -> Void, onProgress: @escaping (IngestProgress) -> Void) {
        self.onReject = onReject
        self.onProgress = onProgress
    }
}

/// Seconds since `start`.
func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// Hands results produced out of order to a consumer that takes them in index order.
final class ReorderBuffer<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Int: Element] = [:]
    private var total: Int?

    func put(_ index: Int, _ item: Element) {
        condition.lock()
        items[index] = item
        condition.broadcast()
        condition.unlock()
    }

    /// Declares that exactly `count` items will be put.
    func finish(count: Int) {
        condition.lock()
        total = count
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for item `index`; nil once every item has been taken.
    func take(_ index: Int) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items[index] == nil {
            if let total, index >= total { return nil }
            condition.wait()
        }
        return items.removeValue(forKey: index)
    }
}

/// The first error of a pipeline, seen by every thread.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var isSet: Bool { lock.withLock { stored != nil } }
    var error: (any Error)? { lock.withLock { stored } }

    func set(_ e: any Error) { lock.withLock { if stored == nil { stored = e } } }
}
