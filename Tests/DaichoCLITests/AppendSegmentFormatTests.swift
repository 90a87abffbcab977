import DaichoHTTP
import Foundation
import Testing

/// `daicho append --format segment` (docs/segment-compatibility.md): a file of Segment messages goes through the
/// server's mapping, so it appends what posting the messages to `daicho serve` appends; a message that is refused is
/// kept verbatim with its line number.
@Suite(.serialized) struct AppendSegmentFormatTests {
    static let mapping = #"{"default_currency":"JPY","events":{"Ticket Created":{"type":"inquiry","rename":{"topic":"category","ticket_channel":"channel"}}}}"#

    /// One customer's messages of every type, with timestamps (so `at` does not depend on the receipt time).
    static let messages = [
        #"{"type":"identify","messageId":"s1","anonymousId":"a-1","timestamp":"2026-05-01T10:00:00Z","traits":{"email":"Taro@Example.jp","plan":"gold"},"context":{"library":{"name":"analytics.js"}}}"#,
        #"{"type":"track","messageId":"s2","userId":"U-1","anonymousId":"a-1","timestamp":"2026-05-01T10:01:00Z","event":"Coupon Redeemed","properties":{"coupon":"WINTER"}}"#,
        #"{"type":"page","messageId":"s3","userId":"U-1","timestamp":"2026-05-01T10:02:00Z","name":"Cart","properties":{"path":"/cart"},"context":{"ip":"192.0.2.1"}}"#,
        #"{"type":"screen","messageId":"s4","userId":"U-1","timestamp":"2026-05-01T10:03:00Z","name":"Home"}"#,
        #"{"type":"group","messageId":"s5","userId":"U-1","timestamp":"2026-05-01T10:04:00Z","groupId":"acme","traits":{"plan":"enterprise"}}"#,
        #"{"type":"track","userId":"U-1","timestamp":"2026-05-01T10:05:00Z","event":"Order Completed","properties":{"order_id":"o-1","products":[{"product_id":"p-1","price":990,"quantity":2}]}}"#,
        #"{"type":"track","messageId":"s7","userId":"U-1","timestamp":"2026-05-01T10:06:00Z","event":"Ticket Created","properties":{"topic":"complaint","ticket_channel":"email"}}"#,
        #"{"type":"alias","messageId":"s8","userId":"U-1","previousId":"a-2","timestamp":"2026-05-01T10:07:00Z"}"#,
    ]
    static let badMessage = #"{"type":"track","messageId":"bad-1","userId":"U-1","timestamp":"2026-05-01T10:08:00Z","properties":{}}"#

    /// A data directory with the mapping file.
    static func directory(_ t: TemporaryDirectory, _ name: String) throws -> String {
        let data = t.path + "/" + name
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try mapping.write(toFile: data + "/mapping.json", atomically: true, encoding: .utf8)
        return data
    }

    /// The exported events without what depends on how they arrived: the receipt time, the sender's address
    /// (`context.ip` the server adds) and the offset.
    static func exported(_ data: String) throws -> [NSDictionary] {
        let r = try daicho(["export", "--data", data])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map { line in
            var e = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            e["offset"] = nil
            var props = e["props"] as? [String: Any] ?? [:]
            var segment = props["segment"] as? [String: Any] ?? [:]
            segment["receivedAt"] = nil
            var context = segment["context"] as? [String: Any] ?? [:]
            if context["ip"] as? String == "127.0.0.1" { context["ip"] = nil }
            segment["context"] = context.isEmpty ? nil : context
            props["segment"] = segment
            e["props"] = props
            return e as NSDictionary
        }
    }

    @Test func aFileOfSegmentMessagesAppendsWhatPostingThemToTheServerAppends() throws {
        let t = TemporaryDirectory()
        // Single messages, a batch line, a blank line, a message the mapping refuses, a line that is no JSON.
        let lines = [Self.messages[0], Self.messages[1],
                     #"{"batch":[\#(Self.messages[2]),\#(Self.badMessage),\#(Self.messages[3])],"context":{"locale":"ja-JP"}}"#,
                     "", Self.messages[4], "{not json", Self.messages[5], Self.messages[6], Self.messages[7]]
        try (lines.joined(separator: "\n") + "\n").write(toFile: t.path + "/segment.ndjson", atomically: true, encoding: .utf8)
        let fromFile = try Self.directory(t, "file")
        let r = try daicho(["append", "--data", fromFile, "--format", "segment", t.path + "/segment.ndjson"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.json["read"] as? Int == 10)
        #expect(r.json["appended"] as? Int == 8)
        #expect(r.json["rejected"] as? Int == 2)
        #expect(r.stderr.contains("segment.ndjson:3: batch[1]: track without \"event\""), "\(r.stderr)")

        // The rejects file keeps each refused message verbatim with its line.
        let rejectsPath = try #require(r.json["rejects_file"] as? String)
        let rejects = try String(contentsOfFile: rejectsPath, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(rejects.map { $0["line"] as? Int } == [3, 6])
        #expect(rejects.first?["raw"] as? String == Self.badMessage)
        #expect(rejects.last?["raw"] as? String == "{not json")

        // The same messages posted to a server appending to a directory with the same mapping.
        let fromServer = try Self.directory(t, "server")
        let server = try ServeCommandTests.Serving(fromServer)
        let key = try server.keys(fromServer).write
        let first = try server.post(#"{"batch":[\#(Self.messages[0]),\#(Self.messages[1])]}"#, key: key)
        let second = try server.post(#"{"batch":[\#(Self.messages[2]),\#(Self.badMessage),\#(Self.messages[3])],"context":{"locale":"ja-JP"}}"#, key: key)
        let third = try server.post(#"{"batch":[\#(Self.messages[4...].joined(separator: ","))]}"#, key: key)
        for reply in [first, second, third] { #expect(reply.status == 200) }
        #expect(server.terminate().status == 0)

        let expected = try Self.exported(fromServer)
        #expect(expected.count == 8)
        #expect(try Self.exported(fromFile) == expected)

        // Again: every message is a duplicate (ids, and the hash of a message without one).
        let again = try daicho(["append", "--data", fromFile, "--format", "segment", t.path + "/segment.ndjson"])
        #expect(again.json["duplicates"] as? Int == 8)
        #expect(again.json["appended"] as? Int == 0)
    }

    @Test func formatIsCheckedAndABadMappingFileIsNamed() throws {
        let t = TemporaryDirectory()
        let data = try Self.directory(t, "d")
        #expect(try daicho(["append", "--data", data, "--format", "csv"], stdin: Data()).status == 2)
        #expect(try daicho(["append", "--server", "http://127.0.0.1:1", "--format", "segment"], stdin: Data()).status == 2)
        try #"{"events":{"X":{"typ":"track"}}}"#.write(toFile: data + "/mapping.json", atomically: true, encoding: .utf8)
        let bad = try daicho(["append", "--data", data, "--format", "segment"], stdin: Data(Self.messages[0].utf8))
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("mapping.json"), "\(bad.stderr)")
        // Standard input, as for envelopes.
        try FileManager.default.removeItem(atPath: data + "/mapping.json")
        let piped = try daicho(["append", "--data", data, "--format", "segment"], stdin: Data(Self.messages[1].utf8))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.json["appended"] as? Int == 1)
    }
}
