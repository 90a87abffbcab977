import DaichoHTTP
import DaichoTestSupport
import Foundation
import Testing

/// Hostile clients against a running `daicho serve` (docs/http-api.md "HTTP/1.1"): each gets its exact status, the
/// server stays up, keeps serving the connections it admitted, and nothing of the hostile requests reaches the log.
@Suite(.serialized) struct ServeAbuseTests {
    /// Sends `request` on a new connection and reads until the server closes it or `timeout` ms pass.
    static func exchange(_ port: UInt16, _ request: [UInt8], timeout: Int = 15_000) throws -> String {
        let c = try Socket.connect(host: "127.0.0.1", port: port)
        try? c.write(request, until: Deadline(millisFromNow: timeout)) // the server may close before reading it all
        return try readUntilClosed(c, timeout: timeout)
    }

    static func readUntilClosed(_ c: Socket, timeout: Int) throws -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(millisFromNow: timeout)
        while !deadline.hasPassed {
            guard let n = try? buffer.withUnsafeMutableBytes({ try c.read(into: $0, until: deadline) }), n > 0 else { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The statuses of the responses in `text`.
    static func statuses(_ text: String) -> [Int] {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }

    static func post(_ path: String, key: String, headers: String = "", body: [UInt8]) -> [UInt8] {
        let auth = Data((key + ":").utf8).base64EncodedString()
        return Array("POST \(path) HTTP/1.1\r\nHost: a\r\nAuthorization: Basic \(auth)\r\nContent-Type: application/json\r\nConnection: close\r\n\(headers)Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// gzip of the Python expression's bytes, or nil without python3.
    static func gzip(_ expression: String) throws -> [UInt8]? {
        guard PythonCrossCheck.canRun("gzip") else { return nil }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("daicho-gz-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try PythonCrossCheck.run(["-c", "import gzip; open('\(path)', 'wb').write(gzip.compress(\(expression)))"])
        #expect(r.status == 0, "\(r.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func hostileRequestsGetTheirStatusAndTheServerKeepsServing() throws {
        // 10,000 connections need as many descriptors, here and in the server (which inherits the limit).
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(12_000)
        if limit.rlim_cur < wanted && limit.rlim_max >= wanted {
            limit.rlim_cur = wanted
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("seed")])
        let s = try ServeCommandTests.Serving(d, options: ["--max-connections", "64"])
        let (write, _) = try s.keys(d)
        let port = s.endpoint.port
        let good = Array(#"{"batch":[{"type":"track","messageId":"good-1","userId":"U-1","event":"Coupon Redeemed","timestamp":"2026-05-02T10:00:00Z"}]}"#.utf8)

        // The two that take the server's 10 s deadlines run beside the others.
        let slow = DispatchGroup()
        nonisolated(unsafe) var slowHeaders = "", endlessBody = ""
        slow.enter()
        Thread.detachNewThread {
            slowHeaders = (try? Self.exchange(port, Array("POST /v1/batch HTTP/1.1\r\nHost: a\r\n".utf8))) ?? ""
            slow.leave()
        }
        slow.enter()
        Thread.detachNewThread {
            let auth = Data((write + ":").utf8).base64EncodedString()
            let head = "POST /v1/batch HTTP/1.1\r\nHost: a\r\nAuthorization: Basic \(auth)\r\nContent-Length: 1000\r\n\r\n{\"batch\":["
            endlessBody = (try? Self.exchange(port, Array(head.utf8))) ?? ""
            slow.leave()
        }

        let longLine = "GET /v1/profiles/" + String(repeating: "x", count: 9_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(longLine.utf8))) == [414])
        let manyHeaders = "GET /healthz HTTP/1.1\r\nHost: a\r\n" + (0..<120).map { "X-H\($0): v\r\n" }.joined() + "\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(manyHeaders.utf8))) == [431])
        let bigHeader = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "y", count: 40_000) + "\r\n\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(bigHeader.utf8))) == [431])
        let oversize = Self.post("/v1/batch", key: write, body: Array(repeating: UInt8(ascii: " "), count: 600_000))
        #expect(Self.statuses(try Self.exchange(port, oversize)) == [413])
        let clte = "POST /v1/batch HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(clte.utf8))) == [400])
        let twoLengths = "POST /v1/batch HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
        #expect(Self.statuses(try Self.exchange(port, Array(twoLengths.utf8))) == [400])
        let auth = Data((write + ":").utf8).base64EncodedString()
        let badChunk = "POST /v1/batch HTTP/1.1\r\nHost: a\r\nAuthorization: Basic \(auth)\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(badChunk.utf8))) == [400])
        let gzipCoding = "POST /v1/batch HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"
        #expect(Self.statuses(try Self.exchange(port, Array(gzipCoding.utf8))) == [501])
        #expect(Self.statuses(try Self.exchange(port, Self.post("/v1/batch", key: write, body: Array("{\"batch\":[{".utf8)))) == [400])
        let invalidUTF8 = Array(#"{"batch":[{"type":"track","messageId":"bad-utf8","userId":"U-"#.utf8) + [0xC3, 0x28] + Array(#"","event":"X"}]}"#.utf8)
        #expect(Self.statuses(try Self.exchange(port, Self.post("/v1/batch", key: write, body: invalidUTF8))) == [400])
        #expect(Self.statuses(try Self.exchange(port, Self.post("/v1/batch", key: "dwk_wrong", body: good))) == [401])
        if let bomb = try Self.gzip("b'{\"batch\":[' + b' ' * 20_000_000") {
            #expect(bomb.count < 100_000)
            #expect(Self.statuses(try Self.exchange(port, Self.post("/v1/batch", key: write, headers: "Content-Encoding: gzip\r\n", body: bomb))) == [413])
        }
        if let gz = try Self.gzip("b'" + String(decoding: good, as: UTF8.self) + "'") {
            let truncated = Array(gz.prefix(gz.count - 12))
            #expect(Self.statuses(try Self.exchange(port, Self.post("/v1/batch", key: write, headers: "Content-Encoding: gzip\r\n", body: truncated))) == [400])
        }

        // Connections beyond the cap are answered 503 and closed; an admitted one keeps being served.
        let admitted = try Socket.connect(host: "127.0.0.1", port: port)
        try admitted.write(Array("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n".utf8), until: Deadline(millisFromNow: 5000))
        var first = [UInt8](repeating: 0, count: 4096)
        let n = try first.withUnsafeMutableBytes { try admitted.read(into: $0, until: Deadline(millisFromNow: 5000)) }
        #expect(Self.statuses(String(decoding: first[..<n], as: UTF8.self)) == [200])
        var idle: [Socket] = []
        for _ in 0..<63 { if let c = try? Socket.connect(host: "127.0.0.1", port: port) { idle.append(c) } } // 64 with `admitted`: the cap
        usleep(300_000)
        var refused = 0, opened = 0
        var extra: [Socket] = []
        for _ in 0..<10_000 {
            guard let c = try? Socket.connect(host: "127.0.0.1", port: port) else { continue }
            opened += 1
            extra.append(c)
        }
        for c in extra.prefix(200) where Self.statuses(try Self.readUntilClosed(c, timeout: 3000)) == [503] { refused += 1 }
        extra.removeAll()
        #expect(opened >= 5_000, "the test opened \(opened) connections (descriptor limit \(limit.rlim_cur))")
        #expect(refused == min(200, opened), "beyond the cap: 503 (\(refused) of the first 200)")
        try admitted.write(Self.post("/v1/batch", key: write, body: good), until: Deadline(millisFromNow: 5000))
        let afterFlood = try Self.readUntilClosed(admitted, timeout: 3000)
        #expect(Self.statuses(afterFlood) == [200], "the admitted connection is still served: \(afterFlood.prefix(200))")
        idle.removeAll()

        slow.wait()
        #expect(Self.statuses(slowHeaders) == [408], "slow headers: \(slowHeaders.prefix(200))")
        #expect(Self.statuses(endlessBody) == [408], "a body that never ends: \(endlessBody.prefix(200))")
        #expect(s.terminate().status == 0)
        #expect(try exportedIDs(data: d) == ["seed", "good-1"], "only the good batch reached the log")
    }
}
