import Foundation
import Testing

/// `--as-of` answered from checkpoints (docs/profile.md "Checkpoints") prints exactly what a replay from
/// offset 0 prints.
@Suite struct AsOfCheckpointCommandTests {
    @Test func profilesAsOfFromCheckpointsAreByteIdenticalToAReplayFromOffsetZero() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        t.write("d/daicho.json", #"{"checkpoint_every": 300, "checkpoints_kept": 6}"#)
        let input = t.path + "/in.ndjson"
        #expect(try daicho(["generate", "--events", "4000", "--customers", "500", "--seed", "3", "--end", "2026-06-01", "--out", input]).status == 0)
        // Ten appends, so the log has frame ends to take checkpoints at.
        let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n")
        for part in 0..<10 {
            let file = t.write("part\(part).ndjson", lines[(part * lines.count / 10)..<((part + 1) * lines.count / 10)].joined(separator: "\n") + "\n")
            #expect(try daicho(["append", "--data", data, file]).status <= 1)
        }
        let replay = try daicho(["replay", "--data", data])
        #expect(replay.status == 0, "\(replay.stderr)")
        let checkpoints = data + "/snapshots/checkpoints"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []).filter { $0.hasSuffix(".snap") }
        #expect(names.count >= 3 && names.count <= 6, "\(names)")
        #expect(FileManager.default.fileExists(atPath: checkpoints + "/frame-times"))

        let present = try daicho(["profiles", "--data", data]).stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let id = present.first?["id"] as? String ?? ""
        #expect(id.hasPrefix("p-"))
        // Customers with e-mail addresses and the most events: `profile` and `timeline` of one customer as of a time
        // are answered from a checkpoint and the events that reach the customer (docs/profile.md "One customer as of a time").
        let emails = present.sorted { ($0["events"] as? Int ?? 0) > ($1["events"] as? Int ?? 0) }.compactMap {
            (($0["identifiers"] as? [String: Any])?["email"] as? [String])?.first
        }.prefix(3)
        #expect(emails.count == 3)
        let times = ["2025-06-20", "2025-09-01T12:00:00+09:00", "2025-12-24", "2026-03-10", "2026-05-31"]
        func outputs() throws -> [String] {
            try times.flatMap { time -> [String] in
                let profiles = try daicho(["profiles", "--data", data, "--as-of", time])
                let timeline = try daicho(["timeline", "--data", data, "--id", id, "--as-of", time])
                #expect(profiles.status == 0 && !profiles.stdout.isEmpty, "\(profiles.stderr)")
                var out = [profiles.stdout, timeline.stdout, "\(timeline.status)"]
                for selector in [["--id", id]] + emails.map({ ["--email", $0] }) {
                    let profile = try daicho(["profile", "--data", data, "--as-of", time] + selector)
                    let timeline = try daicho(["timeline", "--data", data, "--as-of", time, "--limit", "5"] + selector)
                    out += [profile.stdout, "\(profile.status)", timeline.stdout, "\(timeline.status)"]
                }
                return out
            }
        }
        let withCheckpoints = try outputs()
        // A flipped byte in a checkpoint's header, block tables or blocks: the checkpoint is passed over, or the
        // one-customer view reads the whole as-of view instead; never a different answer.
        for name in names {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: checkpoints + "/" + name)))
            for position in [100, 300, bytes.count / 3, bytes.count / 2, bytes.count - 10] { bytes[position] ^= 0x5A }
            try Data(bytes).write(to: URL(fileURLWithPath: checkpoints + "/" + name))
        }
        let withDamagedCheckpoints = try outputs()
        try FileManager.default.moveItem(atPath: checkpoints, toPath: t.path + "/set-aside")
        let fromOffsetZero = try outputs()
        for (i, (a, b)) in zip(withCheckpoints, fromOffsetZero).enumerated() {
            #expect(a == b, "output \(i) (as of \(times[i / (withCheckpoints.count / times.count)]))")
        }
        for (i, (a, b)) in zip(withDamagedCheckpoints, fromOffsetZero).enumerated() {
            #expect(a == b, "output \(i) with damaged checkpoints (as of \(times[i / (withCheckpoints.count / times.count)]))")
        }
    }

    /// The tracked-paths exception of docs/profile.md "One customer as of a time": when the customer's path table
    /// is full and paths new since the checkpoint come, `profile --as-of` (and `?as_of=` of a server) answers from the
    /// whole as-of view, and its `top_paths` are the whole view's (the view of the customer alone would evict another
    /// path).
    @Test func aFullPathTableWithNewPathsIsAnsweredAsAReplayAnswersIt() throws {
        let t = TemporaryDirectory()
        let data = t.path + "/d"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        t.write("d/daicho.json", #"{"checkpoint_every": 1}"#)
        let own = (1...64).map { "/p" + String(format: "%02d", $0) }
        var n = 0
        func view(_ user: String, _ path: String) -> String {
            n += 1
            let at = "2026-05-01T10:" + String(format: "%02d:%02d", n / 60, n % 60) + "Z"
            return #"{"id":"pv-\#(n)","type":"page_view","at":"\#(at)","ids":{"user_id":"\#(user)"},"props":{"path":"\#(path)"}}"#
        }
        // Before the checkpoint (the first append's snapshot): Z views "/a-early" first; C fills its 64 paths.
        let before = t.write("before.ndjson", ([view("Z", "/a-early")] + own.map { view("C", $0) }).joined(separator: "\n") + "\n")
        #expect(try daicho(["append", "--data", data, before]).status == 0)
        // After it, with no snapshot: C views "/a-early", its other paths again, then "/z-new".
        let after = t.write("after.ndjson", ([view("C", "/a-early")] + own.dropFirst().map { view("C", $0) } + [view("C", "/z-new")])
            .joined(separator: "\n") + "\n")
        #expect(try daicho(["append", "--data", data, "--no-snapshot", after]).status == 0)
        let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: data + "/snapshots/checkpoints")) ?? []
        #expect(checkpoints.filter { $0.hasSuffix(".snap") }.count == 1, "\(checkpoints)")

        let asOf = try daicho(["profile", "--data", data, "--user-id", "C", "--as-of", "2026-05-01T11:00:00Z"])
        #expect(asOf.status == 0, "\(asOf.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(asOf.stdout.utf8)) as? [String: Any])
        let top = ((json["web"] as? [String: Any])?["top_paths"] as? [[String: Any]] ?? []).map { "\($0["path"] ?? "") \($0["count"] ?? "")" }
        #expect(top == ["/z-new 3"] + own[1..<10].map { $0 + " 2" })
        // The same from a running server (`?as_of=` reads the directory as the CLI does).
        let served = try ServeCommandTests.Serving(data)
        let (_, read) = try served.keys(data)
        let http = try served.get("/v1/profiles/user_id:C?as_of=2026-05-01T11:00:00Z", token: read)
        #expect(http.status == 200)
        #expect(String(decoding: http.body, as: UTF8.self) == asOf.stdout.trimmingCharacters(in: .newlines))
        #expect(served.terminate().status == 0)
        // The same as the replay from offset 0.
        try FileManager.default.removeItem(atPath: data + "/snapshots/checkpoints")
        #expect(try daicho(["profile", "--data", data, "--user-id", "C", "--as-of", "2026-05-01T11:00:00Z"]).stdout == asOf.stdout)
    }
}
