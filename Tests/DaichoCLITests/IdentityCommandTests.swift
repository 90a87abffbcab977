import Foundation
import Testing

/// The identity rules of docs/identity.md end to end: household numbers, placeholders, blocked values, stats.
@Suite struct IdentityCommandTests {
    func append(_ t: TemporaryDirectory, _ lines: [String]) throws -> (data: String, result: RunResult) {
        let data = t.path + "/d"
        let file = t.write("in.ndjson", lines.joined(separator: "\n"))
        return (data, try daicho(["append", "--data", data, file]))
    }

    func identity(_ stats: RunResult) -> [String: Any] { stats.json["identity"] as? [String: Any] ?? [:] }

    /// Found: two customers sharing a home landline became one profile and one's name overwrote the other's.
    @Test func twoCustomersSharingAHomeLandlineKeepTheirOwnNames() throws {
        let t = TemporaryDirectory()
        let (data, appended) = try append(t, [
            #"{"id":"h1","type":"identify","at":"2026-03-01T10:00:00+09:00","ids":{"email":"taro@example.jp","phone":"03-1234-5678"},"props":{"traits":{"name":"山田 太郎"}}}"#,
            #"{"id":"h2","type":"identify","at":"2026-03-02T10:00:00+09:00","ids":{"email":"hanako@example.jp","phone":"03-1234-5678"},"props":{"traits":{"name":"山田 花子"}}}"#,
        ])
        #expect(appended.status == 0, "\(appended.stderr)")
        let taro = try daicho(["profile", "--data", data, "--email", "taro@example.jp"]).json
        let hanako = try daicho(["profile", "--data", data, "--email", "hanako@example.jp"]).json
        #expect((taro["traits"] as? [String: Any])?["name"] as? String == "山田 太郎")
        #expect((hanako["traits"] as? [String: Any])?["name"] as? String == "山田 花子")
        #expect(taro["id"] as? String != hanako["id"] as? String)
        let stats = try daicho(["stats", "--data", data])
        #expect(stats.json["profiles"] as? Int == 2)
        #expect(identity(stats)["refused_merges"] as? Int == 0)
    }

    /// Found: three `identify` events with `"user_id":"undefined"` and three e-mails became one customer.
    @Test func placeholderUserIdsAreRefusedCountedAndNeverMerge() throws {
        let t = TemporaryDirectory()
        var lines = (1...3).map {
            #"{"id":"p\#($0)","type":"identify","at":"2026-03-01T10:00:00+09:00","ids":{"user_id":"undefined","email":"c\#($0)@example.jp"},"props":{"traits":{"plan":"free"}}}"#
        }
        lines.append(#"{"id":"p4","type":"identify","at":"2026-03-01T10:00:00+09:00","ids":{"user_id":"N/A"},"props":{"traits":{}}}"#)
        let (data, appended) = try append(t, lines)
        #expect(appended.status == 1)
        #expect(appended.json["appended"] as? Int == 3)
        let rejectsFile = try #require(appended.json["rejects_file"] as? String)
        let rejects = try String(contentsOfFile: rejectsFile, encoding: .utf8)
        #expect(rejects.contains("is a placeholder value, not a customer's identifier"))
        let stats = try daicho(["stats", "--data", data])
        #expect(stats.json["profiles"] as? Int == 3)
        #expect(identity(stats)["refused_identifiers"] as? Int == 3)
        #expect(identity(stats)["refused_placeholders"] as? Int == 3)
        #expect(try daicho(["profile", "--data", data, "--user-id", "undefined"]).status == 3)
    }

    /// `blocked_values` in identity.json is applied by the projection: changing it takes effect on the next query
    /// (the snapshot was built under other settings, so the views are replayed); nothing in the log changes.
    @Test func blockedValuesInIdentityJsonTakeEffectOnReplay() throws {
        let t = TemporaryDirectory()
        let (data, appended) = try append(t, [
            #"{"id":"b1","type":"identify","at":"2026-03-01T10:00:00+09:00","ids":{"user_id":"U-9","email":"shop@example.jp"},"props":{"traits":{}}}"#,
            #"{"id":"b2","type":"identify","at":"2026-03-01T11:00:00+09:00","ids":{"user_id":"U-10","email":"shop@example.jp"},"props":{"traits":{}}}"#,
        ])
        #expect(appended.status == 0)
        let before = try daicho(["stats", "--data", data])
        #expect(identity(before)["refused_merges"] as? Int == 1) // U-10 could not join U-9 through the shop's address
        #expect(identity(before)["refused_identifiers"] as? Int == 0)
        try Data(#"{"blocked_values": {"email": ["Shop@Example.JP"]}}"#.utf8).write(to: URL(fileURLWithPath: data + "/identity.json"))
        let after = try daicho(["stats", "--data", data])
        #expect(identity(after)["refused_merges"] as? Int == 0)
        #expect(identity(after)["refused_blocked_values"] as? Int == 2)
        #expect(after.json["profiles"] as? Int == 2)
        #expect(try daicho(["profile", "--data", data, "--email", "shop@example.jp"]).status == 3)
        #expect(try exportedIDs(data: data) == ["b1", "b2"])
        try Data(#"{"blocked_values": {"email": ["shop.example.jp"]}}"#.utf8).write(to: URL(fileURLWithPath: data + "/identity.json"))
        let bad = try daicho(["stats", "--data", data])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("identity.json: blocked_values.email[0] is not an e-mail address (no '@')"))
    }
}

/// Lookup messages mask every identifier kind the same way (IdentifierMask), not only e-mails and phones.
@Suite struct LookupMaskingTests {
    @Test(arguments: [("--user-id", "U00041270", "U***"), ("--email", "nobody@example.jp", "n***@e***.jp"),
                      ("--phone", "090-9876-5432", "09*******32"), ("--anonymous-id", "anon-secret", "a***"),
                      ("--device-id", "device-secret", "d***"), ("--handle", "x:@secret_handle", "x***")])
    func noMatchMessagesMaskEveryIdentifierKind(option: String, value: String, masked: String) throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        let file = t.write("in.ndjson", eventLine("1"))
        #expect(try daicho(["append", "--data", data, file]).status == 0)
        let r = try daicho(["profile", "--data", data, option, value])
        #expect(r.status == 3)
        #expect(r.stderr.contains("no profile matches \(option) \(masked)"), "\(r.stderr)")
        #expect(!r.stderr.contains(value))
    }

    /// An `--id` that is no profile id is a usage error (exit 2) suggesting the selector meant; the value is
    /// masked there as well.
    @Test(arguments: [("nobody@example.jp", "n***@e***.jp"), ("U00041270", "U***")])
    func anIdThatIsNoProfileIdIsMaskedInTheUsageError(value: String, masked: String) throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("in.ndjson", eventLine("1"))]).status == 0)
        let r = try daicho(["profile", "--data", data, "--id", value])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--id: \"\(masked)\" is not a profile id"), "\(r.stderr)")
        #expect(!r.stderr.contains(value))
    }

    @Test func aProfileIdIsShownWhole() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        #expect(try daicho(["append", "--data", data, t.write("in.ndjson", eventLine("1"))]).status == 0)
        let r = try daicho(["profile", "--data", data, "--id", "p-0123456789abcdef"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("no profile matches --id p-0123456789abcdef"))
    }
}
