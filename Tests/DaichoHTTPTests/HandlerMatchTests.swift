@testable import DaichoHTTP
import Foundation
import Testing

/// Records the calls a server makes to its handler: `match` numbers the requests, and the number each later call
/// gets shows which match it was handed.
final class MatchRecordingHandler: HTTPHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var log: [String] = []

    var calls: [String] { lock.withLock { log } }

    private func record(_ call: String) { lock.withLock { log.append(call) } }

    func match(_ head: RequestHead) -> Int {
        lock.withLock {
            count += 1
            log.append("match \(count) \(head.path)")
            return count
        }
    }

    func admit(_ head: RequestHead, _ match: Int, peer: String) -> Admission {
        record("admit \(match)")
        return head.path == "/refuse" ? .refuse(.error(401, "no key")) : .accept(maxBody: 16)
    }

    func respond(to request: HTTPRequest, _ match: Int) -> HTTPResponse {
        record("respond \(match)")
        return HTTPResponse(status: 200, headers: [], body: request.body)
    }

    func answered(_ head: RequestHead, _ match: Int, status: Int, seconds: Double) {
        record("answered \(match) \(status)")
    }
}

/// A request's head is matched once (`HTTPHandler.match`), and that match is what `admit`, `respond` and
/// `answered` get for it: admitted, refused, and too large after admission.
@Suite(.serialized) struct HandlerMatchTests {
    @Test func eachRequestIsMatchedOnceAndItsMatchIsHandedToEveryLaterCall() throws {
        let handler = MatchRecordingHandler()
        let s = try RunningServer(handler: handler)
        defer { s.stop() }
        let requests = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
            + "GET /refuse HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n"
        let answer = try s.exchange(Array(requests.utf8))
        #expect(HTTPServerTests.statuses(answer) == [200, 401, 200, 413])
        let expected = ["match 1 /a", "admit 1", "respond 1", "answered 1 200",
                        "match 2 /refuse", "admit 2", "answered 2 401",
                        "match 3 /b", "admit 3", "respond 3", "answered 3 200",
                        "match 4 /big", "admit 4", "answered 4 413"]
        // `answered` follows the bytes sent: wait for the last one.
        let deadline = Deadline(millisFromNow: 5000)
        while handler.calls.count < expected.count && !deadline.hasPassed { usleep(10_000) }
        #expect(handler.calls == expected)
    }
}
