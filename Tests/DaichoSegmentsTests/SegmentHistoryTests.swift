import Daicho
import DaichoJSON
import DaichoProjections
@testable import DaichoSegments
import DaichoTestSupport
import Foundation
import Testing

/// The segments' size histories (docs/segments.md "Size history") over a log written across 90 days: per business
/// day (Asia/Tokyo), entered and exited equal the whole feed's records counted per day of their `at` with
/// Foundation's calendar, and members the running sum — through windowed exits, a redefinition, a drop and a
/// definition made late; the same after a snapshot is written and restored.
@Suite struct SegmentHistoryTests {
    static let day: Int64 = 86_400_000_000
    static let hour: Int64 = 3_600_000_000

    /// Per segment, per `YYYY-MM-DD` in Asia/Tokyo: (entered, exited).
    static func reference(_ records: [FeedRecord]) -> [String: [String: (entered: Int64, exited: Int64)]] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        var out: [String: [String: (entered: Int64, exited: Int64)]] = [:]
        for r in records {
            let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(r.at) / 1e6))
            let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            var counts = out[r.segment, default: [:]][day, default: (0, 0)]
            if r.change == .entered { counts.entered += 1 } else { counts.exited += 1 }
            out[r.segment, default: [:]][day] = counts
        }
        return out
    }

    /// The reference for the days `history` covers, in the form the projection answers.
    static func expected(_ counts: [String: (entered: Int64, exited: Int64)], like history: [SegmentDay]) -> [SegmentDay] {
        guard let first = history.first else { return [] }
        var members = counts.filter { $0.key < first.date }.values.reduce(0) { $0 + $1.entered - $1.exited }
        return history.map { d in
            let c = counts[d.date] ?? (0, 0)
            members += c.entered - c.exited
            return SegmentDay(day: d.day, entered: c.entered, exited: c.exited, members: members)
        }
    }

    @Test func historiesEqualTheFeedCountedPerBusinessDay() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/d")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        try #"{"business_time_zone":"Asia/Tokyo"}"#.write(toFile: dir.path + "/daicho.json", atomically: true, encoding: .utf8)
        let start = (wallClockMicros() / Self.day - 92) * Self.day
        let clock = AppendClock(start)
        let store = try EventStore.open(dir, options: clock.options)
        try SegmentDefinitions.define(name: "recent", rule: "count(purchase within 7d) >= 1", in: store, at: start)
        try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 1", in: store, at: start)
        try SegmentDefinitions.define(name: "lapsed", rule: "commerce.orders >= 1 and count(purchase within 10d) == 0",
                                      in: store, at: start)
        var random = SeededGenerator(seed: 42)
        for d in 0..<90 {
            // Purchases at any hour, so Tokyo's day (from 15:00 UTC) and UTC's differ for some of them.
            for k in 0..<Int.random(in: 0...4, using: &random) {
                let at = start + Int64(d) * Self.day + Int64.random(in: 0..<(24 * Self.hour), using: &random)
                clock.set(at + 1000)
                let customer = Int.random(in: 0..<40, using: &random)
                _ = try store.append([purchase("p\(d)-\(k)", "c\(customer)@example.jp", at: at)])
            }
            let noon = start + Int64(d) * Self.day + 12 * Self.hour
            clock.set(noon)
            switch d {
            case 40: try SegmentDefinitions.define(name: "buyers", rule: "commerce.orders >= 3", in: store, at: noon)
            case 55: try SegmentDefinitions.define(name: "late", rule: "count(purchase within 30d) >= 2", in: store, at: noon)
            case 70: try SegmentDefinitions.drop(name: "lapsed", in: store, at: noon)
            default: break
            }
        }
        try store.close()
        let now = start + 91 * Self.day
        let (segments, _) = try SegmentLoader.load(dir, now: now, trackingAfter: 0)
        let records = segments.takeChanges()?.records ?? []
        let reference = Self.reference(records)
        #expect(Set(reference["recent"]?.values.map(\.exited) ?? []).count > 1, "windowed exits on many days")
        #expect(segments.definitions.map(\.name) == ["recent", "buyers", "late"])

        let end = try #require(segments.historyEnd)
        #expect(SegmentDay.date(end) == Self.reference([FeedRecord(cursor: 0, segment: "x", profile: "", change: .entered,
                                                                   at: segments.clock, offset: 0)])["x"]!.keys.first!)
        for info in segments.definitions {
            #expect(info.history.count == SegmentProjection.historyDays)
            #expect(info.history.last?.day == end)
            #expect(info.history == Self.expected(reference[info.name] ?? [:], like: info.history), "\(info.name)")
            #expect(info.history.last?.members == Int64(info.members))
            // Any range: from before the first record to the end.
            let whole = try #require(segments.history(of: info.name, from: end - 95, through: end))
            #expect(whole.count == 96)
            #expect(whole == Self.expected(reference[info.name] ?? [:], like: whole), "\(info.name)")
            #expect(whole.first?.members == 0)
        }
        #expect(segments.history(of: "lapsed", from: end - 95, through: end) == nil, "a dropped segment has none")
        // The redefinition kept buyers' history: entries before day 40 are still there.
        #expect(try #require(segments.history(of: "buyers", from: end - 95, through: end - 60)).contains { $0.entered > 0 })

        // Written into the snapshot and restored from it.
        try SegmentLoader.writeSnapshot(segments, settings: try ProjectionSettings.load(dir), directory: dir)
        let (restored, _) = try SegmentLoader.load(dir, now: now)
        #expect(restored.restoredFrom != nil)
        #expect(restored.definitions == segments.definitions)
        #expect(restored.history(of: "recent", from: end - 95, through: end) == segments.history(of: "recent", from: end - 95, through: end))
    }

    @Test func aDayIsItsDateAndBack() {
        #expect(SegmentDay.date(0) == "1970-01-01")
        #expect(SegmentDay.day("2026-05-31") == Int32(RFC3339.daysFromCivil(year: 2026, month: 5, day: 31)))
        #expect(SegmentDay.date(SegmentDay.day("2024-02-29")!) == "2024-02-29")
        #expect(SegmentDay.day("2026-02-30") == nil)
        #expect(SegmentDay.day("2026-5-1") == nil)
        #expect(SegmentDay.day("yesterday") == nil)
    }
}
