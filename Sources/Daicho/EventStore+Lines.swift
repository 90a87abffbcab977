/// What became of one line given to `EventStore.appendLines`.
public enum LineOutcome: Sendable, Equatable {
    /// Appended at this offset.
    case appended(offset: UInt64)
    /// Its id was in the log already, or earlier in the same call (docs/ingest.md "Deduplication").
    case duplicate
    /// Refused, with the reason (docs/ingest.md "Reasons").
    case rejected(String)
}

extension EventStore {
    /// Validates, normalizes and deduplicates NDJSON `lines` (each without its newline) and appends the accepted
    /// ones as one frame, durable before this returns (per the log's durability option). The group commit of a
    /// server: one call gathers the lines of several requests, so they share one write and one fsync.
    /// - Parameters:
    ///   - arrivalMicros: the wall clock when the lines arrived, for the `max_future_skew` check (docs/ingest.md
    ///     "Time"); `maxFutureSkewMicros` nil accepts any time.
    /// - Returns: one outcome per line, in order.
    /// - Throws: `StoreError` when the log cannot be written: nothing of this call is acknowledged, and the store
    ///   refuses further appends (the writer has failed); reopen it — recovery keeps what is durable and the dedup
    ///   set is rebuilt from the log, so a retry of these lines appends whatever did not land.
    public func appendLines(_ lines: [ArraySlice<UInt8>], normalizer: IdentifierNormalizer = IdentifierNormalizer(),
                            maxLineBytes: Int = EventLineEncoder.defaultMaxLineBytes, arrivalMicros: Int64,
                            maxFutureSkewMicros: Int64? = IngestOptions.defaultMaxFutureSkewMicros) throws(StoreError) -> [LineOutcome] {
        lock.lock()
        defer { lock.unlock() }
        var encoder = EventLineEncoder(normalizer: normalizer, maxLineBytes: maxLineBytes)
        encoder.setArrival(arrivalMicros, maxFutureSkew: maxFutureSkewMicros)
        var builder = BatchBuilder()
        var outcomes = [LineOutcome](repeating: .duplicate, count: lines.count)
        var record = [Int](repeating: -1, count: lines.count) // line → its record in `builder`
        for (i, line) in lines.enumerated() {
            let reason = line.withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
            if let reason { outcomes[i] = .rejected(reason) } else { record[i] = builder.count - 1 }
        }
        var keep = [Bool](repeating: false, count: builder.count)
        for r in 0..<builder.count { keep[r] = dedup.insert(builder.fingerprint(r)) }
        var payload: [UInt8] = []
        let summary = builder.makePayload(into: &payload, keep: { keep[$0] })
        guard summary.records > 0 else { return outcomes }
        let base: UInt64
        do { base = try appendFrame(prepareFrame(payload, summary: summary)) } catch { throw error.storeError }
        var next = base
        for i in lines.indices where record[i] >= 0 && keep[record[i]] {
            outcomes[i] = .appended(offset: next)
            next += 1
        }
        return outcomes
    }
}
