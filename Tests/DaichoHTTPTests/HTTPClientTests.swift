import Foundation
import Testing
@testable import DaichoHTTP

/// `HTTPClient.send` against peers that misbehave: each failure names the address and what went wrong.
@Suite struct HTTPClientTests {
    /// A listener on a free port whose accepted connections `serve` handles on a background thread.
    static func peer(_ serve: @escaping @Sendable (Socket) -> Void) throws -> (endpoint: HTTPClient.Endpoint, listener: Socket) {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let endpoint = try #require(HTTPClient.Endpoint("http://127.0.0.1:\(listener.localPort)"))
        nonisolated(unsafe) let l = listener
        Thread.detachNewThread {
            if let c = try? l.accept(timeoutMillis: 5_000) { serve(c) }
        }
        return (endpoint, listener)
    }

    @Test func aWholeResponseIsReadUpToTheClose() throws {
        let (endpoint, listener) = try Self.peer { c in
            _ = try? c.readUntilClosed(until: Deadline(millisFromNow: 200)) // the request, until the read times out
            try? c.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8), until: Deadline(millisFromNow: 1_000))
        }
        let reply = try HTTPClient.send("GET", to: endpoint, path: "/v1/x", timeoutMillis: 5_000)
        #expect(reply.status == 200 && reply.body == Array("ok".utf8))
        withExtendedLifetime(listener) {}
    }

    @Test func aPeerThatNeverAnswersIsNoResponseNamingTheAddress() throws {
        let (endpoint, listener) = try Self.peer { c in
            Thread.sleep(forTimeInterval: 1.5)
            withExtendedLifetime(c) {}
        }
        do {
            _ = try HTTPClient.send("GET", to: endpoint, path: "/v1/x", timeoutMillis: 300)
            Issue.record("a peer that never answered gave a response")
        } catch {
            #expect(error.description.contains("no response from 127.0.0.1:\(endpoint.port)"), "\(error)")
        }
        withExtendedLifetime(listener) {}
    }

    @Test func aPeerThatClosesWithoutAnsweringIsNotHTTP() throws {
        let (endpoint, listener) = try Self.peer { c in
            _ = try? c.readUntilClosed(until: Deadline(millisFromNow: 200))
        }
        do {
            _ = try HTTPClient.send("GET", to: endpoint, path: "/v1/x", timeoutMillis: 5_000)
            Issue.record("a peer that closed without answering gave a response")
        } catch {
            #expect(error.description.contains("127.0.0.1:\(endpoint.port)"), "\(error)")
        }
        withExtendedLifetime(listener) {}
    }
}
