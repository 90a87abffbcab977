import DaichoHTTP
import DaichoTestSupport
import Testing

/// The request-head parser and the chunked decoder: what they accept, the status each refusal gets, and
/// that random and mutated input gives an answer or an error, never a crash.
@Suite struct RequestParsingTests {
    static func parse(_ s: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPError) -> (RequestHead, Int)? {
        let bytes = Array(s.utf8)
        let result: Result<(RequestHead, Int)?, HTTPError> = bytes.withUnsafeBytes { raw in
            do throws(HTTPError) { return .success(try RequestHeadParser.parse(raw, limits: limits)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    static func status(_ s: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
        do { _ = try parse(s, limits: limits); return nil } catch { return error.status }
    }

    @Test func aSegmentBatchRequestHead() throws {
        let text = "POST /v1/batch?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Basic ZHdrXzE6\r\n"
            + "Content-Type: application/json\r\nContent-Length: 42\r\n\r\n{\"batch\":[]}"
        let (head, used) = try #require(try Self.parse(text))
        #expect(head.method == "POST")
        #expect(head.path == "/v1/batch")
        #expect(head.query == "x=1")
        #expect(head.framing == .length(42))
        #expect(head.keepAlive)
        #expect(head.header("authorization") == "Basic ZHdrXzE6")
        #expect(used == text.utf8.count - "{\"batch\":[]}".utf8.count)
    }

    @Test func anIncompleteHeadAsksForMore() throws {
        #expect(try Self.parse("POST /v1/batch HTTP/1.1\r\nHost: a\r\n") == nil)
        #expect(try Self.parse("") == nil)
        #expect(try Self.parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")?.0.method == "GET") // empty lines first are skipped
    }

    @Test func keepAliveFollowsTheVersionAndConnection() throws {
        #expect(try Self.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?.0.keepAlive == false)
        #expect(try Self.parse("GET / HTTP/1.0\r\n\r\n")?.0.keepAlive == false)
        #expect(try Self.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.0.keepAlive == true)
        #expect(try Self.parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")?.0.expectsContinue == true)
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 501),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / FTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\n\r\n", 417),
    ])
    func smugglingAndMalformedHeadsAreRefused(_ text: String, _ status: Int) {
        #expect(Self.status(text) == status)
    }

    @Test func equalContentLengthsAreOneLength() throws {
        #expect(try Self.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n")?.0.framing == .length(7))
    }

    @Test func limitsGive414And431() {
        var limits = HTTPLimits()
        limits.maxRequestLine = 64
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 5
        let longTarget = "GET /" + String(repeating: "a", count: 100)
        #expect(Self.status(longTarget, limits: limits) == 414) // even before the line ends
        #expect(Self.status(longTarget + " HTTP/1.1\r\n\r\n", limits: limits) == 414)
        let many = "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<6).map { "X-\($0): 1\r\n" }.joined() + "\r\n"
        #expect(Self.status(many, limits: limits) == 431)
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 300)
        #expect(Self.status(big, limits: limits) == 431) // an endless header line stops at the limit
    }

    static func dechunk(_ pieces: [String], maxBody: Int = 1 << 20) throws(HTTPError) -> (body: String, rest: String, done: Bool) {
        var decoder = ChunkedDecoder(maxBody: maxBody)
        var body: [UInt8] = []
        var rest = ""
        for piece in pieces {
            let bytes = Array(piece.utf8)
            let result: Result<Int, HTTPError> = bytes.withUnsafeBytes { raw in
                do throws(HTTPError) { return .success(try decoder.decode(raw, into: &body)) } catch { return .failure(error) }
            }
            let used = try result.get()
            rest += String(decoding: bytes[used...], as: UTF8.self)
        }
        return (String(decoding: body, as: UTF8.self), rest, decoder.isDone)
    }

    @Test func chunkedBodiesSplitAnywhereDecodeTheSame() throws {
        let wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\nGET / HTTP/1.1\r\n"
        let whole = try Self.dechunk([wire])
        #expect(whole.body == "hello, world")
        #expect(whole.done)
        #expect(whole.rest == "GET / HTTP/1.1\r\n")
        let bytes = Array(wire.utf8)
        for cut in 1..<bytes.count {
            let parts = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            let split = try Self.dechunk(parts)
            #expect(split.body == whole.body && split.rest == whole.rest && split.done, "cut at \(cut)")
        }
    }

    @Test func badChunksAreRefused() {
        func status(_ pieces: [String], maxBody: Int = 1 << 20) -> Int? {
            do { _ = try Self.dechunk(pieces, maxBody: maxBody); return nil } catch { return error.status }
        }
        #expect(status(["zz\r\n"]) == 400)
        #expect(status(["\r\n"]) == 400)
        #expect(status(["3\r\nabcd\r\n"]) == 400) // data longer than its size
        #expect(status(["ffffffffffffffffff\r\n"]) == 413)
        #expect(status(["10\r\n"], maxBody: 15) == 413)
        #expect(status(["8\r\n12345678\r\n8\r\n"], maxBody: 15) == 413) // the running total counts
        #expect(status([String(repeating: "1", count: 5000)]) == 400) // a size line that never ends
    }

    /// Random bytes and mutated valid requests: a head, nil (need more) or an `HTTPError` — never a crash.
    @Test func randomAndMutatedInputNeverCrashes() {
        var rng = SeededGenerator(seed: 9112)
        let valid = Array("POST /v1/batch HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        let alphabet = Array("\r\n :;,0123456789abcdefABCDEF\tHTTP/1.Content-LengthTransfer-Encodingchunked".utf8)
        for round in 0..<20000 {
            var bytes = valid
            if round % 2 == 0 {
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                }
            } else {
                bytes = (0..<Int.random(in: 0...120, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                }
            }
            let head: RequestHead?
            do {
                head = try bytes.withUnsafeBytes { raw in try RequestHeadParser.parse(raw)?.0 }
            } catch {
                continue
            }
            if let head, head.framing == .chunked, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                var decoder = ChunkedDecoder(maxBody: 1000)
                var body: [UInt8] = []
                _ = try? bytes[end...].withUnsafeBytes { try decoder.decode($0, into: &body) }
                #expect(body.count <= 1000)
            }
        }
    }
}
