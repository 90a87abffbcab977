// Parsing of an HTTP/1.1 request head (RFC 9112 §2–§7), strict where leniency lets requests be smuggled:
// whitespace before a colon, folded lines, Content-Length with Transfer-Encoding, differing Content-Lengths and
// unknown transfer codings are refused (docs/http-api.md "HTTP/1.1").

/// How a request's body is delimited.
public enum BodyFraming: Equatable, Sendable {
    /// No body (no Content-Length, no Transfer-Encoding).
    case none
    /// Exactly this many bytes.
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed request line and header fields.
public struct RequestHead: Sendable {
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    public var framing: BodyFraming
    /// Whether the connection stays open after the response (HTTP/1.1 unless `close`; 1.0 only with `keep-alive`).
    public var keepAlive: Bool
    /// `Expect: 100-continue` was sent.
    public var expectsContinue: Bool

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The path of the target, without the query.
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The query of the target (after `?`), empty when none.
    public var query: Substring {
        guard let q = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: q)...]
    }
}

public enum RequestHeadParser {
    /// Parses the head at the start of `bytes`.
    /// - Returns: the head and the number of bytes it took (through the blank line), or nil when `bytes` holds no
    ///   complete head yet and no limit is passed.
    /// - Throws: `HTTPError` with 400, 414, 417, 431, 501 or 505.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits = HTTPLimits()) throws(HTTPError) -> (RequestHead, Int)? {
        var p = 0
        // RFC 9112 §2.2: a server should ignore empty lines before the request line.
        while p < bytes.count && (bytes[p] == 0x0D || bytes[p] == 0x0A) { p += 1 }
        let headStart = p
        var lines: [Range<Int>] = []
        var lineStart = p
        while true {
            guard p < bytes.count else {
                if lines.isEmpty && p - lineStart > limits.maxRequestLine { throw HTTPError(414, "request line longer than \(limits.maxRequestLine) bytes") }
                if p - headStart > limits.maxHeaderBytes { throw HTTPError(431, "request head larger than \(limits.maxHeaderBytes) bytes") }
                return nil
            }
            let b = bytes[p]
            if b == 0x0A {
                var end = p
                if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
                p += 1
                if lines.isEmpty && end - lineStart > limits.maxRequestLine { throw HTTPError(414, "request line longer than \(limits.maxRequestLine) bytes") }
                if p - headStart > limits.maxHeaderBytes { throw HTTPError(431, "request head larger than \(limits.maxHeaderBytes) bytes") }
                if end == lineStart { break } // the blank line
                lines.append(lineStart..<end)
                if lines.count > limits.maxHeaderCount + 1 { throw HTTPError(431, "more than \(limits.maxHeaderCount) header fields") }
                lineStart = p
            } else {
                p += 1
            }
        }
        var head = try requestLine(bytes, lines[0])
        for line in lines.dropFirst() { head.headers.append(try field(bytes, line)) }
        try interpret(&head)
        return (head, p)
    }

    private static func requestLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTPError) -> RequestHead {
        let parts = bytes[line].split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw HTTPError(400, "malformed request line") }
        guard parts[0].allSatisfy(isTokenByte) else { throw HTTPError(400, "malformed method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw HTTPError(400, "malformed request target") }
        let version = String(decoding: parts[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            guard version.hasPrefix("HTTP/") else { throw HTTPError(400, "malformed HTTP version") }
            throw HTTPError(505, "HTTP version \(version.dropFirst(5)) is not supported (HTTP/1.1 is)")
        }
        return RequestHead(method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
                           minorVersion: minor, headers: [], framing: .none, keepAlive: minor == 1, expectsContinue: false)
    }

    private static func field(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTPError) -> (name: String, value: String) {
        let first = bytes[line.lowerBound]
        guard first != 0x20 && first != 0x09 else { throw HTTPError(400, "folded header line (obsolete line folding is refused)") }
        guard let colon = bytes[line].firstIndex(of: 0x3A), colon > line.lowerBound else { throw HTTPError(400, "header line without a field name") }
        let name = bytes[line.lowerBound..<colon]
        guard name.allSatisfy(isTokenByte) else { throw HTTPError(400, "malformed header name (no whitespace before the colon)") }
        var start = colon + 1, end = line.upperBound
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        let value = bytes[start..<end]
        guard value.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else { throw HTTPError(400, "control character in a header value") }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Framing, keep-alive, Expect and Host from the fields.
    private static func interpret(_ head: inout RequestHead) throws(HTTPError) {
        var contentLength: Int?
        var transferEncoding: String?
        var hosts = 0
        var connection: [Substring] = []
        for (name, value) in head.headers {
            switch name.lowercased() {
            case "content-length":
                // A list of equal values ("5, 5") is one length (RFC 9110 §8.6); differing ones are refused.
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = item.trimmingSpaces
                    guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                          let n = Int(digits) else { throw HTTPError(400, "malformed Content-Length") }
                    if let c = contentLength, c != n { throw HTTPError(400, "differing Content-Length values") }
                    contentLength = n
                }
            case "transfer-encoding":
                transferEncoding = transferEncoding.map { $0 + "," + value } ?? value
            case "host": hosts += 1
            case "connection": connection += value.split(separator: ",").map { $0.trimmingSpaces.lowercased()[...] }
            case "expect":
                guard value.lowercased() == "100-continue" else { throw HTTPError(417, "unsupported expectation \"\(value)\"") }
                head.expectsContinue = true
            default: break
            }
        }
        if let te = transferEncoding {
            guard contentLength == nil else { throw HTTPError(400, "both Content-Length and Transfer-Encoding (refused: request smuggling)") }
            guard head.minorVersion == 1 else { throw HTTPError(400, "Transfer-Encoding in an HTTP/1.0 request") }
            let codings = te.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
            guard codings == ["chunked"] else { throw HTTPError(501, "transfer coding \"\(te)\" is not supported (only chunked)") }
            head.framing = .chunked
        } else if let n = contentLength {
            head.framing = n == 0 ? .none : .length(n)
        }
        if head.minorVersion == 1 && hosts != 1 { throw HTTPError(400, hosts == 0 ? "missing Host header" : "more than one Host header") }
        if connection.contains("close") { head.keepAlive = false } else if connection.contains("keep-alive") { head.keepAlive = true }
    }

    /// RFC 9110 §5.6.2 tchar.
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
