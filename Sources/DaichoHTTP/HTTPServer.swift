import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a server's application decides once a request's head is read, before its body is: routes check the
/// method, the credential and the declared size first, so a refused request never uploads its body (and
/// `Expect: 100-continue` gets its final status at once).
public enum Admission: Sendable {
    /// Read the body, at most `maxBody` bytes after decompression, then call `respond`.
    case accept(maxBody: Int)
    /// Answer with this response without reading the body (the connection is closed if a body was sent).
    case refuse(HTTPResponse)
}

/// The application behind an `HTTPServer`: the routes. Called on the connection's thread; concurrent calls come
/// from different connections. Each request's head is matched once (`match`: its route, say), and what that found
/// is handed to `admit`, `respond` and `answered`, so none of them matches the request again.
public protocol HTTPHandler: Sendable {
    /// What `match` makes of a request's head.
    associatedtype Match = Void
    /// Called once per request, when its head has been read, before the other calls for it.
    func match(_ head: RequestHead) -> Match
    /// Whether to read the request's body (and how much of it), or the response that refuses it.
    func admit(_ head: RequestHead, _ match: Match, peer: String) -> Admission
    /// The response to an admitted request, its body read.
    func respond(to request: HTTPRequest, _ match: Match) -> HTTPResponse
    /// Called once a response to a request whose head was read has been sent (a stream: once its head was), with
    /// its status and the seconds from the end of the head to then (for metrics).
    func answered(_ head: RequestHead, _ match: Match, status: Int, seconds: Double)
}

extension HTTPHandler {
    public func answered(_ head: RequestHead, _ match: Match, status: Int, seconds: Double) {}
}

extension HTTPHandler where Match == Void {
    /// A handler that needs nothing from the head before `admit` matches nothing.
    public func match(_ head: RequestHead) {}
}

/// Timeouts and caps of a server (docs/http-api.md "HTTP/1.1").
public struct HTTPServerConfiguration: Sendable {
    public var limits = HTTPLimits()
    /// From the first byte of a request to the end of its head (slowloris).
    public var headerTimeoutMillis = 10_000
    /// Most time between two reads of a body.
    public var bodyTimeoutMillis = 10_000
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeoutMillis = 60_000
    /// Most time a response write may wait for the client to take bytes.
    public var writeTimeoutMillis = 10_000
    /// Open connections at most; beyond, new ones get 503 and are closed.
    public var maxConnections = 1024
    public var maxRequestsPerConnection = 10_000
    /// How long a stop waits for requests in flight.
    public var stopGraceMillis = 10_000

    public init() {}
}

/// An HTTP/1.1 server over POSIX sockets: one thread accepts, one thread per connection reads requests in order
/// (keep-alive and pipelining), frames bodies (Content-Length, chunked), undoes `Content-Encoding`, and asks the
/// handler. Knows nothing of what the routes do.
public final class HTTPServer: @unchecked Sendable {
    public let listener: Socket
    let handler: any HTTPHandler
    public let configuration: HTTPServerConfiguration
    private let lock = NSCondition()
    private var open = 0
    private var busy = 0
    private var stopping = false
    private var requestCounter: UInt64 = 0

    public init(listener: Socket, handler: any HTTPHandler, configuration: HTTPServerConfiguration = HTTPServerConfiguration()) {
        self.listener = listener
        self.handler = handler
        self.configuration = configuration
    }

    /// Connections open now.
    public var openConnections: Int { lock.lock(); defer { lock.unlock() }; return open }

    var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// Accepts connections until `stop` is called; returns when every connection has ended (or the stop's grace
    /// time passed).
    public func run() {
        var backoff = 5
        while !isStopping {
            do {
                guard let connection = try listener.accept(timeoutMillis: 200) else { continue }
                backoff = 5
                lock.lock()
                let full = open >= configuration.maxConnections
                if !full { open += 1 }
                lock.unlock()
                if full {
                    refuseOverCapacity(connection)
                    continue
                }
                let t = Thread { [self] in
                    serve(connection)
                    lock.lock()
                    open -= 1
                    lock.broadcast()
                    lock.unlock()
                }
                t.stackSize = 512 * 1024
                t.start()
            } catch {
                // EMFILE, ENFILE, ENOBUFS: back off (5 ms doubling to 1 s) and let connections end.
                usleep(useconds_t(backoff * 1000))
                backoff = min(backoff * 2, 1000)
            }
        }
        let deadline = Deadline(millisFromNow: configuration.stopGraceMillis)
        lock.lock()
        while open > 0 && !deadline.hasPassed { _ = lock.wait(until: Date().addingTimeInterval(0.05)) }
        lock.unlock()
    }

    /// Stops accepting; connections finish the request they are in and close.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
    }

    private func refuseOverCapacity(_ connection: Socket) {
        var r = HTTPResponse.error(503, "too many connections; retry later", headers: [("Retry-After", "1")])
        r.headers.append(("Connection", "close"))
        try? connection.write(serialize(r, id: nextRequestID(), keepAlive: false), until: Deadline(millisFromNow: 100))
    }

    func nextRequestID() -> String {
        lock.lock()
        requestCounter += 1
        let n = requestCounter
        lock.unlock()
        return "req-" + String(n, radix: 36)
    }

    // MARK: - One connection

    private func serve(_ socket: Socket) {
        var buffer: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var served = 0
        while served < configuration.maxRequestsPerConnection {
            let id = nextRequestID()
            let outcome = serveOne(handler, socket, &buffer, &scratch, id: id, last: served + 1 == configuration.maxRequestsPerConnection)
            served += 1
            guard outcome else { break }
        }
        socket.shutdownWrite()
    }

    /// Reads, handles and answers one request. Returns whether the connection stays open.
    private func serveOne<Handler: HTTPHandler>(_ handler: Handler, _ socket: Socket, _ buffer: inout [UInt8], _ scratch: inout [UInt8],
                                                id: String, last: Bool) -> Bool {
        // Wait for the first byte (idle), then for the whole head (header timeout).
        var head: RequestHead
        do {
            guard let h = try readHead(socket, &buffer, &scratch) else { return false }
            head = h
        } catch let e as HTTPError {
            send(socket, .error(e.status, e.message), id: id, keepAlive: false)
            return false
        } catch {
            return false
        }
        lock.lock()
        busy += 1
        lock.unlock()
        defer { lock.lock(); busy -= 1; lock.unlock() }
        let started = DispatchTime.now().uptimeNanoseconds
        let match = handler.match(head)
        /// Sends `response` and tells the handler; returns whether the connection stays open.
        func answer(_ response: HTTPResponse, keepAlive: Bool) -> Bool {
            let open = send(socket, response, id: id, keepAlive: keepAlive, headOnly: head.method == "HEAD")
            handler.answered(head, match, status: response.status, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            return open
        }
        let admission = handler.admit(head, match, peer: socket.peer)
        let keepAlive = head.keepAlive && !last && !isStopping
        switch admission {
        case .refuse(let response):
            // The body was not read: the connection can continue only if there was none.
            let clean = head.framing == .none
            _ = answer(response, keepAlive: keepAlive && clean)
            return keepAlive && clean
        case .accept(let maxBody):
            if case .length(let n) = head.framing, n > maxBody {
                _ = answer(.error(413, "body of \(n) bytes is larger than the \(maxBody) this route takes"), keepAlive: false)
                return false
            }
            let encoding = (head.header("content-encoding") ?? "identity").trimmingSpaces.lowercased()
            guard ["identity", "gzip", "x-gzip", "deflate"].contains(encoding) else {
                _ = answer(.error(415, "content encoding \"\(encoding)\" is not supported (gzip, deflate, identity are)"), keepAlive: false)
                return false
            }
            if head.expectsContinue {
                guard (try? socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), until: Deadline(millisFromNow: configuration.writeTimeoutMillis))) != nil else { return false }
            }
            var body: [UInt8]
            do {
                body = try readBody(socket, head.framing, maxBody: maxBody, &buffer, &scratch)
                switch encoding {
                case "gzip", "x-gzip": body = try BodyDecoding.gunzip(body, limit: maxBody)
                case "deflate": body = try BodyDecoding.inflate(body, limit: maxBody)
                default: break
                }
            } catch let e as HTTPError {
                _ = answer(.error(e.status, e.message), keepAlive: false)
                return false
            } catch let e as InflateError {
                if case .tooLarge = e {
                    _ = answer(.error(413, "decompressed body is larger than the \(maxBody) bytes this route takes"), keepAlive: false)
                } else {
                    _ = answer(.error(400, "request body: \(e)"), keepAlive: false)
                }
                return false
            } catch let e as Socket.Failure {
                if e == .timedOut { _ = answer(.error(408, "the request body did not arrive in time"), keepAlive: false) }
                return false
            } catch {
                return false
            }
            let response = handler.respond(to: HTTPRequest(head: head, body: body, peer: socket.peer, id: id), match)
            if let stream = response.stream {
                _ = answer(response, keepAlive: false)
                try? stream(ResponseStream(socket: socket, writeTimeoutMillis: configuration.writeTimeoutMillis) { [weak self] in self?.isStopping ?? true })
                return false
            }
            return answer(response, keepAlive: keepAlive)
        }
    }

    /// Reads until a whole head is in `buffer` and removes it from there.
    /// - Returns: nil when the connection ended (or stayed idle past the idle timeout, or the server stops) before
    ///   a request began.
    private func readHead(_ socket: Socket, _ buffer: inout [UInt8], _ scratch: inout [UInt8]) throws -> RequestHead? {
        var headDeadline: Deadline? = buffer.isEmpty ? nil : Deadline(millisFromNow: configuration.headerTimeoutMillis)
        let idleDeadline = Deadline(millisFromNow: configuration.idleTimeoutMillis)
        while true {
            if !buffer.isEmpty {
                let parsed: (RequestHead, Int)? = try buffer.withUnsafeBytes { try RequestHeadParser.parse($0, limits: configuration.limits) }
                if let (head, used) = parsed {
                    buffer.removeFirst(used)
                    return head
                }
            }
            // Idle: wait in slices so a stop closes idle connections promptly.
            let deadline = headDeadline ?? Deadline(millisFromNow: min(200, idleDeadline.remainingMillis))
            do {
                let n = try scratch.withUnsafeMutableBytes { try socket.read(into: $0, until: deadline) }
                buffer.append(contentsOf: scratch[0..<n])
                if headDeadline == nil { headDeadline = Deadline(millisFromNow: configuration.headerTimeoutMillis) }
            } catch Socket.Failure.timedOut {
                if headDeadline != nil { throw HTTPError(408, "the request head did not arrive in time") }
                if idleDeadline.hasPassed || isStopping { return nil }
            }
        }
    }

    /// Reads a body framed by `framing` (the bytes after its head already in `buffer` first); leaves the bytes
    /// after it (a pipelined request) in `buffer`.
    private func readBody(_ socket: Socket, _ framing: BodyFraming, maxBody: Int, _ buffer: inout [UInt8],
                          _ scratch: inout [UInt8]) throws -> [UInt8] {
        switch framing {
        case .none:
            return []
        case .length(let n):
            while buffer.count < n {
                let got = try scratch.withUnsafeMutableBytes {
                    try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, max(n - buffer.count, 1))]),
                                    until: Deadline(millisFromNow: configuration.bodyTimeoutMillis))
                }
                buffer.append(contentsOf: scratch[0..<got])
            }
            let body = Array(buffer[0..<n])
            buffer.removeFirst(n)
            return body
        case .chunked:
            var decoder = ChunkedDecoder(maxBody: maxBody, limits: configuration.limits)
            var body: [UInt8] = []
            while true {
                if !buffer.isEmpty {
                    let used = try buffer.withUnsafeBytes { try decoder.decode($0, into: &body) }
                    buffer.removeFirst(used)
                    if decoder.isDone { return body }
                }
                let got = try scratch.withUnsafeMutableBytes { try socket.read(into: $0, until: Deadline(millisFromNow: configuration.bodyTimeoutMillis)) }
                buffer.append(contentsOf: scratch[0..<got])
            }
        }
    }

    /// Writes `response` (its head only when `headOnly`: the answer to a `HEAD`). Returns whether the connection
    /// stays open.
    @discardableResult
    private func send(_ socket: Socket, _ response: HTTPResponse, id: String, keepAlive: Bool, headOnly: Bool = false) -> Bool {
        do {
            try socket.write(serialize(response, id: id, keepAlive: keepAlive, headOnly: headOnly), until: Deadline(millisFromNow: configuration.writeTimeoutMillis))
            return keepAlive
        } catch {
            return false
        }
    }

    /// The response's bytes: status line, `Date`, `X-Request-Id`, `Content-Length` (none for a stream), `Connection`,
    /// then the body unless `headOnly` (a `HEAD` is answered with the `Content-Length` a `GET` would get).
    func serialize(_ r: HTTPResponse, id: String, keepAlive: Bool, headOnly: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(r.status) \(HTTPResponse.reason(r.status))\r\n"
        head += "Date: \(HTTPDate.now())\r\nX-Request-Id: \(id)\r\n"
        for (name, value) in r.headers { head += "\(name): \(value)\r\n" }
        if r.stream == nil { head += "Content-Length: \(r.body.count)\r\n" }
        head += keepAlive ? "" : "Connection: close\r\n"
        head += "\r\n"
        return Array(head.utf8) + (r.stream == nil && !headOnly ? r.body : [])
    }
}

/// The IMF-fixdate of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`).
enum HTTPDate {
    static func now() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) \(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
    }
}
