import Foundation
import Daicho
import DaichoLog

/// The rejects file of one `append` run, DIR/rejects/append-<UTC time>-<pid>.ndjson, one JSON object per rejected
/// line (docs/ingest.md "Rejects"). It is written under a temporary name (`.append-….ndjson.tmp`) and renamed into
/// place only when complete and synced, so a full disk or a failed write never leaves an empty or half-written
/// rejects file: the temporary is removed and the error names the file and the cause.
final class RejectsFile {
    let directory: DataDirectory
    /// The final path, set when the first line is rejected.
    private(set) var path: String?
    private var temporary: String?
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    /// "FILE:LINE: reason" of the first rejected lines, for standard error.
    private var firstReasons: [String] = []
    /// How many reasons `printFirstReasons` shows.
    static let shownReasons = 5

    init(directory: DataDirectory) { self.directory = directory }

    /// Buffers one rejected line (written in 1 MiB pieces).
    /// - Throws: `StoreError` naming the file when it cannot be created or written (the temporary is removed).
    func write(_ r: RejectedLine) throws {
        try write(input: r.input, line: r.line, reason: r.reason, bytes: r.bytes, truncated: r.truncated)
    }

    /// Buffers one rejected line given by its parts: `bytes` verbatim, from line `line` of `input`.
    func write(input: String, line: Int, reason: String, bytes: [UInt8], truncated: Bool = false) throws {
        if handle == nil { try create() }
        // Reasons never hold identifier or props values (docs/ingest.md "Reasons"), so they can be shown as they are.
        if firstReasons.count < Self.shownReasons { firstReasons.append("\(input):\(line): \(reason)") }
        RejectedLine.appendRecord(input: input, line: line, reason: reason, bytes: bytes, truncated: truncated, to: &pending)
        if pending.count > 1 << 20 { try flush() }
    }

    /// Prints the first rejected lines' places and reasons on standard error, then where the rest are.
    func printFirstReasons(rejected: Int) {
        guard !firstReasons.isEmpty else { return }
        for reason in firstReasons { printError("daicho append: rejected \(reason)") }
        let more = rejected - firstReasons.count
        let place = path ?? directory.rejectsPath
        printError(more > 0 ? "daicho append: \(more) more rejected line\(more == 1 ? "" : "s"); all \(rejected) are in \(place)"
                            : "daicho append: the rejected line\(rejected == 1 ? " is" : "s are") kept in \(place)")
    }

    /// Removes the temporaries of `append` runs that were killed (`.append-<time>-<pid>.ndjson.tmp` whose process is
    /// gone); a running append's temporary is left alone. Their lines were never acknowledged: running the same input
    /// again rejects them again.
    /// - Returns: the paths removed.
    @discardableResult
    static func removeAbandonedTemporaries(in directory: DataDirectory) -> [String] {
        AbandonedTemporaries.remove(in: directory.rejectsPath) { name in
            guard name.hasPrefix(".append-") && name.hasSuffix(".ndjson.tmp") else { return nil }
            return name.dropLast(".ndjson.tmp".count).split(separator: "-").last.flatMap { Int32($0) }
        }
    }

    private func create() throws {
        try FileManager.default.createDirectory(atPath: directory.rejectsPath, withIntermediateDirectories: true)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = "append-\(f.string(from: Date()))-\(getpid()).ndjson"
        let temp = "\(directory.rejectsPath)/.\(name).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileHandle(forWritingAtPath: temp) else {
            throw StoreError.system("cannot create rejects file \(temp)", path: temp, errno: errno)
        }
        path = "\(directory.rejectsPath)/\(name)"
        temporary = temp
        handle = h
    }

    private func flush() throws {
        guard let handle, !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            abandon()
            throw StoreError(.io, "cannot write rejects file \(path ?? "?"): \(error.localizedDescription); the rejected lines were not recorded (the events appended so far are in the log)", path: path)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes what is pending, fsyncs (rejected lines are as durable as appended ones) and renames the file into
    /// place. A no-op when nothing was rejected.
    /// - Throws: `StoreError` naming the file and the cause; the temporary is removed then.
    func close() throws {
        guard let temporary, let path else { return }
        try flush()
        do {
            try handle?.synchronize()
            try handle?.close()
            handle = nil
        } catch {
            abandon()
            throw StoreError(.io, "cannot write rejects file \(path): \(error.localizedDescription); the rejected lines were not recorded", path: path)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            abandon()
            throw StoreError.system("cannot rename \(temporary) to \(path) (the rejected lines were not recorded)", path: path, errno: code)
        }
        self.temporary = nil
        let fd = open(directory.rejectsPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); Glibc.close(fd) }
    }

    /// Closes and removes the temporary after a failure (of its own writes, or of the append it records), so no
    /// empty or partial rejects file is left; a failed append records no rejects (running it again rejects them again).
    func abandon() {
        try? handle?.close()
        handle = nil
        if let temporary { unlink(temporary) }
        temporary = nil
        path = nil
    }
}
