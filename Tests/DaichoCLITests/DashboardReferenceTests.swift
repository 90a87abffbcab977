import DaichoHTTP
import DaichoTestSupport
import Foundation
import Testing

/// Every number of the dashboard (docs/console.md "How the figures are checked"): `daicho report --format json`
/// and `GET /v1/dashboard` of a `daicho serve` of the same directory against a plain recomputation from `daicho
/// export` and `daicho profiles` (DashboardReference), on seeded logs with late events, merges, refused merges,
/// several currencies and business time zones other than Tokyo's; for the default range, a range inside the log
/// and as of a time.
@Suite(.serialized) struct DashboardReferenceTests {
    /// A data directory of a generated workload (late events, JPY, USD and EUR purchases) with a `link` after every
    /// 40th line joining its identifiers with those of the line 7 on (merges; refused ones under tight limits),
    /// appended in three parts (snapshots, checkpoints and a tail to apply).
    static func workload(_ t: TemporaryDirectory, _ name: String, seed: Int, settings: String, identity: String? = nil) throws -> String {
        let d = t.path + "/" + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try Data(settings.utf8).write(to: URL(fileURLWithPath: d + "/daicho.json"))
        if let identity { try Data(identity.utf8).write(to: URL(fileURLWithPath: d + "/identity.json")) }
        let file = t.path + "/\(name).ndjson"
        let generated = try daicho(["generate", "--events", "3000", "--customers", "250", "--seed", "\(seed)", "--late-rate", "0.1", "--out", file])
        #expect(generated.status == 0, "\(generated.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            out.append(String(line))
            guard i % 40 == 0, i + 7 < lines.count,
                  let a = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let b = try JSONSerialization.jsonObject(with: Data(lines[i + 7].utf8)) as? [String: Any],
                  let idsA = a["ids"] as? [String: Any], let idsB = b["ids"] as? [String: Any] else { continue }
            let link: [String: Any] = ["id": "link-\(i)", "type": "link", "at": a["at"]!, "ids": idsA.merging(idsB) { x, _ in x }]
            out.append(String(decoding: try JSONSerialization.data(withJSONObject: link, options: [.sortedKeys]), as: UTF8.self))
        }
        let per = out.count / 3 + 1
        for part in 0..<3 {
            let chunk = out[min(out.count, part * per)..<min(out.count, (part + 1) * per)]
            let r = try daicho(["append", "--data", d, t.write("\(name)-\(part).ndjson", chunk.joined(separator: "\n") + "\n")])
            #expect(r.status <= 1, "\(r.stderr)")
        }
        return d
    }

    static func reference(_ d: String, zone: String, rfmCurrency: String = "JPY") throws -> DashboardReference {
        let export = try daicho(["export", "--data", d, "--resolve", "--normalized-ids"])
        let profiles = try daicho(["profiles", "--data", d])
        #expect(export.status == 0 && profiles.status == 0)
        return DashboardReference(export: export.stdout, profiles: profiles.stdout, zone: TimeZone(identifier: zone)!,
                                  rfmCurrency: rfmCurrency)
    }

    /// The dashboard object without its readings (each checked to be a ja and an en sentence) and `range.as_of`.
    static func numbers(_ json: String) throws -> [String: Any] {
        func strip(_ v: Any) -> Any {
            if let o = v as? [String: Any] {
                var out: [String: Any] = [:]
                for (k, x) in o where k != "as_of" {
                    if k == "reading" {
                        let r = x as? [String: String] ?? [:]
                        #expect(!(r["ja"] ?? "").isEmpty && !(r["en"] ?? "").isEmpty, "a reading in both languages")
                        continue
                    }
                    out[k] = strip(x)
                }
                return out
            }
            if let a = v as? [Any] { return a.map(strip) }
            return v
        }
        return try #require(strip(try JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])
    }

    /// Where `actual` first differs from `expected` (a path and both values), nil when equal. Numbers compare
    /// by value (doubles exactly: both sides divide the same integers).
    static func difference(_ actual: Any?, _ expected: Any?, at path: String = "") -> String? {
        switch (actual, expected) {
        case (let a as [String: Any], let e as [String: Any]):
            if Set(a.keys) != Set(e.keys) { return "\(path): keys \(a.keys.sorted()) ≠ \(e.keys.sorted())" }
            for k in e.keys.sorted() { if let d = difference(a[k], e[k], at: path + "." + k) { return d } }
            return nil
        case (let a as [Any], let e as [Any]):
            if a.count != e.count { return "\(path): \(a.count) entries ≠ \(e.count)" }
            for i in a.indices { if let d = difference(a[i], e[i], at: path + "[\(i)]") { return d } }
            return nil
        case (let a as String, let e as String): return a == e ? nil : "\(path): \(a) ≠ \(e)"
        case (is NSNull, is NSNull): return nil
        case (let a as NSNumber, let e as NSNumber):
            // Foundation's JSON parser may read a double one unit in the last place off: 1e-12 apart is equal.
            return abs(a.doubleValue - e.doubleValue) <= 1e-12 * max(1, abs(e.doubleValue)) ? nil : "\(path): \(a) ≠ \(e)"
        default: return "\(path): \(String(describing: actual)) ≠ \(String(describing: expected))"
        }
    }

    /// Compares the whole object, naming the first place that differs. When the profiles do not list every refused
    /// merge (`listedRefusals` false: a merge drops the absorbed profile's list), the refused merges per day are
    /// checked to hold at least the listed ones, and their total left to the caller.
    static func expectEqual(_ actual: [String: Any], _ expected: [String: Any], _ what: String, listedRefusals: Bool = true) {
        var actual = actual, expected = expected
        if !listedRefusals {
            let listed = (expected["identity"] as? [String: Any])?["refused_per_day"] as? [Int] ?? []
            let counted = (actual["identity"] as? [String: Any])?["refused_per_day"] as? [Int] ?? []
            #expect(listed.count == counted.count && zip(counted, listed).allSatisfy { $0 >= $1 }, "\(what): refused merges per day")
            for key in ["refused_per_day", "refused"] {
                actual["identity"] = (actual["identity"] as? [String: Any])?.filter { $0.key != key }
                expected["identity"] = (expected["identity"] as? [String: Any])?.filter { $0.key != key }
            }
        }
        let d = difference(actual, expected)
        #expect(d == nil, "\(what): \(d ?? "")")
    }

    @Test func everyPanelMatchesThePlainReferenceInTheReportAndTheServer() throws {
        let t = TemporaryDirectory()
        let zone = "America/Los_Angeles"
        let d = try Self.workload(t, "la", seed: 31, settings: #"{"business_time_zone": "\#(zone)", "snapshot_min_events": 500}"#)
        let reference = try Self.reference(d, zone: zone)
        let logEnd = reference.events.count
        #expect(reference.events.contains { $0.type == "purchase" && $0.props["currency"] as? String == "USD" })

        let report = try daicho(["report", "--data", d, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let actual = try Self.numbers(report.stdout)
        let range = try #require(actual["range"] as? [String: Any])
        let to = try #require(range["to"] as? String), from = try #require(range["from"] as? String)
        #expect(to == reference.events.map(\.day).max(), "the default range ends on the day of the newest event")
        #expect((range["days"] as? [String])?.count == 365)
        Self.expectEqual(actual, reference.dashboard(from: from, to: to, logEnd: logEnd), "default range", listedRefusals: reference.refusedListed)
        let identity = try #require(actual["identity"] as? [String: Any])
        #expect((identity["merges"] as? Int ?? 0) > 0, "the links merged profiles")
        try Self.expectDrawn(d, reference.dashboard(from: from, to: to, logEnd: logEnd))
        let inner = ["--from", "2026-03-08", "--to", "2026-04-20"] // across the US change to daylight saving time
        let part = try daicho(["report", "--data", d, "--format", "json", "--lang", "en"] + inner)
        #expect(part.status == 0, "\(part.stderr)")
        Self.expectEqual(try Self.numbers(part.stdout), reference.dashboard(from: "2026-03-08", to: "2026-04-20", logEnd: logEnd), "2026-03-08…2026-04-20",
                         listedRefusals: reference.refusedListed)

        // The server answers the same bytes (the CLI adds a newline), and each RFM cell's customers page by page.
        let s = try ServeCommandTests.Serving(d)
        defer { _ = s.terminate() }
        let token = try s.keys(d).read
        let whole = try s.get("/v1/dashboard", token: token)
        #expect(whole.status == 200 && whole.body + [0x0A] == Array(report.stdout.utf8))
        let ranged = try s.get("/v1/dashboard?from=2026-03-08&to=2026-04-20", token: token)
        #expect(ranged.status == 200 && ranged.body + [0x0A] == Array(part.stdout.utf8))
        let rfm = try #require((actual["rfm"] as? [String: Any])?["cells"] as? [[String: Any]])
        var seen: Set<String> = []
        for cell in rfm {
            var ids: [String] = [], cursor: String?
            repeat {
                let page = try s.get("/v1/dashboard/rfm?r=\(cell["r"]!)&f=\(cell["f"]!)&limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                let o = try #require(try JSONSerialization.jsonObject(with: Data(page.body)) as? [String: Any])
                ids += o["profiles"] as? [String] ?? []
                cursor = o["next_cursor"] as? String
            } while cursor != nil
            #expect(ids.count == cell["customers"] as? Int && ids == ids.sorted() && seen.isDisjoint(with: ids))
            seen.formUnion(ids)
        }
        #expect(seen.count == (actual["rfm"] as? [String: Any])?["customers"] as? Int)
        #expect(try s.get("/v1/dashboard?from=2026-02-30", token: token).status == 400)
        #expect(String(decoding: try s.get("/v1/dashboard?from=2026-05-01&to=2026-04-01", token: token).body, as: UTF8.self).contains("from"))
        #expect(try s.get("/v1/dashboard/rfm?r=6&f=1", token: token).status == 400)
        #expect(try s.get("/v1/dashboard", token: "wrong").status == 401)

        // Read after write: an event the server acknowledged is counted by the next dashboard.
        let ack = try s.post(#"{"batch":[{"type":"track","messageId":"dash-1","userId":"U-dash","event":"Clicked","timestamp":"\#(to)T12:00:00-08:00"}]}"#,
                             key: try s.keys(d).write)
        #expect(ack.status == 200)
        let after = try #require(try JSONSerialization.jsonObject(with: Data(try s.get("/v1/dashboard", token: token).body)) as? [String: Any])
        let totals = try #require(actual["totals"] as? [String: Any]), totalsAfter = try #require(after["totals"] as? [String: Any])
        #expect(totalsAfter["events"] as? Int == (totals["events"] as? Int ?? 0) + 1)
        #expect(totalsAfter["events_in_range"] as? Int == (totals["events_in_range"] as? Int ?? 0) + 1)
        #expect(totalsAfter["profiles"] as? Int == (totals["profiles"] as? Int ?? 0) + 1)
    }

    @Test func refusedMergesAndAsOfMatchTheReference() throws {
        let t = TemporaryDirectory()
        let zone = "Europe/Berlin"
        let d = try Self.workload(t, "berlin", seed: 32, settings: #"{"business_time_zone": "\#(zone)", "rfm_currency": "EUR", "checkpoint_every": 500}"#,
                                  identity: #"{"limits": {"email": 1, "phone": 1}}"#)
        let reference = try Self.reference(d, zone: zone, rfmCurrency: "EUR")
        let report = try daicho(["report", "--data", d, "--format", "json"])
        let actual = try Self.numbers(report.stdout)
        let range = try #require(actual["range"] as? [String: Any])
        let counted = (actual["identity"] as? [String: Any])?["refused_per_day"] as? [Int] ?? []
        #expect(counted.reduce(0, +) == reference.refusedTotal, "every refused merge of the log is in the default range")
        Self.expectEqual(actual, reference.dashboard(from: range["from"] as! String, to: range["to"] as! String, logEnd: reference.events.count),
                         "tight limits", listedRefusals: reference.refusedListed)
        #expect(((actual["identity"] as? [String: Any])?["refused"] as? Int ?? 0) > 0, "the limits refused merges")

        // As of a time: the events up to it, appended to a directory of their own, are the reference.
        let asOf = "2026-08-15"
        let upTo = try daicho(["export", "--data", d, "--until", asOf])
        let d2 = t.path + "/upto"
        try FileManager.default.createDirectory(atPath: d2, withIntermediateDirectories: true)
        for file in ["daicho.json", "identity.json"] { try FileManager.default.copyItem(atPath: d + "/" + file, toPath: d2 + "/" + file) }
        #expect(try daicho(["append", "--data", d2, t.write("upto.ndjson", upTo.stdout)]).status == 0)
        let asOfReference = try Self.reference(d2, zone: zone, rfmCurrency: "EUR")
        let asOfReport = try daicho(["report", "--data", d, "--format", "json", "--as-of", asOf, "--from", "2026-06-01"])
        #expect(asOfReport.status == 0, "\(asOfReport.stderr)")
        let asOfActual = try Self.numbers(asOfReport.stdout)
        #expect((asOfActual["range"] as? [String: Any])?["to"] as? String == asOfReference.events.map(\.day).max())
        Self.expectEqual(asOfActual, asOfReference.dashboard(from: "2026-06-01", to: (asOfActual["range"] as? [String: Any])?["to"] as? String ?? "",
                                                             logEnd: reference.events.count), "as of \(asOf)",
                         listedRefusals: asOfReference.refusedListed)
        #expect(asOfReport.stdout.contains(#""as_of":"2026-08-15T21:59:59.999999Z""#), "the end of the day in Berlin")

        let s = try ServeCommandTests.Serving(d)
        defer { _ = s.terminate() }
        let served = try s.get("/v1/dashboard?as_of=\(asOf)&from=2026-06-01", token: try s.keys(d).read)
        #expect(served.status == 200 && served.body + [0x0A] == Array(asOfReport.stdout.utf8))
    }

    /// The numbers the HTML report draws (docs/console.md "Report": `data-values` of each series, the RFM cells'
    /// attributes) are the reference's, in both languages.
    static func expectDrawn(_ d: String, _ expected: [String: Any]) throws {
        func strings(_ values: Any?) -> [String] {
            (values as? [Any] ?? []).map { v in v is NSNull ? "null" : "\(v)" }
        }
        #expect(((expected["events"] as? [String: Any])?["types"] as? [Any])?.count ?? 0 > 3 &&
                ((expected["rfm"] as? [String: Any])?["cells"] as? [Any])?.count == 25, "a reference with figures to draw")
        for lang in ["ja", "en"] {
            let html = try daicho(["report", "--data", d, "--lang", lang])
            #expect(html.status == 0, "\(html.stderr)")
            let document = try MarkupDocument(html.stdout)
            let drawn = document.drawnSeries()
            for type in (expected["events"] as? [String: Any])?["types"] as? [[String: Any]] ?? [] {
                #expect(drawn["events|\(type["type"]!)|"] == strings(type["per_day"]), "\(lang): events of \(type["type"]!) drawn")
            }
            for currency in (expected["revenue"] as? [String: Any])?["currencies"] as? [[String: Any]] ?? [] {
                #expect(drawn["revenue|\(currency["currency"]!)|"] == strings(currency["per_day"]), "\(lang): revenue in \(currency["currency"]!) drawn")
            }
            let buyers = expected["buyers"] as? [String: Any] ?? [:]
            #expect(drawn["buyers|new|"] == strings(buyers["new_per_day"]) && drawn["buyers|returning|"] == strings(buyers["returning_per_day"]),
                    "\(lang): new and returning buyers drawn")
            let identity = expected["identity"] as? [String: Any] ?? [:]
            #expect(drawn["identity|merges|"] == strings(identity["merges_per_day"]), "\(lang): merges drawn")
            let cells = document.elements(with: "data-customers").map(\.element)
                .map { "\($0.attributes["data-r"]!)/\($0.attributes["data-f"]!): \($0.attributes["data-customers"]!) \($0.attributes["data-revenue"]!)" }
            let expectedCells = ((expected["rfm"] as? [String: Any])?["cells"] as? [[String: Any]] ?? [])
                .map { "\($0["r"]!)/\($0["f"]!): \($0["customers"]!) \($0["revenue"]!)" }
            #expect(cells.sorted() == expectedCells.sorted(), "\(lang): the RFM cells drawn")
            #expect(!html.stdout.contains("<script"), "\(lang): no script")
        }
    }

    /// Heavy buyers (docs/console.md "buyers"): two customers with hundreds of purchases over hundreds of business
    /// days, late and out of order, some order ids sent again at other times (moving the order to another day) and
    /// some shared by both, merged by a link midway; a light buyer beside them. The new and returning buyers, like
    /// every other figure, are the plain reference's (profiles of more than `OrderDays.scanLimit`, 128, orders keep
    /// their order days instead of scanning their orders, rebuilt after the snapshot load of each append: both
    /// buyers pass 128 orders before the link).
    @Test func heavyBuyersMatchTheReference() throws {
        let t = TemporaryDirectory()
        let d = t.path + "/heavy"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try Data(#"{"business_time_zone": "America/New_York", "snapshot_min_events": 50}"#.utf8)
            .write(to: URL(fileURLWithPath: d + "/daicho.json"))
        var rng = SeededGenerator(seed: 77)
        let start = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
        let formatter = ISO8601DateFormatter()
        var orders: [String: [String]] = ["A": [], "B": [], "C": []]
        func purchase(_ n: Int, _ buyer: String, ids: String) -> (at: Date, line: String) {
            let at = start.addingTimeInterval(Double(Int.random(in: 0..<300 * 86_400, using: &rng)))
            var order = "o-\(buyer)-\(n)"
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll == 0, let again = orders[buyer]!.randomElement(using: &rng) { order = again } // sent again
            else if roll == 1, let other = orders[buyer == "A" ? "B" : "A"]!.randomElement(using: &rng) { order = other } // shared
            else { orders[buyer]!.append(order) }
            let currency = Int.random(in: 0..<5, using: &rng) == 0 ? "USD" : "JPY"
            return (at, #"{"id":"p-\#(n)","type":"purchase","at":"\#(formatter.string(from: at))","ids":\#(ids),"props":{"order_id":"\#(order)","amount":\#(Int.random(in: 1...90, using: &rng) * 100),"currency":"\#(currency)"}}"#)
        }
        let idsA = #"{"email":"heavy-a@example.jp"}"#, idsB = #"{"user_id":"U-heavy-b"}"#, idsC = #"{"email":"light-c@example.jp"}"#
        var events: [(at: Date, line: String)] = []
        for n in 0..<1100 {
            let buyer = n % 23 == 0 ? "C" : n % 2 == 0 ? "A" : "B"
            events.append(purchase(n, buyer, ids: buyer == "A" ? idsA : buyer == "B" ? idsB : idsC))
            if n == 550 { // the link: A and B are one customer from here on
                events.append((start.addingTimeInterval(150 * 86_400), #"{"id":"link-ab","type":"link","at":"2026-05-31T12:00:00Z","ids":{"email":"heavy-a@example.jp","user_id":"U-heavy-b"}}"#))
            }
        }
        // Mostly in time order within each half, one in six late (moved up to 60 places later in the log).
        var lines: [String] = []
        for half in [events[..<551], events[551...]] {
            var ordered = half.sorted { $0.at < $1.at }.map(\.line)
            for i in stride(from: ordered.count - 1, through: 0, by: -1) where Int.random(in: 0..<6, using: &rng) == 0 {
                ordered.insert(ordered.remove(at: i), at: min(ordered.count, i + Int.random(in: 1...60, using: &rng)))
            }
            lines += ordered
        }
        let per = lines.count / 3 + 1
        for part in 0..<3 {
            let chunk = lines[min(lines.count, part * per)..<min(lines.count, (part + 1) * per)]
            let r = try daicho(["append", "--data", d, t.write("heavy-\(part).ndjson", chunk.joined(separator: "\n") + "\n")])
            #expect(r.status == 0, "\(r.stderr)")
        }

        let reference = try Self.reference(d, zone: "America/New_York")
        let heavy = reference.profiles.map { (($0["commerce"] as? [String: Any])?["orders"] as? Int) ?? 0 }.max() ?? 0
        #expect(reference.profiles.count == 2 && heavy > 400, "one merged heavy buyer (\(heavy) orders) and a light one")
        let report = try daicho(["report", "--data", d, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let actual = try Self.numbers(report.stdout)
        let range = try #require(actual["range"] as? [String: Any])
        let expected = reference.dashboard(from: range["from"] as! String, to: range["to"] as! String, logEnd: reference.events.count)
        let buyers = try #require(expected["buyers"] as? [String: Any])
        #expect((buyers["new"] as? Int ?? 0) >= 2 && (buyers["returning"] as? Int ?? 0) > 200, "\(buyers)")
        Self.expectEqual(actual, expected, "heavy buyers")
    }

    /// The options are checked before anything is read; the report is HTML unless `--format json` is asked for.
    @Test func reportOptionsAreCheckedAndNamed() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z")])
        let html = try daicho(["report", "--data", d])
        #expect(html.status == 0 && html.stdout.lowercased().hasPrefix("<!doctype html") && html.stdout.contains("1,000"), "\(html.stderr)")
        let pdf = try daicho(["report", "--data", d, "--format", "pdf"])
        #expect(pdf.status == 2 && pdf.stderr.contains("--format: \"pdf\" is not html or json"), "\(pdf.stderr)")
        for (args, message) in [(["--lang", "fr"], "--lang: \"fr\" is not ja or en"),
                                 (["--from", "2026-05-02", "--to", "2026-05-01"], "--from: the range starts after it ends"),
                                 (["--to", "2026-5-1"], "--to: expected a date YYYY-MM-DD"), (["--as-of", "soon"], "--as-of: \"soon\"")] {
            let r = try daicho(["report", "--data", d, "--format", "json"] + args)
            #expect(r.status == 2 && r.stderr.contains(message) && r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
        let out = t.path + "/dashboard.json"
        let written = try daicho(["report", "--data", d, "--format", "json", "--to", "2026-05-01", "--from", "2026-05-01", "--out", out])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect(written.status == 0 && written.stdout.isEmpty)
        let revenue = try #require(json["revenue"] as? [String: Any])
        #expect((revenue["currencies"] as? [[String: Any]])?.first?["total"] as? String == "1000")
        #expect((json["buyers"] as? [String: Any])?["new"] as? Int == 1)
        #expect((json["range"] as? [String: Any])?["time_zone"] as? String == "UTC")
    }
}
