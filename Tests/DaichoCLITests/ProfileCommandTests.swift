import Foundation
import Testing

@Suite struct ProfileCommandTests {
    /// Anonymous browsing, then a login with a messy e-mail, then a purchase by phone in full-width digits.
    static let story = [
        #"{"id":"s1","type":"page_view","at":"2026-03-01T10:00:00+09:00","source":"web","ids":{"anonymous_id":"anon-1"},"props":{"path":"/items/1","dwell_ms":1200}}"#,
        #"{"id":"s2","type":"identify","at":"2026-03-01T10:05:00+09:00","source":"web","ids":{"anonymous_id":"anon-1","user_id":"U-1","email":" Taro@Example.JP "},"props":{"traits":{"name":"山田 太郎","prefecture":"東京都"}}}"#,
        #"{"id":"s3","type":"link","at":"2026-03-01T10:06:00+09:00","ids":{"user_id":"U-1","phone":"090-1234-5678"}}"#,
        #"{"id":"s4","type":"purchase","at":"2026-03-02T12:00:00+09:00","source":"store","ids":{"phone":"０９０－１２３４－５６７８"},"props":{"order_id":"o-1","amount":1980,"currency":"JPY"}}"#,
        #"{"id":"s5","type":"identify","at":"2026-02-01T00:00:00+09:00","ids":{"user_id":"U-1"},"props":{"traits":{"prefecture":"大阪府"}}}"#,
        #"{"id":"x1","type":"page_view","at":"2026-03-03T09:00:00+09:00","ids":{"anonymous_id":"someone-else"}}"#,
    ]

    func load(_ t: TemporaryDirectory) throws -> String {
        let data = t.path + "/d"
        let file = t.write("story.ndjson", Self.story.joined(separator: "\n"))
        #expect(try daicho(["append", "--data", data, file]).status == 0)
        return data
    }

    @Test func oneCustomerAcrossAnonymousLoginAndPhoneVariants() throws {
        let t = TemporaryDirectory()
        let data = try load(t)
        let byEmail = try daicho(["profile", "--data", data, "--email", "TARO@example.jp"])
        #expect(byEmail.status == 0, "\(byEmail.stderr)")
        let p = byEmail.json
        #expect(p["events"] as? Int == 5)
        #expect((p["traits"] as? [String: Any])?["prefecture"] as? String == "東京都") // the late identify does not win
        #expect((p["commerce"] as? [String: Any])?["orders"] as? Int == 1)
        #expect((p["identifiers"] as? [String: [String]])?["phone"] == ["+819012345678"])
        let id = try #require(p["id"] as? String)
        for selector in [["--phone", "+81 90 1234 5678"], ["--anonymous-id", "anon-1"], ["--user-id", "U-1"], ["--id", id]] {
            let r = try daicho(["profile", "--data", data] + selector)
            #expect(r.json["id"] as? String == id, "\(selector)")
        }
    }

    @Test func noMatchExitsThreeWithOneLine() throws {
        let t = TemporaryDirectory()
        let data = try load(t)
        let r = try daicho(["profile", "--data", data, "--email", "nobody@example.jp"])
        #expect(r.status == 3)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!r.stderr.contains("nobody"), "e-mail values are not printed")
        #expect(try daicho(["profile", "--data", data]).status == 2)
    }

    /// A flipped byte in the block of the snapshot's profiles section that holds the customer: `timeline` and
    /// `profile` say so on stderr, rebuild, and print what they printed before (docs/profile.md "One customer").
    @Test func aDamagedSnapshotBlockIsReportedAndTheAnswerStaysTheSame() throws {
        let t = TemporaryDirectory()
        let data = try load(t)
        let good = try daicho(["timeline", "--data", data, "--user-id", "U-1"])
        let goodProfile = try daicho(["profile", "--data", data, "--user-id", "U-1"])
        #expect(good.status == 0 && good.stderr.isEmpty && goodProfile.status == 0)
        let path = data + "/snapshots/profiles.snap"
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        // Section 3 (profiles) starts after the header, the section table (7 × 32) and sections 0–2; its one block
        // (a small log) after its block table.
        let section = 64 + 32 * 7 + u64(64) + u64(96) + u64(128)
        let block = section + 8 + 32 * u64(section)
        var bad = bytes
        bad[block + 12] ^= 0x41
        try Data(bad).write(to: URL(fileURLWithPath: path))
        let r = try daicho(["timeline", "--data", data, "--user-id", "U-1"])
        #expect(r.status == 0)
        #expect(r.stdout == good.stdout)
        #expect(r.stderr.contains("fails its checksum") && r.stderr.contains("rebuilt by replay"), "\(r.stderr)")
        try Data(bad).write(to: URL(fileURLWithPath: path))
        let p = try daicho(["profile", "--data", data, "--user-id", "U-1"])
        #expect(p.status == 0)
        #expect(p.json["id"] as? String == goodProfile.json["id"] as? String)
        #expect(p.json["events"] as? Int == goodProfile.json["events"] as? Int)
        #expect(p.stderr.contains("fails its checksum"), "\(p.stderr)")
    }

    @Test func timelineIsNewestFirstAcrossIdentifiers() throws {
        let t = TemporaryDirectory()
        let data = try load(t)
        let r = try daicho(["timeline", "--data", data, "--user-id", "U-1"])
        #expect(r.status == 0)
        let ids = r.stdout.split(separator: "\n").map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["id"] as! String }
        #expect(ids == ["s4", "s3", "s2", "s1", "s5"])
        let limited = try daicho(["timeline", "--data", data, "--user-id", "U-1", "--limit", "2"])
        #expect(limited.stdout.split(separator: "\n").count == 2)
        let asOf = try daicho(["timeline", "--data", data, "--user-id", "U-1", "--as-of", "2026-03-01T10:05:30+09:00"])
        #expect(asOf.stdout.split(separator: "\n").count == 3)
    }

    @Test func replayProfilesAndExportResolveAgree() throws {
        let t = TemporaryDirectory()
        let data = try load(t)
        let replay = try daicho(["replay", "--data", data])
        #expect(replay.status == 0)
        #expect(replay.json["events"] as? Int == 6)
        #expect(replay.json["profiles"] as? Int == 2)
        let profiles = try daicho(["profiles", "--data", data]).stdout
        #expect(profiles.split(separator: "\n").count == 2)
        #expect(try daicho(["profiles", "--data", data]).stdout == profiles, "deterministic")
        let exported = try daicho(["export", "--data", data, "--resolve"]).stdout.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let owner = try daicho(["profile", "--data", data, "--user-id", "U-1"]).json["id"] as? String
        #expect(exported.filter { $0["profile"] as? String == owner }.count == 5)
        // The resolved export appends cleanly again ("profile" is an accepted annotation).
        let again = t.write("resolved.ndjson", try daicho(["export", "--data", data, "--resolve"]).stdout)
        #expect(try daicho(["append", "--data", t.path + "/copy", again]).json["appended"] as? Int == 6)
    }

    /// Every profile `daicho profiles` prints satisfies schemas/profile.schema.json (python3 + jsonschema; skipped
    /// when they are missing, except in CI: see `PythonCrossCheck`).
    @Test(.enabled(if: PythonCrossCheck.canRun("jsonschema"), "needs python3 with jsonschema (make test installs it)"))
    func profilesMatchTheProfileSchema() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        let sample = t.path + "/sample.ndjson"
        #expect(try daicho(["generate", "--events", "4000", "--customers", "400", "--seed", "8", "--end", "2026-06-01", "--out", sample]).status == 0)
        #expect(try daicho(["append", "--data", data, sample]).status <= 1) // 1: the sample's deliberately broken lines
        let listed = try daicho(["profiles", "--data", data])
        try #require(listed.status == 0, "\(listed.stderr)")
        let count = listed.stdout.split(separator: "\n").count
        try #require(count > 100, "the sample should give hundreds of profiles, got \(count)")
        let profiles = t.write("profiles.ndjson", listed.stdout)
        let check = try PythonCrossCheck.run([repositoryRootURL.appendingPathComponent("schemas/check_profiles.py").path, profiles])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasSuffix("{\"profiles\": \(count), \"invalid\": 0}\n"), "\(check.stdout)")
    }
}
