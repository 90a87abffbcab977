import Foundation
import Testing

/// `daicho segment` and `daicho watch` end to end, `watch` across two processes.
@Suite struct SegmentCommandTests {
    func purchase(_ id: String, _ email: String, at: String) -> String {
        #"{"id":"\#(id)","type":"purchase","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"order_id":"o-\#(id)","amount":1000,"currency":"JPY"}}"#
    }

    /// `daicho watch ARGS` running in another process, with its output pipes.
    func startWatcher(_ arguments: [String]) throws -> (Process, out: Pipe, err: Pipe) {
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: daichoPath)
        watcher.arguments = ["watch"] + arguments
        let out = Pipe(), err = Pipe()
        watcher.standardOutput = out
        watcher.standardError = err
        try watcher.run()
        return (watcher, out, err)
    }

    /// Each line of `s` as a JSON object; a line that is not one is recorded as an issue (and left out).
    func lines(_ s: String) -> [[String: Any]] {
        s.split(separator: "\n").compactMap { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            if object == nil { Issue.record("not a JSON object: \(line)") }
            return object
        }
    }

    @Test func defineListMembersAndDrop() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let file = t.write("in.ndjson", [purchase("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"),
                                         purchase("a2", "a@example.jp", at: "2026-05-02T10:00:00Z"),
                                         purchase("b1", "b@example.jp", at: "2026-05-01T10:00:00Z")].joined(separator: "\n"))
        #expect(try daicho(["append", "--data", d, file]).status == 0)
        let defined = try daicho(["segment", "define", "--data", d, "repeat_buyers", "commerce.orders >= 2", "--description", "2+ orders"])
        #expect(defined.status == 0)
        #expect(defined.json["segment"] as? String == "repeat_buyers")
        #expect(defined.json["offset"] as? Int == 3)

        let list = lines(try daicho(["segment", "list", "--data", d]).stdout)
        #expect(list.count == 1)
        #expect(list.first?["name"] as? String == "repeat_buyers")
        #expect(list.first?["members"] as? Int == 1)
        #expect(list.first?["rule"] as? String == "commerce.orders >= 2")
        #expect(list.first?["description"] as? String == "2+ orders")

        let members = lines(try daicho(["segment", "members", "--data", d, "repeat_buyers"]).stdout)
        let profile = try daicho(["profile", "--data", d, "--email", "a@example.jp"]).json
        let a = profile["id"] as? String
        #expect(members.map { $0["profile"] as? String } == [a])
        let memberships = profile["segments"] as? [[String: String]]
        #expect(memberships?.map { $0["segment"] } == ["repeat_buyers"])
        #expect(memberships?.first?["since"] == members.first?["since"] as? String)
        #expect((try daicho(["profile", "--data", d, "--email", "b@example.jp"]).json["segments"] as? [Any])?.isEmpty == true)
        let before = lines(try daicho(["segment", "members", "--data", d, "repeat_buyers", "--as-of", "2026-05-01T12:00:00Z"]).stdout)
        #expect(before.isEmpty, "as of then the segment was not defined yet")

        let missing = try daicho(["segment", "members", "--data", d, "nope"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no segment named \"nope\""))
        #expect(try daicho(["segment", "drop", "--data", d, "repeat_buyers"]).json["members_exited"] as? Int == 1)
        #expect(try daicho(["segment", "list", "--data", d]).stdout.isEmpty)
        #expect(try daicho(["segment", "drop", "--data", d, "repeat_buyers"]).status == 3)
    }

    @Test func aRuleThatDoesNotCheckIsRefusedWithACaret() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        _ = try daicho(["append", "--data", d, t.write("in.ndjson", purchase("a", "a@example.jp", at: "2026-05-01T10:00:00Z"))])
        let r = try daicho(["segment", "define", "--data", d, "x", "count(purchases within 30d) >= 2"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("""
        1:7: unknown event type purchases; expected one of page_view, purchase, inquiry, social_mention, identify, link, track
        count(purchases within 30d) >= 2
              ^
        """))
        #expect(try daicho(["segment", "list", "--data", d]).stdout.isEmpty)
        #expect(try daicho(["segment", "define", "--data", d, "Bad-Name", "events > 0"]).status == 2)
    }

    /// One process watches while another appends: the change arrives as a line; the cursor printed on exit
    /// resumes exactly after it, and `--from 0` replays the whole feed identically.
    @Test func watchFollowsAnotherProcessesAppendsAndResumesFromItsCursor() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        _ = try daicho(["append", "--data", d, t.write("a.ndjson", purchase("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"))])
        _ = try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"])

        let (watcher, out, err) = try startWatcher(["--data", d, "--max-records", "1"])
        // Appends until the watcher, once started, sees one: its start-up (a replay) takes a moment.
        var n = 0
        while watcher.isRunning, n < 50 {
            n += 1
            _ = try daicho(["append", "--data", d, t.write("b\(n).ndjson", purchase("b\(n)", "b\(n)@example.jp", at: "2026-05-02T10:00:00Z"))])
            usleep(100_000)
        }
        watcher.waitUntilExit()
        let printed = lines(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        let resume = try #require(lines(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)).last?["cursor"] as? Int)
        #expect(watcher.terminationStatus == 0)
        #expect(printed.count == 1)
        #expect(printed.first?["change"] as? String == "entered")
        #expect(printed.first?["segment"] as? String == "buyers")
        #expect(printed.first?["cursor"] as? Int == resume)

        let all = lines(try daicho(["watch", "--data", d, "--from", "0", "--max-records", "\(n + 1)"]).stdout)
        #expect(all.map { $0["cursor"] as? Int } == (1...(n + 1)).map { $0 })
        #expect(all.contains { NSDictionary(dictionary: $0).isEqual(to: printed[0]) }, "live and replay give the same record")
        if resume < n + 1 { // records after the one printed exist: resuming starts right after it
            let next = lines(try daicho(["watch", "--data", d, "--from", "\(resume)", "--max-records", "1"]).stdout)
            #expect(next.first?["cursor"] as? Int == resume + 1)
        }
    }

    /// Ctrl-C or SIGTERM ends `watch` cleanly with the cursor to resume from.
    @Test func watchStopsOnSIGTERMAndPrintsTheCursor() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        _ = try daicho(["append", "--data", d, t.write("a.ndjson", purchase("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"))])
        _ = try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"])
        let (watcher, _, err) = try startWatcher(["--data", d])
        usleep(500_000)
        watcher.terminate()
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
        let printed = lines(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        #expect(printed.last?["cursor"] as? Int == 1, "the backfill made one record; resuming goes on after it")
    }
}
