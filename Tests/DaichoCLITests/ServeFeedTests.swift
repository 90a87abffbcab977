import DaichoHTTP
import Foundation
import Testing

/// `GET /v1/feed` of a running `daicho serve` against `daicho watch` on the same directory (docs/http-api.md "The
/// feed"): each SSE record's `data:` is the line `watch --from` prints for that cursor.
@Suite(.serialized) struct ServeFeedTests {
    @Test func feedRecordsAreTheLinesDaichoWatchPrints() throws {
        let t = TemporaryDirectory()
        let data = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z")])
        let s = try ServeCommandTests.Serving(data)
        let (write, read) = try s.keys(data)
        let defined = try HTTPClient.send("PUT", to: s.endpoint, path: "/v1/segments/buyers", headers: [("Authorization", "Bearer " + read)],
                                          body: Array(#"{"rule":"commerce.orders >= 1"}"#.utf8))
        #expect(defined.status == 200)

        let socket = try Socket.connect(host: s.endpoint.host, port: s.endpoint.port)
        try socket.write(Array("GET /v1/feed?from=0 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(read)\r\n\r\n".utf8),
                         until: Deadline(millisFromNow: 5000))
        let orders = ["U1", "U2"].map {
            #"{"type":"track","messageId":"m-\#($0)","userId":"\#($0)","event":"Order Completed","properties":{"order_id":"o-\#($0)","total":1000,"currency":"JPY"}}"#
        }
        #expect(try s.post(#"{"batch":[\#(orders.joined(separator: ","))]}"#, key: write).status == 200)

        // The backfill's record (cursor 1) and the two orders' (2, 3).
        var received = ""
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(millisFromNow: 10_000)
        while received.components(separatedBy: "\ndata: ").count < 4 || !received.hasSuffix("\n\n") {
            let n = try buffer.withUnsafeMutableBytes { try socket.read(into: $0, until: deadline) }
            received += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        let lines = received.components(separatedBy: "\r\n\r\n").dropFirst().joined().components(separatedBy: "\n")
        let dataLines = lines.filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        // The starting cursor (0: from the first record), then the three records.
        #expect(lines.filter { $0.hasPrefix("id: ") } == ["id: 0", "id: 1", "id: 2", "id: 3"], "\(received)")

        let watch = try daicho(["watch", "--data", data, "--from", "0", "--max-records", "3"])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(dataLines == watch.stdout.split(separator: "\n").map(String.init))
        #expect(s.terminate().status == 0)
    }
}
