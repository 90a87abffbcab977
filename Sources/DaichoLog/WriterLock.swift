// The single-writer lock. See docs/log-format.md §7.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Acquiring the `LOCK` file of a log directory.
enum WriterLock {
    /// Takes `flock(LOCK_EX | LOCK_NB)` on `<directory>/LOCK` and writes this process's pid into it.
    /// - Returns: the open lock file; closing it releases the lock.
    /// - Throws: `.locked` naming the holder's pid and the directory when another writer holds it.
    static func acquire(directory: String) throws(LogError) -> PosixFile {
        let path = directory + "/" + LogFormat.lockFileName
        let file = try PosixFile.open(path, flags: O_RDWR | O_CREAT)
        while flock(file.fd, LOCK_EX | LOCK_NB) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else { throw file.failure("flock", at: nil) }
            var raw = [UInt8](repeating: 0, count: 32)
            let n = raw.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, 0) }
            let text = n > 0 ? String(decoding: raw[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            let holder = text.isEmpty ? "pid unknown" : "pid \(text)"
            throw LogError(.locked, "log directory \(directory) is locked by another writer (\(holder)); stop that writer or wait for it to finish", path: directory)
        }
        try file.truncate(to: 0)
        try file.write(Array("\(getpid())\n".utf8), at: 0)
        return file
    }
}
