import Daicho
import DaichoHTTP
import DaichoSegmentSpec
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// The ingest routes without sockets: what a batch's response says, what the log and the rejects file hold.
@Suite struct IngestRoutesTests {
    static let now: Int64 = 1_796_185_810_000_000

    final class Fixture {
        let t = TemporaryDirectory()
        let data: DataDirectory
        let committer: GroupCommitter
        let routes: IngestRoutes
        let rejects: ServerRejects
        init() throws {
            data = DataDirectory(t.path + "/data")
            let d = data
            committer = GroupCommitter(store: try EventStore.open(d)) { try EventStore.open(d) }
            rejects = ServerRejects(directory: d)
            routes = IngestRoutes(committer: committer, rejects: rejects, mapping: SegmentMapping()) { IngestRoutesTests.now }
        }
        func json(_ r: HTTPResponse) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]) ?? [:]
        }
        func ids() throws -> [String] {
            try committer.currentStore?.sync()
            let reader = try EventReader(data)
            var out: [String] = []
            try reader.forEach { _, v in out.append(try v.materialize().id); return true }
            return out
        }
    }

    static let key = ServeKeys.WriteKey(key: "dwk_x", source: nil)

    @Test func aBatchIsAnsweredWithCountsRejectionsAndTheNextOffset() throws {
        let f = try Fixture()
        defer { f.committer.stop() }
        let body = #"{"batch":[{"type":"track","messageId":"m1","userId":"U1","event":"A"},{"type":"track","messageId":"m2","event":"B"},{"type":"track","messageId":"m1","userId":"U1","event":"A"},{"type":"track","messageId":"m3","userId":"U3","event":"C","properties":{"n":1e400}},{"type":"identify","messageId":"m4","userId":"U4","traits":{"email":"bad.example.jp"}}]}"#
        let r = f.routes.segment(Array(body.utf8), route: nil, key: Self.key, requestID: "req-1", path: "/v1/batch")
        #expect(r.status == 200)
        let j = f.json(r)
        #expect(j["success"] as? Bool == true)
        #expect(j["appended"] as? Int == 2)
        #expect(j["duplicates"] as? Int == 1)
        #expect(j["offset"] as? Int == 2)
        let rejected = try #require(j["rejected"] as? [[String: Any]])
        #expect(rejected.map { $0["index"] as? Int } == [1, 3])
        #expect((rejected[0]["reason"] as? String)?.hasPrefix("no identifier") == true)
        #expect((rejected[1]["reason"] as? String)?.contains("beyond the range of a 64-bit float") == true)
        let warnings = try #require(j["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["index"] as? Int } == [4])
        #expect(try f.ids() == ["m1", "m4"])
        // Both rejected messages are kept verbatim, with the request and their 1-based place.
        let kept = try String(contentsOfFile: f.rejects.path, encoding: .utf8).split(separator: "\n")
        #expect(kept.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(kept[0].utf8)) as? [String: Any])
        #expect(first["input"] as? String == "req-1 POST /v1/batch")
        #expect(first["line"] as? Int == 2)
        #expect(first["raw"] as? String == #"{"type":"track","messageId":"m2","event":"B"}"#)
    }

    @Test func aBodyThatIsNotABatchIs400AndTooManyMessages413() throws {
        let f = try Fixture()
        defer { f.committer.stop() }
        #expect(f.routes.segment(Array("[1]".utf8), route: nil, key: Self.key, requestID: "r", path: "/v1/batch").status == 400)
        #expect(f.routes.segment(Array(#"{"batch":{}}"#.utf8), route: nil, key: Self.key, requestID: "r", path: "/v1/batch").status == 400)
        let many = "{\"batch\":[" + Array(repeating: "{}", count: 2501).joined(separator: ",") + "]}"
        #expect(f.routes.segment(Array(many.utf8), route: nil, key: Self.key, requestID: "r", path: "/v1/batch").status == 413)
        #expect(try f.ids().isEmpty)
    }

    @Test func importIsAppendOverHTTP() throws {
        let f = try Fixture()
        defer { f.committer.stop() }
        let body = "\u{FEFF}" + #"{"id":"a","type":"track","at":"2026-11-01T00:00:00Z","ids":{"user_id":"U"},"props":{"event":"E"}}"# + "\r\n\n"
            + #"{"id":"a","type":"track","at":"2026-11-01T00:00:00Z","ids":{"user_id":"U"},"props":{"event":"E"}}"# + "\n"
            + #"{"id":"b","type":"purchase","at":"2026-11-01T00:00:00Z","ids":{"user_id":"U"},"props":{}}"# + "\n"
        let r = f.routes.importNDJSON(Array(body.utf8), requestID: "req-9")
        #expect(r.status == 200)
        let j = f.json(r)
        #expect(j["read"] as? Int == 3)
        #expect(j["appended"] as? Int == 1)
        #expect(j["duplicates"] as? Int == 1)
        #expect(j["rejected"] as? Int == 1)
        #expect(j["first_offset"] as? Int == 0)
        #expect(j["rejects_file"] as? String == f.rejects.path)
        let kept = try String(contentsOfFile: f.rejects.path, encoding: .utf8)
        #expect(kept.contains(#""line":4"#)) // the blank line counts, as in a file
    }
}
