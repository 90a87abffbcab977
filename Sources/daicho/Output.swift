import Foundation
import Daicho

/// Buffered standard output for large exports: one write per 1 MiB, not per line.
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
        var off = 0
        buffer.withUnsafeBytes { b in
            while off < b.count {
                let n = Glibc.write(STDOUT_FILENO, b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue }; exit(errno == EPIPE ? 0 : 2) }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
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
