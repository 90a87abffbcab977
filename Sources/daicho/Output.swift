@preconcurrency import Glibc
import Foundation
import Daicho

/// Writes all of `bytes` to standard output, retrying short writes and EINTR.
/// - Returns: false when the reader has closed the pipe (EPIPE; SIGPIPE is ignored in main.swift), so the
///   caller can end quietly, as `daicho profiles | head` does. Any other write error ends the process with
///   exit status 2 and the reason on stderr.
func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var off = 0
    while off < bytes.count {
        let n = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + off, bytes.count - off)
        if n < 0 {
            if errno == EINTR { continue }
            if errno == EPIPE { return false }
            printError("daicho: cannot write to standard output: \(String(cString: strerror(errno)))")
            exit(ExitStatus.usageOrIO)
        }
        off += n
    }
    return true
}

/// Writes all of `bytes` to standard output; false when the reader has closed the pipe.
func writeStandardOutput(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeStandardOutput($0) }
}

/// Buffered standard output for large exports: one write per 1 MiB, not per line.
/// A closed pipe ends the process quietly with exit status 0 (the reader wanted no more).
final class StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 20) }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    func write(_ s: String) { write(Array(s.utf8)) }

    /// Appends through a closure into the buffer, avoiding a temporary array.
    func append(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        if !writeStandardOutput(buffer) { exit(ExitStatus.ok) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Flushes what `print` buffered for standard output and returns `status`, or 2 with the reason on stderr when
/// writing failed (a full disk, an I/O error): a command's output is never lost silently. A closed pipe (EPIPE)
/// is not a failure: the reader wanted no more.
func finishStandardOutput(_ status: Int32) -> Int32 {
    guard fflush(stdout) != 0 || ferror(stdout) != 0 else { return status }
    let code = errno
    if code == EPIPE { return status }
    printError("daicho: cannot write to standard output: \(code == 0 ? "write error" : String(cString: strerror(code)))")
    return ExitStatus.usageOrIO
}

/// Prints one line to standard error. Never traps: a closed or failing stderr loses the line, nothing else.
func printError(_ message: String) {
    writeStandardError(message + "\n")
}

/// Writes `text` to standard error as it is (no newline added), ignoring write errors.
func writeStandardError(_ text: String) {
    Array(text.utf8).withUnsafeBytes { b in
        var off = 0
        while off < b.count {
            let n = Glibc.write(STDERR_FILENO, b.baseAddress! + off, b.count - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            off += n
        }
    }
}

/// One JSON object as a line (keys in the given order).
func jsonLine(_ members: [JSONMember]) -> String {
    var out: [UInt8] = []
    EventJSONWriter.appendValue(.object(members), to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// A JSON number for a count.
func count(_ n: Int) -> JSONValue { .int(Int64(n)) }

/// A JSON number for seconds or ratios, rounded to 3 decimals.
func decimal(_ x: Double) -> JSONValue { .double((x * 1000).rounded() / 1000) }

/// Exit statuses shared by every command (README "Exit status").
enum ExitStatus {
    static let ok: Int32 = 0
    static let someRejected: Int32 = 1
    static let usageOrIO: Int32 = 2
    static let notFound: Int32 = 3
}
