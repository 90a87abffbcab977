import DaichoWorkload
import Foundation
import Testing

@Suite("Workload generator")
struct WorkloadGeneratorTests {
    static let eventTypes: Set<String> = [
        "page_view", "purchase", "inquiry", "social_mention", "identify", "link", "track",
    ]
    static let idKinds: Set<String> = [
        "user_id", "email", "phone", "anonymous_id", "device_id", "x", "instagram", "line", "youtube",
        "facebook", "tiktok",
    ]

    /// All lines of a workload, newline stripped, and the generator's stats.
    static func generate(_ config: WorkloadConfig) -> (lines: [[UInt8]], stats: WorkloadStats, bytes: [UInt8]) {
        var generator = WorkloadGenerator(config)
        var all: [UInt8] = []
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        while generator.nextLine(into: &line) {
            all.append(contentsOf: line)
            line.removeLast()
            lines.append(line)
            line.removeAll(keepingCapacity: true)
        }
        return (lines, generator.stats, all)
    }

    @Test func sameSeedGivesIdenticalBytes() {
        let config = WorkloadConfig(events: 5_000, customers: 500, seed: 11)
        let a = Self.generate(config)
        let b = Self.generate(config)
        #expect(a.bytes == b.bytes)
        #expect(a.stats == b.stats)
    }

    @Test func differentSeedGivesDifferentBytes() {
        let a = Self.generate(WorkloadConfig(events: 2_000, customers: 200, seed: 11))
        let b = Self.generate(WorkloadConfig(events: 2_000, customers: 200, seed: 12))
        #expect(a.bytes != b.bytes)
        #expect(Set(a.lines.compactMap(Self.eventID)).isDisjoint(with: Set(b.lines.compactMap(Self.eventID))))
    }

    @Test func stopsAfterTheConfiguredNumberOfLines() {
        var generator = WorkloadGenerator(WorkloadConfig(events: 3, customers: 1, seed: 1))
        var out: [UInt8] = []
        var produced = 0
        while generator.nextLine(into: &out) { produced += 1 }
        #expect(produced == 3)
        let count = out.count
        let more = generator.nextLine(into: &out)
        #expect(!more)
        #expect(out.count == count)
        #expect(out.filter { $0 == UInt8(ascii: "\n") }.count == 3)
        #expect(generator.stats.lines == 3 && generator.stats.bytes == count)

        var empty = WorkloadGenerator(WorkloadConfig(events: 0, customers: 10, seed: 1))
        let any = empty.nextLine(into: &out)
        #expect(!any)
    }

    @Test func fileMatchesTheLineStream() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("daicho-workload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = WorkloadConfig(events: 7_000, customers: 700, seed: 3)
        let path = dir.appendingPathComponent("w.ndjson").path
        let stats = try WorkloadGenerator.write(config, toPath: path)
        let expected = Self.generate(config)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(written) == expected.bytes)
        #expect(stats == expected.stats)
        #expect(stats.bytes == written.count)
    }

    @Test func writingIntoAMissingDirectoryThrows() {
        #expect(throws: WorkloadWriteError.self) {
            try WorkloadGenerator.write(
                WorkloadConfig(events: 10, customers: 1, seed: 1), toPath: "/nonexistent-daicho-dir/w.ndjson")
        }
    }

    /// `minimumPerFault`: how many lines of each of the four faults (broken JSON, unknown type, missing ids, bad
    /// time) the rate must produce at least.
    @Test(arguments: [(UInt64(5), 0.0005, 0), (UInt64(6), 0.05, 1)])
    func everyLineIsValidExceptTheCountedBadOnes(seed: UInt64, badLineRate: Double, minimumPerFault: Int) {
        let config = WorkloadConfig(events: 20_000, customers: 2_000, seed: seed, badLineRate: badLineRate)
        let (lines, stats, _) = Self.generate(config)
        var failures: [String: Int] = [:]
        for line in lines {
            if let reason = EnvelopeCheck.problem(in: line) { failures[reason, default: 0] += 1 }
        }
        #expect(failures.values.reduce(0, +) == stats.bad, "\(failures)")
        #expect(stats.bad > 0)
        for fault in ["json", "type", "ids", "at"] { #expect(failures[fault, default: 0] >= minimumPerFault, "\(fault): \(failures)") }
    }

    @Test func ratesAndSizesAreWithinTolerance() {
        let (lines, stats, bytes) = Self.generate(WorkloadConfig(events: 20_000, customers: 2_000, seed: 9))
        #expect(stats.lines == 20_000 && lines.count == 20_000)
        #expect(stats.bytes == bytes.count)
        #expect((140...260).contains(stats.duplicates), "duplicates \(stats.duplicates)")
        #expect((320...480).contains(stats.late), "late \(stats.late)")
        #expect((0...30).contains(stats.bad), "bad \(stats.bad)")
        let average = stats.bytes / stats.lines
        #expect((250...400).contains(average), "average line \(average) bytes")
    }

    @Test func duplicatesAreExactCopiesOfAnEarlierLine() {
        let (lines, stats, _) = Self.generate(WorkloadConfig(events: 20_000, customers: 2_000, seed: 21))
        var firstByID: [String: [UInt8]] = [:]
        var copies = 0
        for line in lines {
            guard let id = Self.eventID(line) else { continue }
            if let first = firstByID[id] {
                #expect(first == line, "line re-using \(id) differs from the first")
                copies += 1
            } else {
                firstByID[id] = line
            }
        }
        #expect(copies == stats.duplicates && copies > 0, "copies \(copies), duplicates \(stats.duplicates)")
    }

    @Test func lateEventsAreBehindEveryEarlierEventAndTheRestAdvance() throws {
        let config = WorkloadConfig(events: 20_000, customers: 2_000, seed: 33)
        let (lines, stats, _) = Self.generate(config)
        var seen: Set<String> = []
        var latest = Int64.min
        var first: Int64?
        var late = 0
        for line in lines where EnvelopeCheck.problem(in: line) == nil {
            let object = try #require(EnvelopeCheck.object(line))
            guard seen.insert(object["id"] as! String).inserted else { continue }
            let at = try #require(RFC3339.micros(object["at"] as! String))
            if at < latest { late += 1 } else { latest = at }
            if first == nil && late == 0 { first = at }
        }
        #expect(late == stats.late && late > 0, "late \(late), counted \(stats.late)")
        let start = try #require(first)
        #expect(abs(start - config.start) < 86_400_000_000)
        let year: Int64 = 365 * 86_400_000_000
        #expect(abs(latest - start - year) < year / 20, "span \(Double(latest - start) / 86_400e6) days")
        #expect(latest < config.start + year, "no event time at or after the end (daicho generate --end)")
        #expect(config.start + year - latest < year / 1000, "the data runs up to its end")
    }

    @Test func identifiersCarryRealWorldNoise() throws {
        let (lines, _, _) = Self.generate(WorkloadConfig(events: 20_000, customers: 2_000, seed: 44))
        var phones: [String] = []
        var emails: [String] = []
        var usersByDevice: [String: Set<String>] = [:]
        var eventsByUser: [String: Int] = [:]
        for line in lines {
            guard EnvelopeCheck.problem(in: line) == nil, let object = EnvelopeCheck.object(line),
                let ids = object["ids"] as? [String: String]
            else { continue }
            if let phone = ids["phone"] { phones.append(phone) }
            if let email = ids["email"] { emails.append(email) }
            if let user = ids["user_id"] {
                eventsByUser[user, default: 0] += 1
                if let device = ids["device_id"] { usersByDevice[device, default: []].insert(user) }
            }
        }
        #expect(phones.contains { $0.hasPrefix("0") && $0.contains("-") })
        #expect(phones.contains { $0.hasPrefix("0") && $0.allSatisfy(\.isASCII) && !$0.contains("-") })
        #expect(phones.contains { $0.hasPrefix("+81 ") })
        #expect(phones.contains { $0.hasPrefix("０") && $0.contains("－") })
        #expect(emails.contains { $0 != $0.lowercased() })
        #expect(emails.contains { $0 != $0.trimmingCharacters(in: .whitespaces) })
        #expect(usersByDevice.values.contains { $0.count == 2 }, "a family device shared by two customers")
        let counts = eventsByUser.values.sorted()
        let median = counts[counts.count / 2]
        #expect(counts.last! >= 20 * median, "heavy tail: max \(counts.last!) median \(median)")
        #expect(median <= 5)
    }

    static func eventID(_ line: [UInt8]) -> String? {
        EnvelopeCheck.object(line)?["id"] as? String
    }
}

/// The ingest's envelope rules, checked independently with Foundation.
enum EnvelopeCheck {
    static func object(_ line: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
    }

    /// The first rule `line` breaks ("json", "fields", "id", "type", "at", "source", "ids", "props"), or nil.
    static func problem(in line: [UInt8]) -> String? {
        guard let event = object(line) else { return "json" }
        guard Set(event.keys) == ["id", "type", "at", "source", "ids", "props"] else { return "fields" }
        guard let id = event["id"] as? String, !id.isEmpty else { return "id" }
        guard let type = event["type"] as? String, WorkloadGeneratorTests.eventTypes.contains(type) else {
            return "type"
        }
        guard let at = event["at"] as? String, RFC3339.micros(at) != nil else { return "at" }
        guard let source = event["source"] as? String, !source.isEmpty else { return "source" }
        guard let ids = event["ids"] as? [String: Any], !ids.isEmpty,
            ids.allSatisfy({ WorkloadGeneratorTests.idKinds.contains($0.key) && !(($0.value as? String) ?? "").isEmpty })
        else { return "ids" }
        guard let props = event["props"] as? [String: Any] else { return "props" }
        let valid: Bool
        switch type {
        case "page_view":
            valid = ["url", "path", "title", "referrer", "action"].allSatisfy { props[$0] is String }
                && isInteger(props["dwell_ms"])
        case "purchase":
            let items = props["items"] as? [[String: Any]] ?? []
            valid = !((props["order_id"] as? String) ?? "").isEmpty
                && number(props["amount"]).map { $0 >= 0 } == true
                && (props["currency"] as? String).map { $0.count == 3 && $0.allSatisfy { ("A"..."Z").contains($0) } } == true
                && !items.isEmpty
                && items.allSatisfy { item in
                    item["sku"] is String && isInteger(item["qty"]) && number(item["qty"])! >= 1
                        && number(item["price"]).map { $0 >= 0 } == true
                }
        case "inquiry":
            valid = ["email", "phone", "chat", "form"].contains(props["channel"] as? String ?? "")
                && ["complaint", "question", "request", "opinion"].contains(props["category"] as? String ?? "")
                && props["text"] is String
                && ["open", "pending", "resolved", "closed"].contains(props["status"] as? String ?? "")
        case "social_mention":
            valid = !((props["platform"] as? String) ?? "").isEmpty && props["text"] is String
                && number(props["sentiment"]).map { (-1...1).contains($0) } == true
                && isInteger(props["reach"]) && number(props["reach"])! >= 0
        case "identify":
            let traits = props["traits"] as? [String: Any]
            valid = traits?["name"] is String && traits?["prefecture"] is String
        case "link":
            valid = ids.count >= 2
        default:  // track
            valid = !((props["event"] as? String) ?? "").isEmpty
        }
        return valid ? nil : "props"
    }

    static func number(_ value: Any?) -> Double? {
        // JSON booleans also bridge to NSNumber; they have the C type "c".
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        return n.doubleValue
    }

    static func isInteger(_ value: Any?) -> Bool {
        number(value).map { $0 == $0.rounded() } ?? false
    }
}

/// A strict RFC 3339 date-time reader for the test.
enum RFC3339 {
    /// Microseconds since the Unix epoch, or nil when `text` is not an RFC 3339 date-time.
    static func micros(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard (48...57).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45,
            let day = digits(8, 2), b[10] == 84 || b[10] == 116, let hour = digits(11, 2), b[13] == 58,
            let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2)
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var scale: Int64 = 100_000
            let start = i
            while i < b.count, (48...57).contains(b[i]) {
                fraction += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = digits(i + 1, 2), b[i + 3] == 58,
                let om = digits(i + 4, 2), oh < 24, om < 60
            else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == 43 ? 1 : -1)
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        // days_from_civil (Howard Hinnant)
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return seconds * 1_000_000 + fraction
    }
}
