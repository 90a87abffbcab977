import Daicho
import DaichoJSON
import DaichoLog
import DaichoTestSupport
import DaichoWorkload
import Foundation
import Testing
@testable import DaichoProjections

/// The dashboard aggregates (docs/console.md "Where the figures come from"): the same figures whatever order the
/// events arrive in, kept exactly by snapshots and checkpoints, and as of a time equal to a log of only the events
/// up to that time.
@Suite struct DashboardAggregatesTests {
    static let settings = #"{"business_time_zone": "America/New_York", "checkpoint_every": 500, "checkpoints_kept": 6}"#

    /// Generated workload lines (late events, several currencies, inquiries, mentions) with cross links (merges).
    static func lines(seed: UInt64, events: Int = 5000) throws -> [Substring] {
        let t = TemporaryDirectory()
        let file = t.path + "/all.ndjson"
        _ = try WorkloadGenerator.write(WorkloadConfig(events: events, customers: 600, seed: seed, lateRate: 0.08), toPath: file)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        return CheckpointAsOfTests.withCrossLinks(lines)
    }

    /// A data directory holding `lines`, appended in `parts` appends each followed by the snapshot refresh.
    static func directory(_ t: TemporaryDirectory, _ name: String, _ lines: [Substring], parts: Int = 1) throws -> DataDirectory {
        let dir = DataDirectory(t.path + "/" + name)
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        try Data(settings.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        let per = (lines.count + parts - 1) / parts
        for part in 0..<parts {
            let chunk = lines[min(lines.count, part * per)..<min(lines.count, (part + 1) * per)]
            let path = t.write("\(name)-\(part).ndjson", chunk.joined(separator: "\n") + "\n")
            let store = try EventStore.open(dir, options: LogOptions(segmentMaxBytes: 64 << 10, durability: .end))
            _ = try store.ingest(file: path, chunkBytes: 16 << 10)
            try store.close()
            if parts > 1 { try ProjectionLoader.refreshSnapshot(dir) }
        }
        return dir
    }

    static func replayed(_ dir: DataDirectory, asOf: Int64? = nil) throws -> ProfileProjection {
        let settings = try ProjectionSettings.load(dir)
        let projection = ProfileProjection(rules: settings.rules, config: settings.profile, asOf: asOf)
        try projection.catchUp(EventReader(dir))
        return projection
    }

    static func canonical(_ p: ProfileProjection) -> [String] {
        p.loadSnapshotSections()
        return p.dashboard.canonical(symbols: p.symbols)
    }

    static func at(_ line: Substring) -> Int64? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let text = object["at"] as? String else { return nil }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { RFC3339.parse(UnsafeRawBufferPointer($0))?.micros }
    }

    @Test func eventFiguresDoNotDependOnArrivalOrder() throws {
        let t = TemporaryDirectory()
        let lines = try Self.lines(seed: 21)
        var rng = SeededGenerator(seed: 4)
        let ordered = try Self.replayed(Self.directory(t, "ordered", lines))
        let shuffled = try Self.replayed(Self.directory(t, "shuffled", lines.shuffled(using: &rng)))
        // Buyers (new vs returning as the profile was when the purchase was applied) and identity (merges happen
        // where the linking event arrives) depend on arrival order by definition; every other figure does not.
        let orderFree = { (p: ProfileProjection) in Self.canonical(p).filter { !$0.hasPrefix("buyers") && !$0.hasPrefix("identity") } }
        let figures = orderFree(ordered)
        #expect(figures.contains { $0.hasPrefix("purchases") && $0.contains(" USD ") }, "several currencies")
        #expect(figures.contains { $0.hasPrefix("inquiries") } && figures.contains { $0.hasPrefix("mentions") })
        #expect(figures == orderFree(shuffled))
        #expect(ordered.dashboard.allDays.values.reduce(0) { $0 + $1.merges } > 0, "the cross links merged profiles")
    }

    @Test func snapshotsAndCheckpointsKeepTheFiguresExactly() throws {
        let t = TemporaryDirectory()
        let dir = try Self.directory(t, "data", try Self.lines(seed: 22), parts: 8)
        let (restored, _, _) = try ProjectionLoader.load(dir, asOf: nil)
        let replayed = try Self.replayed(dir)
        #expect(Self.canonical(restored) == Self.canonical(replayed))
        #expect(restored.snapshotSections() == replayed.snapshotSections(), "the snapshot's dashboard section too")
        let range = try DashboardRange(from: nil, to: nil, of: replayed)
        #expect(Dashboard.render(restored, range: range) == Dashboard.render(replayed, range: range))
    }

    /// A flipped byte anywhere in the snapshot's dashboard section (section 6), or the file cut inside it, is
    /// detected: the snapshot is not used (a notice says why) and the view is rebuilt by replay, with the figures of
    /// the replay, never the damaged ones. An intact snapshot is used as it is.
    @Test func aDamagedDashboardSectionIsDetectedAndRebuilt() throws {
        let t = TemporaryDirectory()
        let dir = try Self.directory(t, "data", try Self.lines(seed: 24, events: 2000))
        let settings = try ProjectionSettings.load(dir)
        let replayed = try Self.replayed(dir)
        try ProjectionSnapshot.write(replayed, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        let path = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        let intact = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let section = snapshotSection(6, of: intact)
        #expect(section.upperBound == intact.count && section.count > 100, "the dashboard section ends the file")
        let range = try DashboardRange(from: nil, to: nil, of: replayed)
        let expected = (Self.canonical(replayed), Dashboard.render(replayed, range: range))

        func load(_ bytes: [UInt8]) throws -> (ProfileProjection, notice: String?) {
            // A new file: the checkpoint is a hard link to the one written, and stays as it was.
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            let (view, _, notice) = try ProjectionLoader.load(dir)
            #expect((Self.canonical(view), Dashboard.render(view, range: range)) == expected, "\(notice ?? "intact")")
            return (view, notice)
        }
        #expect(try load(intact).notice == nil)
        var rng = SeededGenerator(seed: 6)
        let positions = [section.lowerBound, section.upperBound - 1] + (0..<6).map { _ in Int.random(in: section, using: &rng) }
        for (k, at) in positions.enumerated() {
            var bad = intact
            bad[at] ^= UInt8(1 << (k % 8))
            let notice = try load(bad).notice
            #expect(notice?.contains("fails its checksum") == true && notice?.hasSuffix("rebuilt by replay") == true,
                    "byte \(at - section.lowerBound) of the section: \(notice ?? "used")")
        }
        for cut in [section.lowerBound + 1, section.lowerBound + section.count / 2, section.upperBound - 1] {
            let notice = try load(Array(intact[..<cut])).notice
            #expect(notice?.contains("truncated or damaged") == true && notice?.hasSuffix("rebuilt by replay") == true,
                    "cut at byte \(cut - section.lowerBound) of the section: \(notice ?? "used")")
        }

        // The same damage in an as-of checkpoint (which carries the section too): it is passed over, and the view
        // as of the newest event is built from offset 0 with the replay's figures.
        let checkpoints = Checkpoints.list(in: dir.snapshotsPath)
        #expect(!checkpoints.isEmpty, "the snapshot was recorded as a checkpoint")
        let asOf = replayed.logClock
        let (restored, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
        #expect(restored.checkpointOffset != nil, "an intact checkpoint serves the as-of view")
        for (_, checkpoint) in checkpoints {
            var bad = [UInt8](try Data(contentsOf: URL(fileURLWithPath: checkpoint)))
            bad[snapshotSection(6, of: bad).lowerBound + 7] ^= 0x10
            try Data(bad).write(to: URL(fileURLWithPath: checkpoint), options: .atomic)
        }
        let (view, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
        #expect(view.checkpointOffset == nil, "no damaged checkpoint is used")
        #expect(Self.canonical(view) == Self.canonical(try Self.replayed(dir, asOf: asOf)))
        #expect(Self.canonical(view) == Self.canonical(restored))
    }

    /// The dashboard as of T (from a checkpoint or offset 0) equals the dashboard of a log holding only the
    /// events with `at` ≤ T, in the same order — but for `range.as_of` and `totals.log_end_offset`.
    @Test func asOfEqualsTheLogOfTheEventsUpToThatTime() throws {
        let t = TemporaryDirectory()
        let lines = try Self.lines(seed: 23)
        let dir = try Self.directory(t, "data", lines, parts: 8)
        let times = lines.compactMap(Self.at)
        var rng = SeededGenerator(seed: 8)
        var fromCheckpoint = 0
        for (k, asOf) in ((0..<4).map { _ in times.randomElement(using: &rng)! } + [times.max()!]).enumerated() {
            let (view, _, _) = try ProjectionLoader.load(dir, asOf: asOf)
            if view.checkpointOffset != nil { fromCheckpoint += 1 }
            let upTo = try Self.replayed(Self.directory(t, "upto\(k)", lines.filter { (Self.at($0) ?? .max) <= asOf }))
            let range = try DashboardRange(from: nil, to: DashboardDate.string(view.config.calendar.day(ofMicros: asOf)), of: upTo)
            func comparable(_ p: ProfileProjection) -> JSONValue {
                guard case .object(var members) = Dashboard.json(p, range: range) else { return .null }
                members.removeAll { $0.key == "range" || $0.key == "totals" }
                return .object(members)
            }
            #expect(comparable(view) == comparable(upTo), "as of \(asOf)")
            #expect(Self.canonical(view) == Self.canonical(upTo))
        }
        #expect(fromCheckpoint >= 1, "some as-of views started from a checkpoint")
    }

    @Test func datesAndWeeks() {
        #expect(DashboardDate.day("1970-01-01") == 0)
        #expect(DashboardDate.day("2026-02-29") == nil && DashboardDate.day("2026-1-01") == nil && DashboardDate.day("") == nil)
        let d = DashboardDate.day("2024-02-29")!
        #expect(DashboardDate.string(d) == "2024-02-29")
        #expect(DashboardDate.week(DashboardDate.day("2026-01-01")!) == "2026-W01")
        #expect(DashboardDate.week(DashboardDate.day("2027-01-01")!) == "2026-W53")
        #expect(DashboardDate.week(DashboardDate.day("2024-12-30")!) == "2025-W01")
        #expect(Dashboard.money(19_990_000) == "19.99" && Dashboard.money(12_345_000_000) == "12345" && Dashboard.money(1) == "0.000001")
    }

    @Test func quintilesTieToTheLowerQuintile() {
        let (q, bounds) = DashboardRFM.quintiles([0, 0, 0, 0, 0, 0, 1, 2, 3, 9])
        #expect(q == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5])
        #expect(bounds == [0, nil, nil, 2])
    }

    /// Each panel's reading follows its fixed rule (docs/console.md "Readings"), in both languages.
    @Test func readingsFollowTheirRules() throws {
        let t = TemporaryDirectory()
        func line(_ n: Int, _ type: String, _ day: String, _ email: String, _ source: String, _ props: String) -> Substring {
            Substring(#"{"id":"e\#(n)","type":"\#(type)","at":"2026-05-\#(day)T10:00:00Z","source":"\#(source)","ids":{"email":"\#(email)"},"props":{\#(props)}}"#)
        }
        let lines = [
            line(1, "purchase", "01", "a@example.jp", "web", #""order_id":"o1","amount":1000,"currency":"JPY""#),
            line(2, "inquiry", "04", "a@example.jp", "zendesk", #""channel":"email","category":"complaint""#),
            line(3, "social_mention", "05", "a@example.jp", "x", #""platform":"x","sentiment":0.5"#),
            line(4, "purchase", "10", "a@example.jp", "web", #""order_id":"o2","amount":500,"currency":"JPY""#),
            line(5, "purchase", "10", "b@example.jp", "store", #""order_id":"o3","amount":2000,"currency":"JPY""#),
            line(6, "inquiry", "11", "b@example.jp", "zendesk", #""channel":"phone","category":"complaint","status":"pending""#),
            line(7, "inquiry", "12", "b@example.jp", "zendesk", #""channel":"phone","category":"complaint""#),
            line(8, "social_mention", "12", "b@example.jp", "x", #""platform":"x","sentiment":-0.25"#),
            line(9, "inquiry", "13", "a@example.jp", "zendesk", #""channel":"chat","category":"question","status":"closed""#),
        ]
        let dir = DataDirectory(t.path + "/data")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let store = try EventStore.open(dir, options: LogOptions(durability: .end))
        _ = try store.ingest(file: t.write("in.ndjson", lines.joined(separator: "\n") + "\n"))
        try store.close()
        let projection = try Self.replayed(dir)
        let range = try DashboardRange(from: "2026-05-01", to: "2026-05-14", of: projection)
        let json = Dashboard.json(projection, range: range)
        func reading(_ panel: String) -> [String] {
            [json[panel]?["reading"]?["en"]?.stringValue ?? "", json[panel]?["reading"]?["ja"]?.stringValue ?? ""]
        }
        #expect(reading("events") == ["Events in the last 7 days: 6 (+100 % on the 7 days before)", "直近7日間のイベントは6件（その前の7日間比 +100%）"])
        #expect(reading("revenue") == ["JPY 3500 from 3 orders; top source store (57 %)", "JPYの売上は3500（注文3件）、最大のソースはstore（57%）"])
        #expect(reading("buyers") == ["Returning buyers: 33 % of 3 buyer-days (1 returning, 2 new)",
                                      "リピート購入者の割合は33%（延べ購入者3、うちリピート1、新規2）"])
        #expect(reading("rfm") == ["2 customers; the largest cell is R1 F1 with 1 (50 %); R5 F5 holds 0",
                                   "対象顧客2人、最多のセルはR1・F1（1人、50%）、R5・F5は0人"])
        #expect(reading("voc") == ["Complaint inquiries opened in 2026-W20: 2 (+100 % on the week before); 3 open at the range's end",
                                   "苦情の問い合わせが2026-W20に2件（前週比 +100%）、期間末の未対応は3件"])
        #expect(reading("social") == ["2 mentions, most on x; mean sentiment -0.25 in 2026-W20 (+0.50 the week before)",
                                      "言及2件（最多はx）、2026-W20の平均センチメントは-0.25（前週 +0.50）"])
        #expect(reading("identity") == ["0 merges, 0 refused merges and 2 new profiles in the range; 2 profiles in all",
                                        "期間中の統合0件、統合拒否0件、新規プロフィール2件（プロフィール総数2）"])
        #expect(json["range"]?["weeks"] == .array([.string("2026-W18"), .string("2026-W19"), .string("2026-W20")]))
        #expect(json["voc"]?["open_at_end"] == .int(3))
    }
}
