import Foundation
import Testing

/// Issue 8 "Say what happened": commands that used to do nothing silently now give a clear error, an exit
/// status, or behaviour that matches the README.
@Suite struct SayWhatHappenedTests {
    func lines(_ s: String) -> [[String: Any]] {
        s.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A data directory holding `events` (appended in order), with `daicho.json` when `settings` is given.
    func store(_ t: TemporaryDirectory, _ events: [String], settings: String? = nil) throws -> String {
        let d = t.path + "/d"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        if let settings { try Data(settings.utf8).write(to: URL(fileURLWithPath: d + "/daicho.json")) }
        let r = try daicho(["append", "--data", d, t.write("in.ndjson", events.joined(separator: "\n"))])
        #expect(r.status == 0, "\(r.stderr)")
        return d
    }

    @Test func versionPrintsTheRelease() throws {
        let r = try daicho(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.range(of: #"^daicho \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(r.stdout)")
    }

    @Test func exportWithToOffsetBeforeFromOffsetIsAUsageError() throws {
        let t = TemporaryDirectory()
        let d = try store(t, (0..<12).map { eventLine("e\($0)") })
        let r = try daicho(["export", "--data", d, "--from-offset", "10", "--to-offset", "5"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--to-offset 5 is before --from-offset 10"))
    }

    /// The README's `export --type purchase --to-offset 20` printed nothing when no purchase lay there, and said nothing.
    @Test func exportThatMatchesNothingSaysSoOnStderr() throws {
        let t = TemporaryDirectory()
        let d = try store(t, (0..<30).map { eventLine("e\($0)") })
        let r = try daicho(["export", "--data", d, "--type", "purchase", "--to-offset", "20"])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("no event matched: none of the 21 events in offsets 0-20 has --type purchase"), "\(r.stderr)")
        let past = try daicho(["export", "--data", d, "--from-offset", "40"])
        #expect(past.stderr.contains("--from-offset 40 is at or past the end of the log (offsets 0-29)"), "\(past.stderr)")
        let some = try daicho(["export", "--data", d, "--to-offset", "20"])
        #expect(lines(some.stdout).count == 21)
        #expect(some.stderr.isEmpty)
    }

    /// `--since`/`--until` select by event time, late events (appended after later ones) included.
    @Test func exportSinceUntilSelectsByEventTime() throws {
        let t = TemporaryDirectory()
        let times = ["2026-06-03T10:00:00Z", "2026-06-01T10:00:00Z", "2026-06-02T10:00:00Z", "2026-05-30T10:00:00Z",
                     "2026-06-02T23:59:59Z", "2026-06-04T00:00:00Z"]
        let d = try store(t, times.enumerated().map { eventLine("e\($0.offset)", at: $0.element) })
        let r = try daicho(["export", "--data", d, "--since", "2026-06-01T10:00:00Z", "--until", "2026-06-03T09:59:59Z"])
        #expect(r.status == 0)
        #expect(lines(r.stdout).map { $0["id"] as? String } == ["e1", "e2", "e4"])
        let none = try daicho(["export", "--data", d, "--since", "2026-06-05T00:00:00Z"])
        #expect(none.stdout.isEmpty && none.stderr.contains("--since 2026-06-05T00:00:00Z"))
        let backwards = try daicho(["export", "--data", d, "--since", "2026-06-03T00:00:00Z", "--until", "2026-06-02T00:00:00Z"])
        #expect(backwards.status == 2 && backwards.stderr.contains("is before --since"))
    }

    /// A date alone is the whole day in the business time zone: `--since` its first instant, `--until` and
    /// `--as-of` its last.
    @Test func dateOnlyTimesAreTheWholeDayInTheBusinessTimeZone() throws {
        let t = TemporaryDirectory()
        // Tokyo's 2026-06-01 is 2026-05-31T15:00Z ..< 2026-06-01T15:00Z.
        let times = ["2026-05-31T14:59:59Z", "2026-05-31T15:00:00Z", "2026-06-01T14:59:59.999999Z", "2026-06-01T15:00:00Z"]
        let events = times.enumerated().map { eventLine("e\($0.offset)", at: $0.element) }
        let tokyo = try store(t, events, settings: #"{"business_time_zone":"Asia/Tokyo"}"#)
        let day = try daicho(["export", "--data", tokyo, "--since", "2026-06-01", "--until", "2026-06-01"])
        #expect(day.status == 0, "\(day.stderr)")
        #expect(lines(day.stdout).map { $0["id"] as? String } == ["e1", "e2"])

        let t2 = TemporaryDirectory()
        let utc = try store(t2, events)  // the default business time zone is UTC
        #expect(lines(try daicho(["export", "--data", utc, "--since", "2026-06-01", "--until", "2026-06-01"]).stdout)
            .map { $0["id"] as? String } == ["e2", "e3"])

        // --as-of a date: the profile as at the end of that day.
        let asOf = try daicho(["timeline", "--data", tokyo, "--user-id", "u-e2", "--as-of", "2026-06-01"])
        #expect(asOf.status == 0, "\(asOf.stderr)")
        #expect(lines(asOf.stdout).map { $0["id"] as? String } == ["e2"])
        let before = try daicho(["profile", "--data", tokyo, "--user-id", "u-e3", "--as-of", "2026-06-01"])
        #expect(before.status == 3, "e3 lies after Tokyo's 2026-06-01")
        let bad = try daicho(["export", "--data", tokyo, "--until", "2026-02-30"])
        #expect(bad.status == 2 && bad.stderr.contains("--until: \"2026-02-30\" is not an RFC 3339 time"))
        let noZone = try daicho(["export", "--data", tokyo, "--since", "2026-06-01T10:00:00"])
        #expect(noZone.status == 2 && noZone.stderr.contains("add a zone"))
    }

    @Test func timelineFiltersByType() throws {
        let t = TemporaryDirectory()
        func line(_ id: String, _ type: String, _ at: String) -> String {
            let props = type == "purchase" ? #"{"order_id":"o-\#(id)","amount":100,"currency":"JPY"}"# : #"{"url":"https://example.jp/"}"#
            return #"{"id":"\#(id)","type":"\#(type)","at":"\#(at)","ids":{"user_id":"u-1"},"props":\#(props)}"#
        }
        let d = try store(t, [line("v1", "page_view", "2026-05-01T10:00:00Z"), line("p1", "purchase", "2026-05-02T10:00:00Z"),
                              line("v2", "page_view", "2026-05-03T10:00:00Z"), line("p2", "purchase", "2026-05-04T10:00:00Z")])
        let r = try daicho(["timeline", "--data", d, "--user-id", "u-1", "--type", "purchase"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(lines(r.stdout).map { $0["id"] as? String } == ["p2", "p1"])
        let limited = try daicho(["timeline", "--data", d, "--user-id", "u-1", "--type", "page_view", "--limit", "1"])
        #expect(lines(limited.stdout).map { $0["id"] as? String } == ["v2"])
        let unknown = try daicho(["timeline", "--data", d, "--user-id", "u-1", "--type", "purchases"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown type \"purchases\""))
    }

    /// `replay --to-offset 10` replaced the snapshot of the whole log with its partial view, so every later query
    /// caught up on the tail again (1.9 s instead of 0.2 s).
    @Test func replayToOffsetKeepsTheFullSnapshot() throws {
        let t = TemporaryDirectory()
        let d = try store(t, (0..<20).map { eventLine("e\($0)") })
        let snapshot = d + "/snapshots/profiles.snap"
        let full = try #require(FileManager.default.contents(atPath: snapshot))
        let r = try daicho(["replay", "--data", d, "--to-offset", "9"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["events"] as? Int == 10)
        #expect(r.json["profiles"] as? Int == 10)
        #expect(r.stderr.contains("writes no snapshot"))
        #expect(FileManager.default.contents(atPath: snapshot) == full, "the snapshot of the whole log is kept")
        let stats = try daicho(["stats", "--data", d])
        #expect(stats.json["profiles"] as? Int == 20)
        #expect(stats.stderr.isEmpty)

        let until = try daicho(["replay", "--data", d, "--until", "2026-05-01T00:00:00Z"])
        #expect(until.status == 0 && until.json["events"] as? Int == 20 && until.json["profiles"] as? Int == 0)
        #expect(FileManager.default.contents(atPath: snapshot) == full)

        let past = try daicho(["replay", "--data", d, "--to-offset", "20"])
        #expect(past.status == 2 && past.stderr.contains("--to-offset 20 is past the end: the log's last offset is 19"))
        #expect(try daicho(["replay", "--data", d]).json["events"] as? Int == 20)
    }

    /// `--phone abc` or a phone without its leading 0 can match nobody: exit 2 with the reason, not "no profile matches".
    @Test func lookupWithAValueThatCannotBeNormalizedIsAUsageError() throws {
        let t = TemporaryDirectory()
        let d = try store(t, [eventLine("e1")])
        for (option, value, reason) in [("--phone", "abc", "not allowed"), ("--phone", "9012345678", "without country code or trunk prefix"),
                                        ("--email", "taro.example.jp", "no '@'")] {
            let r = try daicho(["profile", "--data", d, option, value])
            #expect(r.status == 2, "\(option) \(value): \(r.stderr)")
            #expect(r.stderr.contains("\(option): ") && r.stderr.contains("cannot be normalized"), "\(r.stderr)")
            #expect(r.stderr.contains(reason), "\(r.stderr)")
            #expect(!r.stderr.contains(value), "the value is masked")
            #expect(!r.stderr.contains("no profile matches"))
        }
        let timeline = try daicho(["timeline", "--data", d, "--phone", "abc"])
        #expect(timeline.status == 2)
        // A well-formed value that nobody holds is still "no profile matches" (exit 3).
        #expect(try daicho(["profile", "--data", d, "--phone", "090-1234-5678"]).status == 3)
    }

    @Test func idGivenAnEmailSuggestsEmail() throws {
        let t = TemporaryDirectory()
        let d = try store(t, [eventLine("e1")])
        let r = try daicho(["profile", "--data", d, "--id", "taro.yamada@example.jp"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is not a profile id") && r.stderr.contains("use --email"), "\(r.stderr)")
        #expect(!r.stderr.contains("taro.yamada@example.jp"))
        let phone = try daicho(["profile", "--data", d, "--id", "090-1234-5678"])
        #expect(phone.status == 2 && phone.stderr.contains("use --phone") && !phone.stderr.contains("1234-5678"))
        let user = try daicho(["profile", "--data", d, "--id", "u-e1"])
        #expect(user.status == 2 && user.stderr.contains("--user-id"))
        let id = try #require(try daicho(["profile", "--data", d, "--user-id", "u-e1"]).json["id"] as? String)
        #expect(try daicho(["profile", "--data", d, "--id", id]).status == 0)
        #expect(try daicho(["profile", "--data", d, "--id", "p-0000000000000000"]).status == 3)
    }

    /// The README's second `append` of the sample: every valid event is a duplicate, nothing is appended, and the
    /// sample's deliberately broken lines are rejected again (exit 1, a new rejects file), as the README says.
    @Test func secondAppendOfTheSampleAppendsNothingAndRejectsItsBadLinesAgain() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let sample = t.write("sample.ndjson", [eventLine("e1"), "{not json", eventLine("e2")].joined(separator: "\n"))
        let first = try daicho(["append", "--data", d, sample])
        #expect(first.status == 1 && first.json["appended"] as? Int == 2)
        let again = try daicho(["append", "--data", d, sample])
        #expect(again.status == 1)
        #expect(again.json["appended"] as? Int == 0)
        #expect(again.json["duplicates"] as? Int == 2)
        #expect(again.json["rejected"] as? Int == 1)
        let rejects = try #require(again.json["rejects_file"] as? String)
        #expect(rejects != first.json["rejects_file"] as? String)
        #expect(try exportedIDs(data: d) == ["e1", "e2"])
    }
}
