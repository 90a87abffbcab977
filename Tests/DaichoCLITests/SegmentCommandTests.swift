import Foundation
import Testing

/// `daicho segment` and `daicho watch` end to end, `watch` across two processes.
@Suite struct SegmentCommandTests {
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
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"),
                                                 purchaseLine("a2", "a@example.jp", at: "2026-05-02T10:00:00Z"),
                                                 purchaseLine("b1", "b@example.jp", at: "2026-05-01T10:00:00Z")])
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
        let d = try dataDirectory(t, appending: [purchaseLine("a", "a@example.jp", at: "2026-05-01T10:00:00Z")])
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
        let d = try dataDirectoryWithABuyer(t)

        let (watcher, out, err) = try startWatcher(["--data", d, "--max-records", "1"])
        // Appends until the watcher, once started, sees one: its start-up (a replay) takes a moment.
        var n = 0
        while watcher.isRunning, n < 50 {
            n += 1
            _ = try daicho(["append", "--data", d, t.write("b\(n).ndjson", purchaseLine("b\(n)", "b\(n)@example.jp", at: "2026-05-02T10:00:00Z"))])
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
        // One more record after everything so far: resuming starts right after the one printed.
        _ = try daicho(["append", "--data", d, t.write("c.ndjson", purchaseLine("c", "c@example.jp", at: "2026-05-02T10:00:00Z"))])
        let next = lines(try daicho(["watch", "--data", d, "--from", "\(resume)", "--max-records", "1"]).stdout)
        #expect(next.first?["cursor"] as? Int == resume + 1)
    }

    /// `daicho watch ARGS` that must end by itself within 20 s (it is killed otherwise): status and stderr.
    func watchEnding(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let (watcher, _, err) = try startWatcher(arguments)
        _ = waitForExit(watcher, within: 20)
        return (watcher.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Found in issue 8: `watch --segment nosuch` and `watch --from 99999999` waited silently.
    @Test func watchRefusesAnUnknownSegmentAndACursorBeyondTheFeed() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectoryWithABuyer(t)

        let unknown = try watchEnding(["--data", d, "--segment", "buyers", "--segment", "nosuch"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("daicho watch: --segment: no segment named \"nosuch\"; defined: buyers"))
        let beyond = try watchEnding(["--data", d, "--from", "99999999"])
        #expect(beyond.status == 2)
        #expect(beyond.stderr.contains("cursor 99999999 is beyond the end of the feed, which holds 1 record;"))
        // The last cursor there is is fine: the watcher waits for what comes next.
        let (atEnd, _, _) = try startWatcher(["--data", d, "--from", "1"])
        usleep(1_500_000)
        #expect(atEnd.isRunning)
        atEnd.terminate()
        atEnd.waitUntilExit()
        #expect(atEnd.terminationStatus == 0)
    }

    /// Issue 8: `segment define` prints the member count after the backfill.
    @Test func definePrintsTheMemberCountAfterBackfill() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"),
                                                 purchaseLine("b1", "b@example.jp", at: "2026-05-01T10:00:00Z"),
                                                 purchaseLine("b2", "b@example.jp", at: "2026-05-02T10:00:00Z")])
        let buyers = try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"])
        #expect(buyers.status == 0)
        #expect(buyers.json["members"] as? Int == 2)
        #expect(try daicho(["segment", "define", "--data", d, "repeat", "count(purchase) >= 2"]).json["members"] as? Int == 1)
        #expect(try daicho(["segment", "define", "--data", d, "nobody", "commerce.orders >= 9"]).json["members"] as? Int == 0)
    }

    /// Issue 8: long rules come from a file (`--rule-file FILE`, `-` for stdin), comments and line breaks kept.
    @Test func defineReadsTheRuleFromARuleFile() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z")])
        let terms = (0..<40).map { "traits.code == \"c\($0)\"" }.joined(separator: "\n  or ")
        let rule = "# buyers, or anyone with one of 40 codes\ncommerce.orders >= 1\n  or " + terms + "\n"
        let fromFile = try daicho(["segment", "define", "--data", d, "coded", "--rule-file", t.write("rule.txt", rule)])
        #expect(fromFile.status == 0)
        #expect(fromFile.json["members"] as? Int == 1)
        let listed = lines(try daicho(["segment", "list", "--data", d]).stdout)
        #expect(listed.first?["rule"] as? String == rule)

        let fromStdin = try daicho(["segment", "define", "--data", d, "buyers", "--rule-file", "-"], stdin: Data("commerce.orders >= 1".utf8))
        #expect(fromStdin.json["members"] as? Int == 1)
        let missing = try daicho(["segment", "define", "--data", d, "x", "--rule-file", t.path + "/none.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--rule-file \(t.path)/none.txt: cannot read the file"))
        let both = try daicho(["segment", "define", "--data", d, "x", "events > 0", "--rule-file", t.path + "/rule.txt"])
        #expect(both.status == 2)
        let badRule = try daicho(["segment", "define", "--data", d, "x", "--rule-file", t.write("bad.txt", "\n\ncommerce.order >= 3")])
        #expect(badRule.status == 2)
        #expect(badRule.stderr.contains("3:10: unknown field commerce.order"))
    }

    /// Issue 8: a snapshot that cannot be used is rebuilt by replay with a notice, never silently.
    @Test func aDamagedSnapshotIsRebuiltWithANotice() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectoryWithABuyer(t)
        let path = d + "/snapshots/profiles.snap"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let list = try daicho(["segment", "list", "--data", d])
        #expect(list.status == 0)
        #expect(list.stderr.contains("daicho: notice: snapshot \(path)"))
        #expect(list.stderr.contains("rebuilt by replay"))
        #expect(lines(list.stdout).first?["members"] as? Int == 1)
    }

    /// Issue 8: `in_segment` from the command line: an unknown name is a rule error with a caret, and a
    /// segment another one reads cannot be dropped until that one is.
    @Test func segmentsReadingSegmentsAreCheckedAndProtectTheirSource() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z"),
                                                 purchaseLine("a2", "a@example.jp", at: "2026-05-02T10:00:00Z")])
        #expect(try daicho(["segment", "define", "--data", d, "vip", "commerce.orders >= 2"]).json["members"] as? Int == 1)
        let unknown = try daicho(["segment", "define", "--data", d, "loyal", "in_segment(\"vips\")"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("1:12: no segment named \"vips\"; defined: vip"))
        #expect(try daicho(["segment", "define", "--data", d, "loyal", "in_segment(\"vip\") and events >= 2"]).json["members"] as? Int == 1)
        let refused = try daicho(["segment", "drop", "--data", d, "vip"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("segment \"vip\" is read by in_segment in loyal; drop or redefine it first"))
        #expect(try daicho(["segment", "drop", "--data", d, "loyal"]).status == 0)
        #expect(try daicho(["segment", "drop", "--data", d, "vip"]).json["members_exited"] as? Int == 1)
    }

    /// Ctrl-C or SIGTERM ends `watch` cleanly with the cursor to resume from.
    @Test func watchStopsOnSIGTERMAndPrintsTheCursor() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectoryWithABuyer(t)
        let (watcher, _, err) = try startWatcher(["--data", d])
        usleep(500_000)
        watcher.terminate()
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
        let printed = lines(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        #expect(printed.last?["cursor"] as? Int == 1, "the backfill made one record; resuming goes on after it")
    }
}
