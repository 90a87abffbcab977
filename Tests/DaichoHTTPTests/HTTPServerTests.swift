@testable import DaichoHTTP
import DaichoTestSupport
import Foundation
import Testing

/// Echoes the request: `POST /echo` answers the (decompressed) body; `/refuse` is refused at admission.
struct EchoHandler: HTTPHandler {
    func admit(_ head: RequestHead, _ match: Void, peer: String) -> Admission {
        if head.path == "/refuse" { return .refuse(.error(401, "no key")) }
        return .accept(maxBody: 64 * 1024)
    }

    func respond(to request: HTTPRequest, _ match: Void) -> HTTPResponse {
        if request.head.path == "/stream" {
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream")]) { out in
                for i in 0..<3 { try out.write(Array("data: \(i)\n\n".utf8)) }
            }
        }
        return HTTPResponse(status: 200, headers: [("X-Method", request.head.method)], body: request.body)
    }
}

/// A server on a free port of 127.0.0.1, stopped when the test ends.
final class RunningServer {
    let server: HTTPServer
    let thread: Thread
    let done = DispatchSemaphore(value: 0)

    init(handler: any HTTPHandler = EchoHandler(), configuration: HTTPServerConfiguration = HTTPServerConfiguration()) throws {
        server = HTTPServer(listener: try Socket.listen(host: "127.0.0.1", port: 0), handler: handler, configuration: configuration)
        let s = server, d = done
        thread = Thread { s.run(); d.signal() }
        thread.start()
    }

    var port: UInt16 { server.listener.localPort }

    /// Sends `request` bytes on a new connection and reads until the server closes it (or `timeout` passes).
    func exchange(_ request: [UInt8], timeout: Int = 5000) throws -> String {
        let c = try Socket.connect(host: "127.0.0.1", port: port)
        try c.write(request, until: Deadline(millisFromNow: timeout))
        return try Self.readAll(c, timeout: timeout)
    }

    static func readAll(_ c: Socket, timeout: Int) throws -> String {
        String(decoding: try c.readUntilClosed(until: Deadline(millisFromNow: timeout)), as: UTF8.self)
    }

    func stop() {
        server.stop()
        done.wait()
    }
}

@Suite(.serialized) struct HTTPServerTests {
    static func statuses(_ text: String) -> [Int] {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }

    @Test func keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let requests = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nfirstPOST /echo HTTP/1.1\r\nHost: a\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n3\r\nsec\r\n3\r\nond\r\n0\r\n\r\nGET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let answer = try s.exchange(Array(requests.utf8))
        #expect(Self.statuses(answer) == [200, 200, 200])
        let first = try #require(answer.range(of: "first")), second = try #require(answer.range(of: "second"))
        #expect(first.upperBound <= second.lowerBound)
        #expect(answer.contains("X-Method: GET"))
        #expect(answer.hasSuffix("Content-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    @Test func headIsAnsweredWithGetsHeadersAndNoBodyAndTheConnectionGoesOn() throws {
        let s = try RunningServer()
        defer { s.stop() }
        // The echo answers with the request's body: a HEAD that carries one gets its length and not its bytes.
        let requests = "HEAD /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
        let answer = try s.exchange(Array(requests.utf8))
        #expect(Self.statuses(answer) == [200, 200])
        #expect(answer.contains("X-Method: HEAD\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200"), "\(answer)")
        #expect(!answer.contains("hello"))
        #expect(answer.hasSuffix("Content-Length: 3\r\nConnection: close\r\n\r\nabc"))
    }

    @Test func expectContinueGetsContinueOnlyWhenAdmitted() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let c = try Socket.connect(host: "127.0.0.1", port: s.port)
        try c.write(Array("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n".utf8),
                    until: Deadline(millisFromNow: 1000))
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = try buffer.withUnsafeMutableBytes { try c.read(into: $0, until: Deadline(millisFromNow: 5000)) }
        #expect(String(decoding: buffer[0..<n], as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        try c.write(Array("body".utf8), until: Deadline(millisFromNow: 1000))
        let rest = try RunningServer.readAll(c, timeout: 5000)
        #expect(Self.statuses(rest) == [200])
        #expect(rest.hasSuffix("body"))
        let refused = try s.exchange(Array("POST /refuse HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n".utf8))
        #expect(Self.statuses(refused) == [401])
        #expect(!refused.contains("100 Continue"))
        #expect(refused.contains("\"code\":\"authentication_error\""))
    }

    /// The bytes Python's `expression` evaluates to.
    static func python(_ expression: String) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("daicho-py-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try PythonCrossCheck.run(["-c", "import gzip; open('\(path)', 'wb').write(\(expression))"])
        #expect(r.status == 0, "\(r.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(.enabled(if: PythonCrossCheck.canRun("gzip"), "python3 compresses the bodies"))
    func gzipBodiesAreDecompressedAndBombsGet413() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let gz = try Self.python("gzip.compress(b'hello gzip')")
        let head = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nConnection: close\r\nContent-Length: \(gz.count)\r\n\r\n"
        let answer = try s.exchange(Array(head.utf8) + gz)
        #expect(Self.statuses(answer) == [200])
        #expect(answer.hasSuffix("hello gzip"))
        let bomb = try Self.python("gzip.compress(bytes(10_000_000))")
        let bombHead = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n"
        #expect(Self.statuses(try s.exchange(Array(bombHead.utf8) + bomb)) == [413])
        let bad = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"
        #expect(Self.statuses(try s.exchange(Array(bad.utf8))) == [400])
        let br = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\nnope"
        #expect(Self.statuses(try s.exchange(Array(br.utf8))) == [415])
    }

    @Test func smugglingAttemptsAndOversizeBodiesAreRefusedAndClosed() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let clte = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /echo HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(Self.statuses(try s.exchange(Array(clte.utf8))) == [400]) // closed: the smuggled GET is never answered
        let big = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"
        #expect(Self.statuses(try s.exchange(Array(big.utf8))) == [413])
        let endless = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "400\r\n" + String(repeating: "x", count: 1024) + "\r\n", count: 70)
        #expect(Self.statuses(try s.exchange(Array(endless.utf8))) == [413])
    }

    @Test func slowHeadersAndBodiesTimeOutWith408() throws {
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeoutMillis = 300
        configuration.bodyTimeoutMillis = 300
        let s = try RunningServer(configuration: configuration)
        defer { s.stop() }
        let started = Date()
        #expect(Self.statuses(try s.exchange(Array("POST /echo HTTP/1.1\r\nHost: a\r\n".utf8))) == [408])
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(Self.statuses(try s.exchange(Array("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc".utf8))) == [408])
    }

    @Test func theConnectionCapAnswers503AndTheServerKeepsServing() throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxConnections = 2
        let s = try RunningServer(configuration: configuration)
        defer { s.stop() }
        let idle = try (0..<2).map { _ in try Socket.connect(host: "127.0.0.1", port: s.port) }
        while s.server.openConnections < 2 { usleep(10_000) }
        let refused = try s.exchange(Array("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(Self.statuses(refused) == [503])
        #expect(refused.contains("Retry-After: 1"))
        _ = idle
    }

    @Test func aStreamedResponseHasNoLengthAndEndsTheConnection() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let answer = try s.exchange(Array("POST /stream HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(answer.hasSuffix("\r\n\r\ndata: 0\n\ndata: 1\n\ndata: 2\n\n"))
        #expect(!answer.contains("Content-Length"))
    }

    @Test func aClientThatVanishesMidResponseDoesNotKillTheServer() throws {
        let s = try RunningServer()
        defer { s.stop() }
        for _ in 0..<20 {
            let c = try Socket.connect(host: "127.0.0.1", port: s.port)
            let body = String(repeating: "x", count: 60000)
            try c.write(Array("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8), until: Deadline(millisFromNow: 1000))
        } // each closed at once, with the server writing its 60 KB answer
        #expect(Self.statuses(try s.exchange(Array("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))) == [200])
    }

    @Test func stopEndsRunAfterIdleConnectionsClose() throws {
        let s = try RunningServer()
        let idle = try Socket.connect(host: "127.0.0.1", port: s.port)
        while s.server.openConnections < 1 { usleep(10_000) }
        let started = Date()
        s.stop()
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(s.server.openConnections == 0)
        _ = idle
    }
}
