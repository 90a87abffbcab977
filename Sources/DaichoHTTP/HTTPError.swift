/// A request the server refuses before any route sees it (docs/http-api.md "HTTP/1.1"): the status to answer with
/// and why. After one of these the connection is closed (its framing can no longer be trusted).
public struct HTTPError: Error, Equatable, CustomStringConvertible, Sendable {
    /// 400, 408, 413, 414, 415, 417, 431, 501 or 505.
    public let status: Int
    /// What was wrong, for the JSON error body.
    public let message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(message)" }
}

/// Limits on what a request may send before its route is known (docs/http-api.md "HTTP/1.1").
public struct HTTPLimits: Sendable {
    /// Longest request line (method, target, version): beyond it, 414.
    public var maxRequestLine = 8 * 1024
    /// Largest header block (request line included): beyond it, 431.
    public var maxHeaderBytes = 32 * 1024
    /// Most header fields: beyond it, 431.
    public var maxHeaderCount = 100
    /// Longest chunk-size line of a chunked body (with extensions): beyond it, 400.
    public var maxChunkLine = 4 * 1024

    public init() {}
}
