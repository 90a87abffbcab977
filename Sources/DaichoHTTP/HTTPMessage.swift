import DaichoJSON
/// A request whose head and body were read (and its body decompressed): what a route handles.
public struct HTTPRequest: Sendable {
    public var head: RequestHead
    /// The body, after `Content-Encoding` was undone.
    public var body: [UInt8]
    /// The peer's address.
    public var peer: String
    /// The server's id for the request (the `X-Request-Id` of its response).
    public var id: String
}

/// A response. A streamed one (`stream` set) is sent without `Content-Length` and ends the connection when the
/// stream returns (Server-Sent Events).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Writes the body as it becomes available; returns (or throws) to end it.
    public var stream: (@Sendable (ResponseStream) throws -> Void)?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                stream: (@Sendable (ResponseStream) throws -> Void)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    /// A JSON response.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// The JSON error of docs/http-api.md: `{"error":{"code":…,"message":…}}`.
    public static func error(_ status: Int, _ message: String, code: String? = nil,
                             headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let c = code ?? errorCode(status)
        let body = "{\"error\":{\"code\":\(jsonString(c)),\"message\":\(jsonString(message))}}"
        return json(status, Array(body.utf8), headers: headers)
    }

    static func errorCode(_ status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 404: "not_found"
        case 413: "payload_too_large"
        case 429: "rate_limit_error"
        case 503: "unavailable"
        case 500...: "internal_error"
        default: "invalid_request_error"
        }
    }

    /// The reason phrase of `status`.
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

/// JSON string literal of `s` (`JSONWriter`'s escaping).
public func jsonString(_ s: String) -> String {
    var out: [UInt8] = []
    JSONWriter.appendString(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// The writer a streamed response writes to.
public final class ResponseStream: @unchecked Sendable {
    let socket: Socket
    let writeTimeoutMillis: Int
    let isStopping: @Sendable () -> Bool

    init(socket: Socket, writeTimeoutMillis: Int, isStopping: @escaping @Sendable () -> Bool) {
        self.socket = socket
        self.writeTimeoutMillis = writeTimeoutMillis
        self.isStopping = isStopping
    }

    /// Sends `bytes` now.
    /// - Throws: `Socket.Failure` when the client is gone or too slow to take them.
    public func write(_ bytes: [UInt8]) throws {
        try socket.write(bytes, until: Deadline(millisFromNow: writeTimeoutMillis))
    }

    /// Whether the server is stopping (a stream should end).
    public var serverIsStopping: Bool { isStopping() }

    /// Whether the client closed its side (a stream should end): checked without blocking.
    public var clientHasGone: Bool {
        var p = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var b: UInt8 = 0
        return recv(socket.fd, &b, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) <= 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
