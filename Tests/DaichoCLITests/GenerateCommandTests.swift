import Foundation
import Testing

/// `daicho generate`: the sample ends at `--end` (default now), so `make demo` shows no time in the future.
@Suite struct GenerateCommandTests {
    /// The event times of generated NDJSON, parsed with Foundation (independent of the generator's formatter);
    /// lines whose time does not parse (the deliberately broken ones) are skipped.
    func eventTimes(_ ndjson: String) -> [Date] {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let whole = ISO8601DateFormatter()
        return ndjson.split(separator: "\n").compactMap { line in
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let at = o["at"] as? String else { return nil }
            return fractional.date(from: at) ?? whole.date(from: at)
        }
    }

    @Test func generateWithAnEndGivesTheSameBytesAndNoTimeAfterIt() throws {
        let a = try daicho(["generate", "--events", "3000", "--seed", "42", "--end", "2026-06-01"])
        let b = try daicho(["generate", "--events", "3000", "--seed", "42", "--end", "2026-06-01"])
        #expect(a.status == 0 && !a.stdout.isEmpty)
        #expect(a.stdout == b.stdout)
        let times = eventTimes(a.stdout)
        #expect(times.count > 2900)
        // A date alone is its last microsecond in UTC: 2026-06-01T23:59:59.999999Z.
        let end = try #require(ISO8601DateFormatter().date(from: "2026-06-02T00:00:00Z"))
        let latest = try #require(times.max())
        #expect(latest < end)
        #expect(end.timeIntervalSince(latest) < 86_400, "the data runs up to its end, latest \(latest)")
        #expect(latest.timeIntervalSince(try #require(times.min())) > 300 * 86_400, "about a year of data")
        let other = try daicho(["generate", "--events", "3000", "--seed", "42", "--end", "2026-07-01"])
        #expect(other.stdout != a.stdout)
    }

    /// The demo's data ran 25 days past the machine's clock.
    @Test func generateByDefaultEndsNow() throws {
        let before = Date()
        let r = try daicho(["generate", "--events", "2000", "--seed", "42"])
        let after = Date()
        let latest = try #require(eventTimes(r.stdout).max())
        #expect(latest <= after)
        #expect(before.timeIntervalSince(latest) < 3 * 86_400, "the data reaches the present: latest \(latest)")
    }

    /// `make demo`'s data ran 25 days past the clock: members' `since` lay in the future and a complaint appended now
    /// never entered `complained_week` (the segment clock stood at the newest event time, weeks ahead).
    @Test func aComplaintAppendedNowEntersTheWeeklySegmentOfTheGeneratedSample() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/d"
        let sample = t.path + "/sample.ndjson"
        #expect(try daicho(["generate", "--events", "4000", "--customers", "400", "--seed", "42", "--out", sample]).status == 0)
        #expect([0, 1].contains(try daicho(["append", "--data", d, sample]).status))
        #expect(try daicho(["segment", "define", "--data", d, "complained_week",
                            #"count(inquiry where category == "complaint" within 7d) >= 1"#]).status == 0)
        let now = ISO8601DateFormatter().string(from: Date())
        let complaint = #"{"id":"complaint-now","type":"inquiry","at":"\#(now)","ids":{"user_id":"U-NOW"},"props":{"category":"complaint","channel":"email"}}"#
        #expect(try daicho(["append", "--data", d], stdin: Data(complaint.utf8)).status == 0)
        let profile = try daicho(["profile", "--data", d, "--user-id", "U-NOW"]).json
        let segments = (profile["segments"] as? [[String: String]])?.compactMap { $0["segment"] }
        #expect(segments == ["complained_week"])
        let members = try daicho(["segment", "members", "--data", d, "complained_week"]).stdout.split(separator: "\n")
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let since = members.compactMap { line -> Date? in
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let s = o["since"] as? String else { return nil }
            return fractional.date(from: s) ?? ISO8601DateFormatter().date(from: s)
        }
        #expect(since.count == members.count && !since.isEmpty)
        #expect(since.allSatisfy { $0 <= Date() }, "no member entered in the future")
    }

    /// A huge `--customers` trapped inside the generator.
    @Test func generateRefusesMoreCustomersThanItHolds() throws {
        let r = try daicho(["generate", "--events", "10", "--customers", "100000000000"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--customers: 100000000000 is more than the generator holds (at most 100000000)"))
        let huge = try daicho(["generate", "--events", "10", "--customers", "99999999999999999999"])
        #expect(huge.status == 2 && huge.stderr.contains("--customers"))
    }
}
