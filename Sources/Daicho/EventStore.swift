import Foundation
import DaichoLog

/// The write side of a data directory: the log writer plus the dedup set, so every append is idempotent
/// by event id across the whole history. One per data directory at a time (the log's writer lock).
public final class EventStore: @unchecked Sendable {
    public let directory: DataDirectory
    let writer: LogWriter
    /// Fingerprints of every event id in the log; loaded from the dedup file and the log after it on open.
    var dedup: DedupSet
    private let compressor: FrameCompressor
    let lock = NSLock()
    /// The offsets the saved dedup file covers (0: none).
    private(set) var dedupFileCovers: UInt64 = 0
    /// `close` saves the dedup set when at least this many events (and a sixteenth of those the file covers)
    /// were appended since the file was written (docs/ingest.md "The dedup file").
    public var dedupFileMinEvents = 10_000

    /// What recovery did on open (a torn tail truncated, or nothing).
    public var recovery: RecoveryReport { writer.recovery }

    /// Opens (creating if needed) the data directory for writing, recovers the log and rebuilds the dedup set.
    /// - Throws: `StoreError` naming the cause: another writer holds the lock (its pid), corruption that needs
    ///   `daicho verify`, or an I/O error.
    public static func open(_ directory: DataDirectory, options: LogOptions = LogOptions()) throws(StoreError) -> EventStore {
        try createDirectories(directory.path)
        let writer: LogWriter
        do {
            writer = try LogWriter.open(directory: directory.logPath, options: options)
        } catch {
            throw StoreError(error)
        }
        // The saved set, if it proves it belongs to this log, then the ids appended after it (docs/ingest.md
        // "The dedup file"); else every id of the log.
        var dedup = DedupSet(capacity: Int(writer.nextOffset) + 1024)
        var covered: UInt64 = 0
        do {
            let reader = try EventReader(directory)
            DedupFile.removeAbandonedTemporaries(in: directory.snapshotsPath)
            if let saved = DedupFile.read(directory.dedupFilePath, reader: reader) { (dedup, covered) = saved }
            try reader.forEach(from: covered, checkingProps: false) { _, event in
                _ = dedup.insert(XXHash64.hash(event.id))
                return true
            }
        } catch let e as StoreError {
            throw StoreError(e.kind, "cannot rebuild the dedup set from the log: \(e.message)", path: e.path, errno: e.errno, offset: e.offset)
        } catch {
            throw StoreError(.io, "cannot rebuild the dedup set from the log: \(error)", path: directory.logPath)
        }
        let store = EventStore(directory: directory, writer: writer, dedup: dedup, level: options.compressionLevel)
        store.dedupFileCovers = covered
        return store
    }

    /// `mkdir -p path`, keeping the errno and the component that failed.
    static func createDirectories(_ path: String) throws(StoreError) {
        var current = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            if mkdir(current, 0o755) != 0, case let code = errno, code != EEXIST {
                throw .system("cannot create data directory \(path)", path: current, errno: code)
            }
        }
    }

    private init(directory: DataDirectory, writer: LogWriter, dedup: DedupSet, level: Int32) {
        self.directory = directory
        self.writer = writer
        self.dedup = dedup
        self.compressor = FrameCompressor(level: level)
    }

    /// Compresses the frames appended from now on at `level` (`daicho.json` `compression_level`; clamped to
    /// `FrameCompressor.levels`). Set it before appending: the ingest's committer thread uses the compressor.
    public func setCompressionLevel(_ level: Int32) { compressor.setLevel(level) }

    /// The offset the next appended event gets.
    public var nextOffset: UInt64 { writer.nextOffset }

    /// Number of distinct event ids known (the dedup set's size).
    public var knownEventIDs: Int { lock.withLock { dedup.count } }

    /// Compresses an encoded batch into a frame (the committer's half of an append).
    func prepareFrame(_ payload: [UInt8], summary: BatchBuilder.PayloadSummary) -> PreparedFrame {
        payload.withUnsafeBytes {
            compressor.prepare(payload: $0, recordCount: summary.records,
                               firstEventTime: summary.firstEventTime, maxEventTime: summary.maxEventTime)
        }
    }

    /// Appends a prepared frame durably (per the durability option); returns its base offset.
    func appendFrame(_ frame: PreparedFrame) throws(IngestError) -> UInt64 {
        do {
            return try writer.append(frame)
        } catch {
            throw IngestError.log(StoreError(error, offset: writer.nextOffset))
        }
    }

    /// Appends events given as values (library use): normalizes their raw identifiers, drops those whose id
    /// is already in the log or earlier in `events`, and appends the rest as one durable frame.
    /// - Returns: each event's offset, or nil for a duplicate.
    /// - Throws: `StoreError` for an invalid event (its reason) or a log failure.
    public func append(_ events: [Event], normalizer: IdentifierNormalizer = IdentifierNormalizer()) throws(StoreError) -> [UInt64?] {
        try append(events, normalizer: normalizer, allowingInternal: false)
    }

    /// Appends Daicho's own events (`EventType.isInternal`, e.g. segment definitions; docs/segments.md) as one
    /// durable frame. Input files can never carry these types.
    /// - Returns: each event's offset, or nil for a duplicate id.
    public func appendInternal(_ events: [Event]) throws(StoreError) -> [UInt64?] {
        guard events.allSatisfy(\.type.isInternal) else { throw StoreError(.invalidArgument, "appendInternal takes internal event types only") }
        return try append(events, normalizer: IdentifierNormalizer(), allowingInternal: true)
    }

    private func append(_ events: [Event], normalizer: IdentifierNormalizer, allowingInternal: Bool) throws(StoreError) -> [UInt64?] {
        lock.lock()
        defer { lock.unlock() }
        var builder = BatchBuilder()
        var encoder = EventValueEncoder(normalizer: normalizer, acceptsInternalTypes: allowingInternal)
        for (i, e) in events.enumerated() {
            if let reason = encoder.encode(e, into: &builder) { throw StoreError(.invalidArgument, "event \(i) (\"\(e.id)\"): \(reason)") }
        }
        var keep = [Bool](repeating: false, count: builder.count)
        for i in 0..<builder.count { keep[i] = dedup.insert(builder.fingerprint(i)) }
        var payload: [UInt8] = []
        let s = builder.makePayload(into: &payload, keep: { keep[$0] })
        var offsets = [UInt64?](repeating: nil, count: events.count)
        guard s.records > 0 else { return offsets }
        let base: UInt64
        do { base = try appendFrame(prepareFrame(payload, summary: s)) } catch { throw error.storeError }
        var next = base
        for i in 0..<events.count where keep[i] {
            offsets[i] = next
            next += 1
        }
        return offsets
    }

    /// Appends NDJSON chunks through the parallel ingest pipeline.
    /// - Parameters:
    ///   - onReject: receives each rejected line, in input order.
    ///   - onProgress: receives progress after each appended chunk.
    public func ingest(options: IngestOptions = IngestOptions(),
                       nextChunk: () throws(IngestError) -> NDJSONChunk?,
                       onReject: @escaping (RejectedLine) throws -> Void,
                       onProgress: @escaping (IngestProgress) -> Void = { _ in }) throws(IngestError) -> IngestSummary {
        lock.lock()
        defer { lock.unlock() }
        return try Ingestor(store: self, options: options).run(nextChunk: nextChunk, onReject: onReject, onProgress: onProgress)
    }

    /// Appends one NDJSON file through the ingest pipeline (what `daicho append FILE` does, without the rejects
    /// file: rejected lines go to `onReject`).
    /// - Parameter chunkBytes: the size of the blocks the file is cut into (whole lines; one frame or more each).
    /// - Throws: `IngestError.io` when the file cannot be opened or read; `.log` when appending fails.
    public func ingest(file path: String, chunkBytes: Int = NDJSONChunkReader.defaultBlockBytes, options: IngestOptions = IngestOptions(),
                       onReject: @escaping (RejectedLine) throws -> Void = { _ in }) throws(IngestError) -> IngestSummary {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno // before the message is built, which may allocate
            throw IngestError.io(.system("cannot open \(path)", path: path, errno: code))
        }
        defer { Glibc.close(fd) }
        let reader = NDJSONChunkReader(fd: fd, name: path, blockBytes: chunkBytes)
        return try ingest(options: options, nextChunk: { () throws(IngestError) -> NDJSONChunk? in try reader.next() },
                          onReject: onReject)
    }

    /// Makes everything appended durable (needed with `Durability.end`).
    public func sync() throws(StoreError) {
        do { try writer.sync() } catch { throw StoreError(error) }
    }

    /// Syncs, saves the dedup set when enough was appended since it was saved (`dedupFileMinEvents`), and
    /// releases the writer lock.
    public func close() throws(StoreError) {
        let end = writer.nextOffset
        if end > dedupFileCovers, end - dedupFileCovers >= max(UInt64(dedupFileMinEvents), dedupFileCovers / 16) {
            do { try writer.sync() } catch { throw StoreError(error) }
            saveDedupSet(covering: end)
        }
        do { try writer.close() } catch { throw StoreError(error) }
    }

    /// Writes `snapshots/event-ids.dedup` for the durable log below `end`. A failure (a full disk) costs only the
    /// next open's time: that open rebuilds the set from the log, so it is not an error of the append.
    ///
    /// Saved only when the set holds exactly one id per event of the log: an ingest that failed part-way (a rejects
    /// file that could not be written, a frame that could not be appended) has put ids of events that never reached
    /// the log into the set, and a saved copy would refuse them as duplicates for good. In memory they last only
    /// until the process ends, as they always did. (A log holding fewer distinct fingerprints than events, after a
    /// 64-bit collision, also skips the save: each open rebuilds, as before the file existed.)
    private func saveDedupSet(covering end: UInt64) {
        let set = lock.withLock { dedup }
        guard UInt64(set.count) == end,
              let frame = try? EventReader(directory).frameChecksum(containing: end - 1) else { return }
        do {
            try Self.createDirectories(directory.snapshotsPath)
            try DedupFile.write(set, covered: end, frame: frame, to: directory.dedupFilePath, directory: directory.snapshotsPath)
            dedupFileCovers = end
        } catch {
            return
        }
    }
}
