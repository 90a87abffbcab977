import Foundation

/// Whole-file replacement that a crash cannot leave half-written: the readers of a derived file (snapshots,
/// checkpoints, the dedup file) see the old file or the new one.
public enum AtomicFile {
    /// temp file (`path.tmp-<pid>`) → write → fsync → rename → fsync(directory).
    /// - Throws: `StoreError` of kind `.io` with the file and errno; the temporary is removed.
    public static func write(_ parts: [[UInt8]], to path: String, directory: String) throws(StoreError) {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("cannot create \(temp)", path: temp, errno: errno) }
        var ok = true
        for part in parts where ok {
            var written = 0
            ok = part.withUnsafeBytes { b -> Bool in
                while written < b.count {
                    let n = Glibc.write(fd, b.baseAddress! + written, b.count - written)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    written += n
                }
                return true
            }
        }
        ok = ok && fsync(fd) == 0
        let failure = errno
        close(fd)
        guard ok else {
            unlink(temp)
            throw StoreError.system("cannot write \(temp)", path: temp, errno: failure)
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw StoreError.system("cannot rename \(temp) to \(path)", path: path, errno: errno)
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
