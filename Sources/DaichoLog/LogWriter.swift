// The single writer of a log: append, sync, roll, publish. See docs/log-format.md §5–§7.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Appends frames to a log directory. One per directory at a time (held by `LOCK`); its methods
/// may be called from any thread and are serialised internally.
public final class LogWriter: @unchecked Sendable {
    /// The log directory.
    public let directory: String
    /// The options the writer was opened with.
    public let options: LogOptions
    /// What recovery did on open.
    public let recovery: RecoveryReport

    private let mutex = NSLock()
    private let notifier: GrowthNotifier
    private let compressor: FrameCompressor
    private var lockFile: HeldLock?
    private var headFile: PosixFile?
    private var active: PosixFile?
    private var activeBase: UInt64
    private var activeSize: Int
    private var durableSize: Int
    private var next: UInt64
    private var failure: LogError?
    private let header = UnsafeMutableRawBufferPointer.allocate(byteCount: LogFormat.headerSize, alignment: 8)

    private init(directory: String, options: LogOptions, lockFile: HeldLock, headFile: PosixFile, recovered: RecoveredLog) {
        self.directory = directory
        self.options = options
        self.recovery = recovered.report
        self.lockFile = lockFile
        self.headFile = headFile
        self.active = recovered.active
        self.activeBase = recovered.activeBase
        self.activeSize = recovered.activeSize
        self.durableSize = recovered.activeSize
        self.next = recovered.nextOffset
        self.notifier = GrowthNotifier.shared(for: directory)
        self.compressor = FrameCompressor(level: options.compressionLevel)
    }

    /// Opens a log for writing: creates the directory if missing, takes the lock, recovers.
    /// - Parameters:
    ///   - directory: the log directory (e.g. `<data>/log`).
    ///   - options: segment size, durability and compression level.
    /// - Returns: the writer, positioned at the end of the log.
    /// - Throws: `.locked` when another writer holds the log (message names its pid);
    ///   `.corrupt` when the log is damaged other than at its tail (run `daicho verify`); `.io`.
    public static func open(directory: String, options: LogOptions = .init()) throws(LogError) -> LogWriter {
        guard options.segmentMaxBytes > LogFormat.headerSize else {
            throw LogError(.invalidArgument, "segmentMaxBytes must exceed \(LogFormat.headerSize), got \(options.segmentMaxBytes)", path: directory)
        }
        try LogDirectory.create(directory)
        let lockFile = try WriterLock.acquire(directory: directory, wait: options.lockWait)
        LogDirectory.removeTemporaries(in: directory)
        let recovered = try Recovery.recover(directory: directory)
        let headPath = directory + "/" + LogFormat.headFileName
        if access(headPath, F_OK) != 0 {
            try HeadRecord(nextOffset: recovered.nextOffset, activeSegmentBase: recovered.activeBase,
                           durableBytes: UInt64(recovered.activeSize)).install(in: directory)
        }
        let headFile = try PosixFile.open(headPath, flags: O_RDWR)
        let writer = LogWriter(directory: directory, options: options, lockFile: lockFile, headFile: headFile, recovered: recovered)
        try writer.mutex.locked { () throws(LogError) in try writer.publish() }
        return writer
    }

    deinit { header.deallocate() }

    /// The offset the next appended record will get.
    public var nextOffset: UInt64 { mutex.withLock { next } }

    /// Appends a prepared frame: assigns its offsets, writes it at the end of the active segment
    /// (rolling first if the segment would exceed `segmentMaxBytes`) and, with `.batch`
    /// durability, syncs it and publishes the new durable end before returning.
    /// - Parameter frame: a frame from `FrameCompressor.prepare`.
    /// - Returns: the offset of the frame's first record.
    /// - Throws: `.invalidArgument` for an impossible frame; `.io` for a failed write or sync, after
    ///   which the writer is failed and every later call throws `.writerFailed`.
    @discardableResult
    public func append(_ frame: PreparedFrame) throws(LogError) -> UInt64 {
        try validate(frame)
        return try mutex.locked { () throws(LogError) -> UInt64 in
            try checkUsable()
            do throws(LogError) {
                return try write(frame)
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Compresses a batch with the writer's own compressor and appends it (see `append(_:)`).
    /// - Parameters:
    ///   - payload: the binary-encoded batch (at most 64 MiB).
    ///   - recordCount: records in the batch (>= 1).
    ///   - firstEventTime: event time (µs) of the first record.
    ///   - maxEventTime: largest event time (µs) of the batch.
    /// - Returns: the offset of the batch's first record.
    @discardableResult
    public func append(payload: UnsafeRawBufferPointer, recordCount: Int, firstEventTime: Int64, maxEventTime: Int64) throws(LogError) -> UInt64 {
        guard payload.count <= LogFormat.maxUncompressedBytes else {
            throw LogError(.invalidArgument, "a frame payload is at most 64 MiB uncompressed, got \(payload.count) bytes; split the batch", path: directory)
        }
        let frame = mutex.withLock {
            compressor.prepare(payload: payload, recordCount: recordCount, firstEventTime: firstEventTime, maxEventTime: maxEventTime)
        }
        return try append(frame)
    }

    /// Makes every appended frame durable and publishes the durable end (a no-op when nothing is pending).
    /// - Throws: `.io` for a failed sync (the writer is then failed), `.writerFailed`, `.closed`.
    public func sync() throws(LogError) {
        try mutex.locked { () throws(LogError) in
            try checkUsable()
            do throws(LogError) {
                try syncActive()
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Syncs, publishes and releases the lock. Later calls throw `.closed`.
    /// - Throws: the sync failure or the earlier failure; the lock is released either way.
    public func close() throws(LogError) {
        try mutex.locked { () throws(LogError) in
            guard lockFile != nil else { return }
            defer {
                active = nil
                headFile = nil
                lockFile = nil
            }
            if let failure { throw failure }
            try syncActive()
        }
    }

    // MARK: - Internals (called with `mutex` held)

    private func validate(_ frame: PreparedFrame) throws(LogError) {
        guard frame.recordCount >= 1, frame.recordCount <= Int(UInt32.max) else {
            throw LogError(.invalidArgument, "a frame needs 1...\(UInt32.max) records, got \(frame.recordCount)", path: directory)
        }
        guard frame.uncompressedBytes <= LogFormat.maxUncompressedBytes else {
            throw LogError(.invalidArgument, "a frame payload is at most 64 MiB uncompressed, got \(frame.uncompressedBytes) bytes; split the batch", path: directory)
        }
        guard frame.firstEventTime <= frame.maxEventTime else {
            throw LogError(.invalidArgument, "first event time \(frame.firstEventTime) is after max event time \(frame.maxEventTime)", path: directory)
        }
    }

    private func checkUsable() throws(LogError) {
        if let failure {
            throw LogError(.writerFailed, "the writer failed earlier and refuses further work; reopen the log to recover. Cause: \(failure.message)", path: failure.path, errno: failure.errno)
        }
        guard lockFile != nil else { throw LogError(.closed, "the writer is closed", path: directory) }
    }

    private func write(_ frame: PreparedFrame) throws(LogError) -> UInt64 {
        let frameSize = LogFormat.headerSize + frame.storedBytes
        if activeSize > 0 && activeSize + frameSize > options.segmentMaxBytes { try roll() }
        guard let active else { throw LogError(.closed, "the writer is closed", path: directory) }
        let base = next
        try withBytes(of: frame.stored) { (payload) throws(LogError) in
                let raw = header
                var fields = FrameHeader(
                    crc: 0, codec: frame.codec, recordCount: UInt32(frame.recordCount), baseOffset: base,
                    firstEventTime: frame.firstEventTime, maxEventTime: frame.maxEventTime, appendTime: options.appendClock?() ?? Self.nowMicros(),
                    storedLength: UInt32(frame.storedBytes), uncompressedLength: UInt32(frame.uncompressedBytes))
                fields.encode(into: raw)
                fields.crc = FrameHeader.computeCRC(header: UnsafeRawBufferPointer(raw), payload: payload)
                raw.storeBytes(of: fields.crc.littleEndian, toByteOffset: 4, as: UInt32.self)
                try active.write(UnsafeRawBufferPointer(raw), payload, at: activeSize)
        }
        activeSize += frameSize
        next = base + UInt64(frame.recordCount)
        if options.durability == .batch { try syncActive() }
        return base
    }

    /// Syncs the active segment if it has unsynced bytes, then publishes `head` and wakes waiters.
    private func syncActive() throws(LogError) {
        guard durableSize < activeSize, let active else { return }
        try active.syncData()
        durableSize = activeSize
        try publish()
    }

    /// Overwrites `head` with the durable end, syncs it (the durable mark recovery trusts, §6) and wakes
    /// in-process waiters. Called only after the segment bytes it publishes were synced.
    private func publish() throws(LogError) {
        guard let headFile else { return }
        try HeadRecord(nextOffset: next, activeSegmentBase: activeBase, durableBytes: UInt64(durableSize)).write(to: headFile)
        try headFile.syncData()
        notifier.signal()
    }

    /// Syncs the full segment, creates `<next>.seg` and syncs the directory (KAFKA-3968).
    private func roll() throws(LogError) {
        try syncActive()
        let path = directory + "/" + LogFormat.segmentFileName(base: next)
        let created = try PosixFile.open(path, flags: O_RDWR | O_CREAT | O_EXCL)
        try LogDirectory.sync(directory)
        active = created
        activeBase = next
        activeSize = 0
        durableSize = 0
    }

    private static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}
