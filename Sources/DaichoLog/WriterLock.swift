// The single-writer lock. See docs/log-format.md §7.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Acquiring the `LOCK` file of a log directory.
enum WriterLock {
    /// Directories with an open writer in this process (their canonical paths).
    private static let openWriters = Mutex<Set<String>>([])

    /// Takes `flock(LOCK_EX | LOCK_NB)` on `<directory>/LOCK` and on the directory itself, and writes this process's
    /// pid into `LOCK`. The directory lock is what a deleted or replaced `LOCK` file cannot release: a second writer
    /// that creates a new `LOCK` still finds the directory held.
    ///
    /// A child process that this process forks shares the lock file's open description until it calls
    /// `exec`, so just after a writer of ours closed, the lock can still be held for a moment by such a
    /// child. When no writer of this process has the directory open and the file names our own pid, the
    /// lock is retried for up to two seconds instead of being reported.
    /// - Parameter wait: how long to keep retrying (every 10 ms) while another writer holds the lock.
    /// - Returns: the held lock; releasing the value releases the lock.
    /// - Throws: `.locked` naming the holder's pid and the directory when another writer still holds it.
    static func acquire(directory: String, wait: Duration = .zero) throws(LogError) -> HeldLock {
        let path = directory + "/" + LogFormat.lockFileName
        let key = canonical(directory)
        let ours = openWriters.withLock { $0.contains(key) }
        let file = try PosixFile.open(path, flags: O_RDWR | O_CREAT)
        let directoryFile = try PosixFile.open(directory, flags: O_RDONLY | O_DIRECTORY)
        var waited = 0
        let deadline = ContinuousClock.now + wait
        while true {
            let code = lockBoth(file, directoryFile)
            if code == 0 { break }
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                throw LogError(.io, "cannot lock \(path): flock: \(errnoText(code))", path: path, errno: code)
            }
            let holder = holderPID(file)
            if !ours && holder == "\(getpid())" && waited < 2_000 {
                usleep(1_000)
                waited += 1
                continue
            }
            if ContinuousClock.now < deadline {
                usleep(10_000)
                continue
            }
            let who = holder.isEmpty ? "pid unknown" : "pid \(holder)"
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            let waitedFor = wait > .zero ? " after waiting \(seconds) s" : ""
            throw LogError(.locked, "log directory \(directory) is locked by another writer (\(who))\(waitedFor); stop that writer, wait for it to finish, or pass --wait-lock SECONDS", path: directory)
        }
        try file.truncate(to: 0)
        try file.write(Array("\(getpid())\n".utf8), at: 0)
        openWriters.withLock { _ = $0.insert(key) }
        return HeldLock(file: file, directory: directoryFile, key: key)
    }

    /// Takes both locks or neither. - Returns: 0, or the errno of the `flock` that failed.
    private static func lockBoth(_ file: PosixFile, _ directory: PosixFile) -> Int32 {
        guard flock(file.fd, LOCK_EX | LOCK_NB) == 0 else { return Glibc.errno }
        guard flock(directory.fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = Glibc.errno
            _ = flock(file.fd, LOCK_UN)
            return code
        }
        return 0
    }

    /// Forgets that this process has a writer on the directory `key` (its lock file is about to close).
    fileprivate static func release(key: String) {
        openWriters.withLock { _ = $0.remove(key) }
    }

    /// The pid written in the lock file, or "" when unreadable.
    private static func holderPID(_ file: PosixFile) -> String {
        var raw = [UInt8](repeating: 0, count: 32)
        let n = raw.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: raw[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }

    private static func canonical(_ directory: String) -> String {
        guard let resolved = realpath(directory, nil) else { return directory }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A held writer lock: the open, flocked `LOCK` file and log directory. Released (files closed) when the value is.
final class HeldLock {
    let file: PosixFile
    let directory: PosixFile
    fileprivate let key: String

    fileprivate init(file: PosixFile, directory: PosixFile, key: String) {
        self.file = file
        self.directory = directory
        self.key = key
    }

    deinit { WriterLock.release(key: key) }
}
