import Foundation
import Testing

/// Issue 8 through the CLI: numbers are exact or refused, the future is refused, and `append` says what it
/// rejected (docs/ingest.md "Numbers", "Time", "Reasons").
@Suite struct AppendTrustTests {
    static func track(_ id: String, props: String, at: String = "2026-05-01T10:00:00+09:00") -> String {
        #"{"id":"\#(id)","type":"track","at":"\#(at)","ids":{"user_id":"u-1"},"props":{"event":"E",\#(props)}}"#
    }

    static func purchase(_ id: String, amount: String, day: Int = 1, user: String = "buyer") -> String {
        #"{"id":"\#(id)","type":"purchase","at":"2026-05-0\#(day)T10:00:00+09:00","ids":{"user_id":"\#(user)"},"props":{"order_id":"\#(id)","amount":\#(amount),"currency":"JPY"}}"#
    }

    @Test func exportThenAppendReproducesEveryEventWithExtremeButValidNumbers() throws {
        let t = TemporaryDirectory()
        let literals = ["1e308", "5e-324", "-0", "-0.0", "123456789012345678901234567890", "1.7976931348623157e308",
                        "-1.7976931348623157e308", "2.2250738585072014e-308", "9007199254740993", "-9223372036854775808",
                        "9223372036854775808", "0.1", "1e-300", "4.9406564584124654e-324"]
        var lines = literals.enumerated().map { Self.track("n\($0.offset)", props: #""v":\#($0.element),"list":[\#($0.element)]"#) }
        lines.append(Self.purchase("p-max", amount: "1e12"))
        lines.append(Self.purchase("p-min", amount: "5e-324"))
        let file = t.write("in.ndjson", lines.joined(separator: "\n") + "\n")
        let first = try daicho(["append", "--data", t.path + "/a", file])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json["appended"] as? Int == lines.count)
        let exported = try daicho(["export", "--data", t.path + "/a"])
        #expect(exported.stdout.split(separator: "\n").count == lines.count)
        #expect(!exported.stdout.contains("null"))
        let again = try daicho(["append", "--data", t.path + "/b"], stdin: Data(exported.stdout.utf8))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json["appended"] as? Int == lines.count)
        #expect(try daicho(["export", "--data", t.path + "/b"]).stdout == exported.stdout)
    }

    @Test("out-of-range numbers are rejected with a reason, never stored as null or 0", arguments: [
        (#""amount":1e400"#, #""props.amount": expected a number in [0, 1000000000000]"#),
        (#""x":-1e400"#, #""props.x": number beyond the range of a 64-bit float"#),
        (#""x":{"y":0.1e99999999999999999999}"#, #""props.x.y": number beyond the range of a 64-bit float"#),
        (#""x":1e-400"#, #""props.x": nonzero number closer to 0 than the smallest 64-bit float"#),
    ])
    func anOutOfRangeNumberIsRejectedNotStoredAsNullOrZero(_ props: String, _ reason: String) throws {
        let t = TemporaryDirectory()
        let line = props.hasPrefix(#""amount""#)
            ? #"{"id":"bad","type":"purchase","at":"2026-05-01T10:00:00+09:00","ids":{"user_id":"u"},"props":{"order_id":"o",\#(props),"currency":"JPY"}}"#
            : Self.track("bad", props: props)
        let file = t.write("in.ndjson", line + "\n" + eventLine("good") + "\n")
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 1)
        #expect(r.json["rejected"] as? Int == 1)
        #expect(r.stderr.contains("daicho append: rejected \(file):1: \(reason)"), "\(r.stderr)")
        #expect(try exportedIDs(data: t.path + "/d") == ["good"])
    }

    @Test func revenueOfMaximumPurchasesIsExactNotCappedAt2305843009213() throws {
        let t = TemporaryDirectory()
        // 20 orders of 10^12 over two days: 2 × 10^13 in total, past where the 64-bit µ-unit sum used to wrap.
        let lines = (0..<20).map { Self.purchase("o\($0)", amount: "1000000000000", day: 1 + $0 % 2) }
            + [Self.purchase("cents", amount: "0.000001", day: 3)]
        let file = t.write("in.ndjson", lines.joined(separator: "\n") + "\n")
        #expect(try daicho(["append", "--data", t.path + "/d", file]).status == 0)
        let r = try daicho(["profile", "--data", t.path + "/d", "--user-id", "buyer"])
        #expect(r.status == 0, "\(r.stderr)")
        let commerce = try #require(r.json["commerce"] as? [String: Any])
        let revenue = try #require(commerce["revenue"] as? [String: Any])
        // 20,000,000,000,000.000001 is not a double; the integer part shows the sum did not wrap or saturate.
        let jpy = try #require(revenue["JPY"] as? NSNumber)
        #expect(jpy.doubleValue == 20_000_000_000_000.000001)
        #expect(commerce["orders"] as? Int == 21)
        // RFM: days 2 and 3 after the first: (10 × 10^12 + 0.000001) / 2.
        #expect((commerce["monetary"] as? NSNumber)?.doubleValue == 5_000_000_000_000.0000005)
    }

    @Test func anEventDated2099IsRejectedAsAheadOfArrivalAndKeptInRejects() throws {
        let t = TemporaryDirectory()
        let file = t.write("in.ndjson", eventLine("future", at: "2099-01-01T00:00:00Z") + "\n" + eventLine("now") + "\n")
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 1)
        #expect(r.json["appended"] as? Int == 1)
        let rejectsPath = try #require(r.json["rejects_file"] as? String)
        let rejects = try String(contentsOfFile: rejectsPath, encoding: .utf8)
        #expect(rejects.contains(#"is 72 years ahead of arrival (maximum 24h; daicho.json max_future_skew)"#)
                || rejects.contains(#"is 73 years ahead of arrival (maximum 24h; daicho.json max_future_skew)"#), "\(rejects)")
        #expect(r.stderr.contains(#"daicho append: rejected \#(file):1: "at": "2099-01-01T00:00:00Z" is 7"#), "\(r.stderr)")
    }

    @Test func maxFutureSkewInDaichoJSONMovesTheLimit() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let inTwoHours = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 3600))
        let file = t.write("in.ndjson", eventLine("soon", at: inTwoHours) + "\n")
        try Data(#"{"max_future_skew": "1h"}"#.utf8).write(to: URL(fileURLWithPath: data + "/daicho.json"))
        let tight = try daicho(["append", "--data", data, file])
        #expect(tight.status == 1)
        #expect(tight.stderr.contains("is 1 hour ahead of arrival (maximum 1h; daicho.json max_future_skew)"), "\(tight.stderr)")
        try Data(#"{"max_future_skew": "3h"}"#.utf8).write(to: URL(fileURLWithPath: data + "/daicho.json"))
        #expect(try daicho(["append", "--data", data, file]).json["appended"] as? Int == 1)
        try Data(#"{"max_future_skew": "tomorrow"}"#.utf8).write(to: URL(fileURLWithPath: data + "/daicho.json"))
        let bad = try daicho(["append", "--data", data, file])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(#"max_future_skew must be a duration such as "24h""#), "\(bad.stderr)")
    }

    @Test func appendPrintsTheFirstFiveRejectReasonsAndWhereTheRestAre() throws {
        let t = TemporaryDirectory()
        let bad = (0..<7).map { #"{"id":"b\#($0)","type":"purchse","at":"2026-05-01T10:00:00Z","ids":{"email":"secret\#($0)@example.com"}}"# }
        let file = t.write("in.ndjson", ([eventLine("g")] + bad).joined(separator: "\n") + "\n")
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(5)) == (2...6).map { #"daicho append: rejected \#(file):\#($0): unknown type "purchse" (did you mean purchase?)"# })
        let rejectsPath = try #require(r.json["rejects_file"] as? String)
        #expect(lines.dropFirst(5).first == "daicho append: 2 more rejected lines; all 7 are in \(rejectsPath)")
        #expect(!r.stderr.contains("secret"))
    }

    @Test func aFileStartingWithAByteOrderMarkIsAppendedWhole() throws {
        let t = TemporaryDirectory()
        let body = Array((eventLine("first") + "\n" + eventLine("second") + "\n").utf8)
        let file = t.path + "/bom.ndjson"
        try Data([0xEF, 0xBB, 0xBF] + body).write(to: URL(fileURLWithPath: file))
        let r = try daicho(["append", "--data", t.path + "/d", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["appended"] as? Int == 2)
        // Through a pipe too, where the mark may arrive alone.
        let piped = try daicho(["append", "--data", t.path + "/e", "-"], stdin: Data([0xEF, 0xBB, 0xBF] + body))
        #expect(piped.json["appended"] as? Int == 2)
    }

    @Test func aSnapshotThatCannotBeWrittenAfterAppendExitsTwoAndStillReportsTheAppendedEvents() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        let file = t.write("in.ndjson", eventLine("a") + "\n")
        #expect(try daicho(["append", "--data", data, "--no-snapshot", file]).status == 0)
        // A plain file where the snapshots directory belongs: the refresh after the next append must fail.
        try Data().write(to: URL(fileURLWithPath: data + "/snapshots"))
        let r = try daicho(["append", "--data", data, t.write("more.ndjson", eventLine("b") + "\n")])
        #expect(r.status == 2)
        #expect(r.json["appended"] as? Int == 1)
        #expect(r.stderr.contains("daicho append: the events are appended, but the profile snapshot was not updated"), "\(r.stderr)")
        #expect(try exportedIDs(data: data) == ["a", "b"])
    }
}
