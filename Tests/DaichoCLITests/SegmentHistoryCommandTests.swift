import DaichoHTTP
import Foundation
import Testing

/// A segment's size history (docs/segments.md "Size history") against a reference: the whole feed as `daicho watch
/// --from 0` prints it, its records counted per business day of their `at` (Asia/Tokyo, with Foundation's calendar),
/// sizes summed up. `segment list` (from the snapshot, and by replay without it), `GET /v1/segments` and
/// `GET /v1/segments/{name}/history` must all agree with it.
@Suite(.serialized) struct SegmentHistoryCommandTests {
    /// Per segment, per `YYYY-MM-DD` in Asia/Tokyo: (entered, exited), from `watch` lines.
    static func reference(_ watch: String) throws -> [String: [String: (entered: Int, exited: Int)]] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var out: [String: [String: (entered: Int, exited: Int)]] = [:]
        var cursors: [Int] = []
        for line in watch.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let at = try #require(record["at"] as? String)
            let date = try #require(parser.date(from: at) ?? plain.date(from: at))
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let segment = try #require(record["segment"] as? String)
            var counts = out[segment, default: [:]][day, default: (0, 0)]
            if record["change"] as? String == "entered" { counts.entered += 1 } else { counts.exited += 1 }
            out[segment, default: [:]][day] = counts
            cursors.append(try #require(record["cursor"] as? Int))
        }
        #expect(!cursors.isEmpty && cursors == Array(1...cursors.count), "the feed has a gap")
        return out
    }

    /// The reference's days `days` (ascending `YYYY-MM-DD`) as the history objects should print them.
    static func expected(_ counts: [String: (entered: Int, exited: Int)], days: [String]) -> [[String: String]] {
        var members = counts.filter { $0.key < days[0] }.values.reduce(0) { $0 + $1.entered - $1.exited }
        return days.map { day in
            let c = counts[day] ?? (0, 0)
            members += c.entered - c.exited
            return ["day": day, "entered": "\(c.entered)", "exited": "\(c.exited)", "members": "\(members)"]
        }
    }

    /// A history array as strings (numbers by their decimal text), to compare with `expected`.
    static func history(_ object: Any?) -> [[String: String]] {
        ((object as? [[String: Any]]) ?? []).map { day in day.mapValues { "\($0)" } }
    }

    @Test func historiesEqualTheFeedCountedPerBusinessDay() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        // Business days in Tokyo (UTC+9): the reference counts with Foundation's calendar of that zone.
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try #"{"business_time_zone":"Asia/Tokyo"}"#.write(toFile: d + "/daicho.json", atomically: true, encoding: .utf8)
        // Defined before the events arrive, so memberships change all through the year (windowed exits included).
        #expect(try daicho(["segment", "define", "--data", d, "recent", "count(purchase within 7d) >= 1"]).status == 0)
        #expect(try daicho(["segment", "define", "--data", d, "browsing", "count(page_view within 3d) >= 2 and not in_segment(\"recent\")"]).status == 0)
        let sample = t.path + "/sample.ndjson"
        #expect(try daicho(["generate", "--events", "3000", "--customers", "200", "--seed", "5", "--bad-line-rate", "0",
                            "--out", sample]).status == 0)
        #expect(try daicho(["append", "--data", d, sample]).status == 0)
        // One defined after them: its backfill enters its members today.
        #expect(try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"]).status == 0)

        let watch = try runChild("/usr/bin/timeout", ["-s", "TERM", "5", daichoPath, "watch", "--data", d, "--from", "0"])
        let reference = try Self.reference(watch.stdout)
        // A bulk append moves memberships at the segment clock, the frames' append time: today (the library's tests
        // spread frames over many days: SegmentHistoryTests in DaichoSegmentsTests).
        #expect(reference["recent"] != nil && reference["buyers"] != nil)

        let list = try daicho(["segment", "list", "--data", d])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = list.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(listed.map { $0["name"] as? String } == ["recent", "browsing", "buyers"])
        var today = Calendar(identifier: .gregorian)
        today.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        for segment in listed {
            let name = segment["name"] as! String
            let history = Self.history(segment["history"])
            #expect(history.count == 30)
            let days = history.compactMap { $0["day"] }
            let c = today.dateComponents([.year, .month, .day], from: Date())
            #expect(days.last == String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!), "the history ends today (the segment clock)")
            #expect(history == Self.expected(reference[name] ?? [:], days: days), "\(name)")
            #expect(history.last?["members"] == (segment["members"] as? Int).map { "\($0)" })
        }
        // The same without the snapshot (a replay counts them again).
        try FileManager.default.removeItem(atPath: d + "/snapshots")
        let replayed = try daicho(["segment", "list", "--data", d])
        #expect(replayed.stdout == list.stdout)

        // The server answers the same, and any range.
        let s = try ServeCommandTests.Serving(d)
        let token = try s.keys(d).read
        let served = ServeCommandTests.object(try s.get("/v1/segments", token: token).body)
        let data = (served["data"] as? [[String: Any]]) ?? []
        #expect(data.map { Self.history($0["history"]) } == listed.map { Self.history($0["history"]) })
        for name in ["recent", "browsing"] {
            let counts = try #require(reference[name])
            let first = counts.keys.min()!, last = listed[0]["history"].flatMap { Self.history($0).last?["day"] }!
            let r = try s.get("/v1/segments/\(name)/history?from=\(first)&to=\(last)", token: token)
            #expect(r.status == 200)
            let answer = ServeCommandTests.object(r.body)
            let history = Self.history(answer["history"])
            let days = history.compactMap { $0["day"] }
            #expect(days.first == first && days.last == last && Set(days).count == days.count)
            #expect(history == Self.expected(counts, days: days), "\(name)")
            // `daicho segment history` prints what the route answers.
            let cli = try daicho(["segment", "history", "--data", d, name, "--from", first, "--to", last])
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(cli.stdout == String(decoding: r.body, as: UTF8.self) + "\n")
        }
        #expect(try s.get("/v1/segments/recent/history?from=2026-13-01", token: token).status == 400)
        #expect(try s.get("/v1/segments/recent/history?from=2026-05-02&to=2026-05-01", token: token).status == 400)
        #expect(try s.get("/v1/segments/recent/history?from=2000-01-01&to=2026-01-01", token: token).status == 400)
        #expect(try s.get("/v1/segments/nosuch/history", token: token).status == 404)
        #expect(s.terminate().status == 0)
        #expect(try daicho(["segment", "history", "--data", d, "nosuch"]).status == 3)
        #expect(try daicho(["segment", "history", "--data", d, "recent", "--from", "2026-02-30"]).status == 2)
        let recent = try daicho(["segment", "history", "--data", d, "recent"])
        #expect(Self.history(recent.json["history"]) == Self.history(listed[0]["history"]), "default: the last 30 days")
    }
}
