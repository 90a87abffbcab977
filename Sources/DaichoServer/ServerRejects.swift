import Daicho
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The rejects file of a running server, `DIR/rejects/serve-<UTC start>-<pid>.ndjson`: every rejected message or
/// line, verbatim, in the record shape of `daicho append`'s rejects file (docs/ingest.md "Rejects file") with the
/// request it came in. Written and fsynced before the request is answered, so a rejection the client was told
/// about is never lost.
public final class ServerRejects: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var fd: Int32 = -1

    public init(directory: DataDirectory, startedAt: Date = Date()) {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        path = directory.rejectsPath + "/serve-\(f.string(from: startedAt))-\(getpid()).ndjson"
    }

    deinit { if fd >= 0 { close(fd) } }

    /// One rejected input.
    public struct Record {
        public var input: String
        public var line: Int
        public var reason: String
        public var bytes: ArraySlice<UInt8>
        public init(input: String, line: Int, reason: String, bytes: ArraySlice<UInt8>) {
            self.input = input
            self.line = line
            self.reason = reason
            self.bytes = bytes
        }
    }

    /// Appends `records` and syncs them.
    /// - Throws: `StoreError` naming the file when it cannot be written (the request then fails with 503: its
    ///   rejections could not be kept).
    public func keep(_ records: [Record]) throws(StoreError) {
        guard !records.isEmpty else { return }
        var out: [UInt8] = []
        for r in records { RejectedLine.appendRecord(input: r.input, line: r.line, reason: r.reason, bytes: r.bytes, to: &out) }
        lock.lock()
        defer { lock.unlock() }
        if fd < 0 {
            _ = mkdir((path as NSString).deletingLastPathComponent, 0o755)
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .system("cannot create the rejects file \(path)", path: path, errno: errno) }
        }
        let written = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == out.count else {
            let code = errno
            // A short write leaves a partial record: cut it off so every line of the file stays whole.
            if written > 0 { _ = ftruncate(fd, lseek(fd, 0, SEEK_END) - off_t(written)) }
            throw .system("cannot write the rejects file \(path)", path: path, errno: written < 0 ? code : ENOSPC)
        }
        guard fsync(fd) == 0 else { throw .system("cannot sync the rejects file \(path)", path: path, errno: errno) }
    }
}
