import DaichoHTTP
import Foundation
import Testing

/// `daicho serve` when the disk fills (docs/http-api.md "Ingest routes": 503 with `Retry-After` when the log cannot
/// be written): writes past the file size limit fail with EFBIG as on a full disk. Requests are refused, never
/// acknowledged without their events; the server stays up; after a restart with room, every acknowledged event is
/// in the log exactly once and the log verifies.
@Suite(.serialized) struct ServeFullDiskTests {
    /// A batch of `count` messages whose properties do not compress (random hex), ids `prefix-0…`.
    static func incompressibleBatch(_ prefix: String, count: Int, rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        let messages = (0..<count).map { i -> String in
            let noise = (0..<24).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max, using: &rng)) }.joined()
            return #"{"type":"track","messageId":"\#(prefix)-\#(i)","userId":"U-\#(prefix)","event":"Noise","properties":{"n":"\#(noise)"},"timestamp":"2026-05-02T10:00:00Z"}"#
        }
        return Array(#"{"batch":[\#(messages.joined(separator: ","))]}"#.utf8)
    }

    @Test func aFullDiskRefusesRequestsWith503AndLosesNoAcknowledgedEvent() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("seed")])
        let s = try ServeCommandTests.Serving(d, fullDisk: true)
        let key = try s.keys(d).write
        var rng = SystemRandomNumberGenerator()
        var acknowledged: [String] = [], refused = 0, retryAfter = true
        for b in 0..<200 where refused < 3 {
            let body = Self.incompressibleBatch("b\(b)", count: 20, rng: &rng)
            let reply = try HTTPClient.send("POST", to: s.endpoint, path: "/v1/batch",
                                            headers: [("Authorization", "Basic " + Data((key + ":").utf8).base64EncodedString()),
                                                      ("Content-Type", "application/json")], body: body, timeoutMillis: 10_000)
            switch reply.status {
            case 200: acknowledged += (0..<20).map { "b\(b)-\($0)" }
            case 503:
                refused += 1
                let text = String(decoding: reply.body, as: UTF8.self)
                retryAfter = retryAfter && text.contains("cannot be written")
            default: Issue.record("status \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
            }
        }
        #expect(acknowledged.count >= 100, "some batches fitted before the disk filled (\(acknowledged.count))")
        #expect(refused == 3, "the full disk is answered 503, repeatedly: the server stays up")
        #expect(retryAfter, "the 503 says the log cannot be written")
        #expect(s.process.isRunning)
        let stderr = s.terminate().stderr // it stops on SIGTERM even with a full disk (the snapshot may not fit)

        // With room again: every acknowledged event exactly once, nothing else beside the seed, and a sound log.
        let ids = try exportedIDs(data: d)
        #expect(ids.first == "seed")
        #expect(Array(ids.dropFirst()) == acknowledged, "exactly the acknowledged events, once, in order (stderr: \(stderr.suffix(300)))")
        // The write that failed left part of a frame past the durable mark: `verify` names it, the next writer
        // truncates it (docs/log-format.md §8), and then the log verifies.
        let torn = try daicho(["verify", "--data", d])
        #expect(torn.status == 0 || torn.stdout.contains("beyond the durable mark"), "\(torn.stdout)")
        let restarted = try ServeCommandTests.Serving(d)
        #expect(restarted.start["offset"] as? Int == 1 + acknowledged.count)
        #expect(restarted.terminate().status == 0)
        let verify = try daicho(["verify", "--data", d])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(Array(try exportedIDs(data: d).dropFirst()) == acknowledged)
    }
}
