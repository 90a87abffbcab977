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

    /// A huge `--customers` trapped inside the generator.
    @Test func generateRefusesMoreCustomersThanItHolds() throws {
        let r = try daicho(["generate", "--events", "10", "--customers", "100000000000"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--customers: 100000000000 is more than the generator holds (at most 100000000)"))
        let huge = try daicho(["generate", "--events", "10", "--customers", "99999999999999999999"])
        #expect(huge.status == 2 && huge.stderr.contains("--customers"))
    }
}
