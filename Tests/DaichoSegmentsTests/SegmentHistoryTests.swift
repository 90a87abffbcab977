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

    /// A log written across 90 days (Tokyo) with three segments defined at its start, one redefined on day 40,
    /// one defined on day 55 and one dropped on day 70; returns its directory and a time the day after its end.
    static func ninetyDays(_ t: TemporaryDirectory) throws -> (DataDirectory, now: Int64) {
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
        return (dir, start + 91 * Self.day)
    }

    @Test func historiesEqualTheFeedCountedPerBusinessDay() throws {
        let t = TemporaryDirectory()
        let (dir, now) = try Self.ninetyDays(t)
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

    /// Every segment's whole history (95 days up to the history's end), by name.
    static func histories(_ segments: SegmentProjection) throws -> [String: [SegmentDay]] {
        let end = try #require(segments.historyEnd)
        var out: [String: [SegmentDay]] = [:]
        for info in segments.definitions { out[info.name] = segments.history(of: info.name, from: end - 95, through: end) }
        return out
    }

    /// The size histories in the snapshot (segment state version 3, docs/segments.md "Snapshots"), damaged: a
    /// flipped byte in the snapshot's dependents section or the file cut inside it fails the snapshot's checks;
    /// a state whose histories are cut short, out of day order, of another history version or followed by stray
    /// bytes (damage the file's checksums cannot see: a writer's) does not restore. Each time the loader says so
    /// (`rebuilt by replay`), replays, and the histories equal the feed counted per day, as an intact snapshot's do.
    @Test func aDamagedHistoryStateIsDetectedAndRebuilt() throws {
        let t = TemporaryDirectory()
        let (dir, now) = try Self.ninetyDays(t)
        let settings = try ProjectionSettings.load(dir)
        let (segments, _) = try SegmentLoader.load(dir, now: now, trackingAfter: 0)
        let reference = Self.reference(segments.takeChanges()?.records ?? [])
        let expected = try Self.histories(segments)
        #expect(expected.count == 3 && expected.allSatisfy { $0.value == Self.expected(reference[$0.key] ?? [:], like: $0.value) })
        let state = segments.encodeState()
        let path = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName

        /// Loads the view of `dir` as a query does; checks its histories, whether it came from the snapshot and its
        /// notice; returns the notice.
        @discardableResult
        func load(_ what: String, restored: Bool, notice: String?) throws -> String? {
            let (view, _) = try SegmentLoader.load(dir, now: now)
            #expect((view.restoredFrom != nil) == restored, "\(what): \(view.notice ?? "restored")")
            #expect(try Self.histories(view) == expected, "\(what)")
            if let notice {
                #expect(view.notice?.contains(notice) == true && view.notice?.hasSuffix("rebuilt by replay") == true,
                        "\(what): \(view.notice ?? "no notice")")
            } else {
                #expect(view.notice == nil, "\(what)")
            }
            return view.notice
        }
        func write(state: [UInt8]) throws {
            try ProjectionSnapshot.write(segments.profiles, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir,
                                         dependents: state)
        }
        try write(state: state)
        try load("intact", restored: true, notice: nil)

        // In the file: the dependents section (5) holds the state, zstd-compressed.
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let section = snapshotSection(5, of: file)
        for at in [section.lowerBound, section.lowerBound + section.count / 2, section.upperBound - 1] {
            var bad = file
            bad[at] ^= 0x20
            try Data(bad).write(to: URL(fileURLWithPath: path), options: .atomic)
            try load("flip at byte \(at - section.lowerBound) of the section", restored: false, notice: "fails its checksum")
        }
        try Data(file[..<(section.lowerBound + section.count / 2)]).write(to: URL(fileURLWithPath: path), options: .atomic)
        try load("file cut inside the section", restored: false, notice: "truncated or damaged")

        // In the state: the histories are its end, the history version (u64) then each segment's days.
        var historyBytes = SnapshotWriter()
        historyBytes.u64(SegmentHistory.version)
        for s in segments.segments { s.history.encode(into: &historyBytes) }
        let histories = state.count - historyBytes.bytes.count
        #expect(Array(state[histories...]) == historyBytes.bytes)
        var version = state, order = state
        version[histories] ^= 0x02
        // The first segment's first day (after the version and its day count, a one-byte varint) moves past its second.
        #expect(segments.segments[0].history.days.count > 1)
        order[histories + 8 + 1 + 2] ^= 0x01
        // The notice names why the state does not restore (any of `reasons`).
        let damaged: [(what: String, state: [UInt8], reasons: [String])] = [
            ("histories cut in the middle", Array(state[..<(histories + historyBytes.bytes.count / 2)]), ["truncated", "exceeds the snapshot"]),
            ("histories missing", Array(state[..<histories]), ["snapshot truncated"]),
            ("another history version", version, ["segment size history of another version"]),
            ("a day out of order", order, ["a segment's size history is damaged"]),
            ("a stray byte after the histories", state + [0], ["bytes after the segment state"]),
        ]
        for (what, bytes, reasons) in damaged {
            try write(state: bytes)
            let notice = try load(what, restored: false, notice: "the snapshot's segment state does not restore")
            #expect(reasons.contains { notice?.contains($0) == true }, "\(what): \(notice ?? "no notice")")
        }
        try write(state: state)
        try load("intact again", restored: true, notice: nil)
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
