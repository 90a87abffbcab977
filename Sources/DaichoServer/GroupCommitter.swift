import Daicho
import Foundation

/// Appends the lines of concurrent requests together: one writer thread takes everything waiting, appends it as one
/// durable frame (`EventStore.appendLines`) and wakes each request with its outcomes — one fsync per round, never
/// one per request (docs/http-api.md "Ingest routes"). The queue is bounded in bytes, so memory never grows without
/// limit: a request that does not fit is refused at once (`busy`, HTTP 429).
public final class GroupCommitter: @unchecked Sendable {
    /// Why a submission was not appended.
    public enum Failure: Error, Equatable {
        /// The queue is full: retry later (429).
        case busy
        /// The committer is stopping (503).
        case stopping
        /// The log could not be written (503): the message names the cause (a full disk, an I/O error).
        case unavailable(String)
    }

    /// Settings of the ingest path.
    public struct Options: Sendable {
        /// Bytes of lines waiting at most.
        public var maxQueuedBytes = 64 << 20
        /// Bytes appended in one round (one frame) at most; more waits for the next round.
        public var maxRoundBytes = 8 << 20
        public var normalizer = IdentifierNormalizer()
        public var maxFutureSkewMicros: Int64? = IngestOptions.defaultMaxFutureSkewMicros
        public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }
        /// Called on the writer thread after each appended round with its number of lines and the acknowledged
        /// offset after it (for `/metrics`).
        public var onRound: (@Sendable (_ lines: Int, _ acknowledged: UInt64) -> Void)?
        public init() {}
    }

    final class Submission {
        let lines: [ArraySlice<UInt8>]
        let bytes: Int
        var outcomes: [LineOutcome]?
        var failure: Failure?
        init(_ lines: [ArraySlice<UInt8>]) {
            self.lines = lines
            bytes = lines.reduce(0) { $0 + $1.count + 1 }
        }
    }

    private var store: EventStore?
    private let reopen: () throws -> EventStore
    private let options: Options
    private let condition = NSCondition()
    private var queue: [Submission] = []
    private var queuedBytes = 0
    private var stopping = false
    private var running = true
    private var writing = false
    private var lastFailure: String?
    /// Rounds appended so far (for `/metrics`).
    public var rounds: Int { condition.lock(); defer { condition.unlock() }; return roundCount }
    private var roundCount = 0
    private var acknowledged: UInt64
    private var thread: Thread?

    /// - Parameters:
    ///   - store: the open store (the server is its one writer).
    ///   - reopen: opens the store again after a write failure (the failed writer refuses further work; recovery
    ///     and the dedup set rebuilt from the log make retries safe).
    public init(store: EventStore, options: Options = Options(), reopen: @escaping () throws -> EventStore) {
        self.store = store
        self.options = options
        self.reopen = reopen
        acknowledged = store.nextOffset
        let t = Thread { [unowned self] in run() }
        t.name = "daicho-commit"
        thread = t
        t.start()
    }

    /// Appends `lines` (NDJSON envelopes without newlines) and returns once they are durable.
    /// - Returns: one outcome per line.
    /// - Throws: `Failure`.
    public func submit(_ lines: [ArraySlice<UInt8>]) throws(Failure) -> [LineOutcome] {
        let s = Submission(lines)
        condition.lock()
        defer { condition.unlock() }
        if stopping { throw .stopping }
        guard queuedBytes == 0 || queuedBytes + s.bytes <= options.maxQueuedBytes else { throw .busy }
        queue.append(s)
        queuedBytes += s.bytes
        condition.broadcast()
        while s.outcomes == nil && s.failure == nil { condition.wait() }
        if let f = s.failure { throw f }
        return s.outcomes!
    }

    /// The offset after the last event appended by an acknowledged round (the log's end when the committer
    /// started, before any): a read that must see every acknowledged write waits for its view to reach it.
    public var acknowledgedOffset: UInt64 { condition.lock(); defer { condition.unlock() }; return acknowledged }

    /// Whether a round is being written now.
    public var isWriting: Bool { condition.lock(); defer { condition.unlock() }; return writing }

    /// Submissions waiting for a round (for `/metrics`).
    public var queueDepth: Int { condition.lock(); defer { condition.unlock() }; return queue.count }

    /// The store, for reading its next offset; nil after a failure it could not recover from.
    public var currentStore: EventStore? { condition.lock(); defer { condition.unlock() }; return store }

    /// Appends what is queued, then stops the writer thread and closes the store (durable).
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? store?.close()
    }

    private func run() {
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping { break }
            // One round: as many submissions as fit in maxRoundBytes (at least one).
            var round: [Submission] = []
            var bytes = 0
            while let s = queue.first, round.isEmpty || bytes + s.bytes <= options.maxRoundBytes {
                round.append(queue.removeFirst())
                bytes += s.bytes
            }
            queuedBytes -= bytes
            writing = true
            condition.unlock()
            let result = append(round)
            condition.lock()
            writing = false
            switch result {
            case .success(let outcomes):
                var k = 0
                for s in round {
                    s.outcomes = Array(outcomes[k..<(k + s.lines.count)])
                    k += s.lines.count
                }
                for case .appended(let offset) in outcomes { acknowledged = max(acknowledged, offset + 1) }
                roundCount += 1
                options.onRound?(outcomes.count, acknowledged)
            case .failure(let f):
                for s in round { s.failure = f }
            }
            condition.broadcast()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    private func append(_ round: [Submission]) -> Result<[LineOutcome], Failure> {
        if store == nil {
            do { store = try reopen() } catch { return .failure(.unavailable("the log cannot be opened: \(error)")) }
        }
        do {
            return .success(try store!.appendLines(round.flatMap(\.lines), normalizer: options.normalizer,
                                                   arrivalMicros: options.clock(), maxFutureSkewMicros: options.maxFutureSkewMicros))
        } catch {
            // The writer has failed: nothing of this round is acknowledged; the next round reopens the store.
            try? store?.close()
            store = nil
            return .failure(.unavailable(error.message))
        }
    }
}
