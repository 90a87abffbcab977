import Foundation
import Testing

@Suite struct ExportStatsVerifyTests {
    /// Export, append the export into an empty data directory, export again: the same events.
    @Test func exportThenAppendIntoAnEmptyDirectoryReproducesTheEvents() throws {
        let t = TemporaryDirectory()
        let sample = t.path + "/sample.ndjson"
        #expect(try daicho(["generate", "--events", "3000", "--customers", "300", "--seed", "5", "--end", "2026-06-01", "--out", sample]).status == 0)
        _ = try daicho(["append", "--data", t.path + "/a", sample])
        let first = try daicho(["export", "--data", t.path + "/a"])
        #expect(first.status == 0)
        let exported = t.write("export.ndjson", first.stdout)
        let again = try daicho(["append", "--data", t.path + "/b", exported])
        #expect(again.status == 0)
        #expect(again.json["rejected"] as? Int == 0)
        let second = try daicho(["export", "--data", t.path + "/b"])
        #expect(second.stdout == first.stdout)
        #expect(first.stdout.contains("\"offset\":0,"))
    }

    @Test func exportFiltersByOffsetRangeAndType() throws {
        let t = TemporaryDirectory()
        let lines = (0..<10).map { i in
            i % 2 == 0 ? eventLine("t\(i)")
                : #"{"id":"p\#(i)","type":"purchase","at":"2026-05-01T10:00:00Z","ids":{"email":"A@B.jp"},"props":{"order_id":"o\#(i)","amount":100.5,"currency":"JPY"}}"#
        }
        let file = t.write("in.ndjson", lines.joined(separator: "\n"))
        _ = try daicho(["append", "--data", t.path + "/d", file])
        let r = try daicho(["export", "--data", t.path + "/d", "--from-offset", "2", "--to-offset", "7", "--type", "purchase"])
        let rows = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.map { $0["offset"] as! Int } == [3, 5, 7])
        #expect(rows.map { $0["id"] as! String } == ["p3", "p5", "p7"])
        #expect((rows[0]["ids"] as! [String: String])["email"] == "A@B.jp")
        let normalized = try daicho(["export", "--data", t.path + "/d", "--from-offset", "3", "--to-offset", "3", "--normalized-ids"])
        #expect(normalized.stdout.contains(#""email":"a@b.jp""#))
        #expect(try daicho(["export", "--data", t.path + "/d", "--type", "teleport"]).status == 2)
    }

    @Test func statsCountsEventsByTypeAndSizes() throws {
        let t = TemporaryDirectory()
        let file = t.write("in.ndjson", (0..<20).map { eventLine("e\($0)", at: "2026-05-01T10:00:\(String(format: "%02d", $0))+09:00") }.joined(separator: "\n"))
        _ = try daicho(["append", "--data", t.path + "/d", file])
        let s = try daicho(["stats", "--data", t.path + "/d"]).json
        #expect(s["events"] as? Int == 20)
        #expect((s["events_by_type"] as? [String: Int])?["track"] == 20)
        #expect((s["events_by_type"] as? [String: Int])?["purchase"] == 0)
        #expect(s["first_event_time"] as? String == "2026-05-01T01:00:00Z")
        #expect(s["last_event_time"] as? String == "2026-05-01T01:00:19Z")
        let ndjson = try #require(s["ndjson_bytes"] as? Int)
        #expect(ndjson == (try Data(contentsOf: URL(fileURLWithPath: file)).count) + 1) // the last line has no newline
        #expect((s["bytes_on_disk"] as? Int ?? 0) > 0)
        #expect((s["segment_files"] as? [[String: Any]])?.count == 1)
        #expect(try daicho(["stats", "--data", t.path + "/none"]).status == 2)
    }

    /// docs/identity.md: a merge refused by a per-kind limit is counted in `daicho stats`.
    @Test func statsCountsProfilesMergesAndRefusedMerges() throws {
        let t = TemporaryDirectory()
        let lines = [
            #"{"id":"a","type":"identify","at":"2026-05-01T10:00:00Z","ids":{"user_id":"u1","email":"a@example.jp"},"props":{"traits":{}}}"#,
            #"{"id":"b","type":"identify","at":"2026-05-01T10:01:00Z","ids":{"user_id":"u2","email":"a@example.jp"},"props":{"traits":{}}}"#,
            #"{"id":"c","type":"page_view","at":"2026-05-01T10:02:00Z","ids":{"anonymous_id":"c1"}}"#,
            #"{"id":"d","type":"link","at":"2026-05-01T10:03:00Z","ids":{"anonymous_id":"c1","user_id":"u1"}}"#,
        ]
        let file = t.write("in.ndjson", lines.joined(separator: "\n"))
        #expect(try daicho(["append", "--data", t.path + "/d", file]).status == 0)
        let s = try daicho(["stats", "--data", t.path + "/d"]).json
        #expect(s["profiles"] as? Int == 2) // u1 (with a@example.jp and, after the link, c1) and u2
        #expect((s["identity"] as? [String: Int])?["refused_merges"] == 1)
        #expect((s["identity"] as? [String: Int])?["merges"] == 1)
    }

    @Test func verifyReportsACorruptFrameAndTheWriterRefusesToOpen() throws {
        let t = TemporaryDirectory()
        for batch in 0..<3 {
            let file = t.write("b\(batch).ndjson", (0..<100).map { eventLine("e\(batch)-\($0)") }.joined(separator: "\n"))
            _ = try daicho(["append", "--data", t.path + "/d", file])
        }
        #expect(try daicho(["verify", "--data", t.path + "/d"]).json["ok"] as? Bool == true)
        let segment = t.path + "/d/log/00000000000000000000.seg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let middle = bytes.count / 2
        bytes[middle] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let v = try daicho(["verify", "--data", t.path + "/d"])
        #expect(v.status == 1)
        #expect(v.json["ok"] as? Bool == false)
        let problem = try #require((v.json["problems"] as? [[String: Any]])?.first)
        #expect(problem["file"] as? String == "00000000000000000000.seg" || (problem["file"] as? String)?.hasSuffix("00000000000000000000.seg") == true)
        let refused = try daicho(["append", "--data", t.path + "/d"], stdin: Data(eventLine("late").utf8))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("daicho verify"))
    }
}
