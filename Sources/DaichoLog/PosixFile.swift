// Thin POSIX file helpers for the log engine (typed errors naming file and position).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The text of an `errno` value.
public func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text) + " (errno \(code))"
}

/// Temporaries of processes killed while writing them: files whose name carries the writer's pid.
public enum AbandonedTemporaries {
    /// Removes each file of `directory` whose name `ownerPID` reads a pid from when that process is gone; the
    /// files of a running process, this one or another, are left alone.
    /// - Returns: the paths removed.
    @discardableResult
    public static func remove(in directory: String, ownerPID: (String) -> Int32?) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let pid = ownerPID(name), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = directory + "/" + name
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }
}

/// An open file descriptor, closed in `deinit`.
final class PosixFile {
    let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { _ = Glibc.close(fd) }

    /// Opens `path` with `flags` (O_CLOEXEC is added) and mode 0644 for created files.
    static func open(_ path: String, flags: Int32) throws(LogError) -> PosixFile {
        let fd = Glibc.open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = Glibc.errno
            throw LogError(.io, "cannot open \(path): \(errnoText(code))", path: path, errno: code)
        }
        return PosixFile(fd: fd, path: path)
    }

    /// The current size of the file in bytes.
    func size() throws(LogError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure("fstat", at: nil) }
        return Int(st.st_size)
    }

    /// Reads up to `buffer.count` bytes at `position`; fewer only at end of file.
    /// - Returns: the number of bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(position + done))
            if n == 0 { break }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw failure("read", at: position + done)
            }
            done += n
        }
        return done
    }

    /// Writes all of `first` then `second` at `position` with `pwritev`, retrying short writes.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, at position: Int) throws(LogError) {
        var skip = 0
        let total = first.count + second.count
        while skip < total {
            var vecs = [iovec](), count: Int32 = 0
            if skip < first.count {
                vecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress! + skip), iov_len: first.count - skip))
                count += 1
            }
            let secondSkip = max(0, skip - first.count)
            if second.count > secondSkip {
                vecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress! + secondSkip), iov_len: second.count - secondSkip))
                count += 1
            }
            let n = pwritev(fd, vecs, count, off_t(position + skip))
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw failure("write", at: position + skip)
            }
            if n == 0 { throw LogError(.io, "write to \(path) at byte \(position + skip) made no progress", path: path) }
            skip += n
        }
    }

    /// Writes all of `bytes` at `position`.
    func write(_ bytes: [UInt8], at position: Int) throws(LogError) {
        try withBytes(of: bytes) { (raw) throws(LogError) in
            try write(raw, UnsafeRawBufferPointer(start: nil, count: 0), at: position)
        }
    }

    /// `fdatasync`s the file.
    func syncData() throws(LogError) {
        guard fdatasync(fd) == 0 else { throw failure("fdatasync", at: nil) }
    }

    /// Truncates the file to `length` bytes.
    func truncate(to length: Int) throws(LogError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw failure("ftruncate", at: length) }
    }

    /// An `.io` error for the failed call `what`, with the current `errno`.
    func failure(_ what: String, at position: Int?) -> LogError {
        let code = Glibc.errno
        let place = position.map { " at byte \($0)" } ?? ""
        return LogError(.io, "\(what) of \(path)\(place) failed: \(errnoText(code))", path: path, errno: code)
    }
}

/// File-system helpers on directories.
enum LogDirectory {
    /// Creates `path` and its parents if missing.
    static func create(_ path: String) throws(LogError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LogError(.io, "cannot create log directory \(path): \(error.localizedDescription)", path: path)
        }
    }

    /// `fsync`s the directory so that created names are durable (KAFKA-3968).
    static func sync(_ path: String) throws(LogError) {
        let dir = try PosixFile.open(path, flags: O_RDONLY | O_DIRECTORY)
        guard fsync(dir.fd) == 0 else { throw dir.failure("fsync of directory", at: nil) }
    }

    /// Creates or replaces the file `path` in `directory` whole: `write` fills `temporary`, which is synced, renamed
    /// to `path`, and the directory synced. A crash leaves the old file (or none) or the new one, never a part of it;
    /// on an error the temporary is removed. Only a holder of the writer lock calls this (`removeTemporaries`
    /// clears what a killed one left).
    static func replace<R>(_ path: String, through temporary: String, in directory: String,
                           write: (PosixFile) throws(LogError) -> R) throws(LogError) -> R {
        let file = try PosixFile.open(temporary, flags: O_RDWR | O_CREAT | O_TRUNC)
        let result: R
        do throws(LogError) {
            result = try write(file)
            try file.syncData()
            guard rename(temporary, path) == 0 else { throw file.failure("rename to \(path)", at: nil) }
        } catch {
            unlink(temporary)
            throw error
        }
        try sync(directory)
        return result
    }

    /// Removes the temporaries of a writer or `repair` killed before its rename: `<segment>.repair` (the segment it
    /// was rewriting is unchanged) and `head.new` (`head` was not created yet). Only a holder of the writer lock
    /// calls this: no writer or repair is running then.
    static func removeTemporaries(in path: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name == LogFormat.headTemporaryName || name.hasSuffix(LogFormat.segmentSuffix + ".repair")
            && LogFormat.segmentBase(fileName: String(name.dropLast(".repair".count))) != nil {
            unlink(path + "/" + name)
        }
    }

    /// What to say when the first segment file does not start at offset 0, where every log starts
    /// (docs/log-format.md §1): the files holding the offsets before it are missing.
    static func missingFirstSegments(_ first: (base: UInt64, path: String)) -> String {
        "the first segment file is \(first.path) (offset \(first.base)), but the log starts at offset 0: the segment files holding offsets 0..<\(first.base) are missing"
    }

    /// The segment files of `path`, sorted by base offset.
    static func segments(in path: String) throws(LogError) -> [(base: UInt64, path: String)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw LogError(.io, "cannot list log directory \(path): \(error.localizedDescription)", path: path)
        }
        return names.compactMap { name in
            LogFormat.segmentBase(fileName: name).map { (base: $0, path: path + "/" + name) }
        }.sorted { $0.base < $1.base }
    }
}
