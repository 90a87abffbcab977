import Foundation
import Testing

/// `daicho` on two replay threads (the default) against the single-threaded reference (`DAICHO_REPLAY_THREADS=1`,
/// docs/architecture.md "Replay on two threads"): the same snapshot bytes and the same `profiles` and segment
/// output on a seeded log with merges, late events and segments defined between appends.
@Suite struct ReplayThreadsTests {
    static func environment(threads: Int) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DAICHO_REPLAY_THREADS"] = String(threads)
        return env
    }

    /// A log of 6,000 generated events (seed 17) with three segments defined after the first half: a field rule,
    /// an aggregate term and one reading identity.
    static func seededLog(_ t: TemporaryDirectory) throws -> String {
        let d = t.path + "/data", input = t.path + "/in.ndjson"
        #expect(try daicho(["generate", "--events", "6000", "--customers", "700", "--seed", "17", "--end", "2026-06-01",
                            "--out", input]).status == 0)
        let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let first = t.write("first.ndjson", lines[..<(lines.count / 2)].joined(separator: "\n") + "\n")
        let second = t.write("second.ndjson", lines[(lines.count / 2)...].joined(separator: "\n") + "\n")
        #expect(try daicho(["append", "--data", d, first]).status <= 1) // the generator's few bad lines: exit 1
        #expect(try daicho(["segment", "define", "--data", d, "buyers", "commerce.orders >= 1"]).status == 0)
        #expect(try daicho(["segment", "define", "--data", d, "repeat_visitors", "count(page_view) >= 3"]).status == 0)
        #expect(try daicho(["segment", "define", "--data", d, "merged", "identity.merges >= 1"]).status == 0)
        #expect(try daicho(["append", "--data", d, second]).status <= 1)
        return d
    }

    /// What the views print, on `threads` replay threads: the snapshot `replay` writes, `profiles` as of two
    /// times (always a replay), and the members of each segment now (replayed).
    static func outputs(_ d: String, threads: Int) throws -> [String: [UInt8]] {
        let env = environment(threads: threads)
        var out: [String: [UInt8]] = [:]
        let replay = try daicho(["replay", "--data", d], environment: env)
        #expect(replay.status == 0, "\(replay.stderr)")
        out["snapshot"] = Array(FileManager.default.contents(atPath: d + "/snapshots/profiles.snap") ?? Data())
        for asOf in ["2026-01-15T12:00:00+09:00", "2026-06-02"] {
            let r = try daicho(["profiles", "--data", d, "--as-of", asOf], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            out["profiles as of \(asOf)"] = Array(r.stdout.utf8)
        }
        for segment in ["buyers", "repeat_visitors", "merged"] {
            // The segments were defined now, after every event: their members as of the present (the snapshot
            // `replay` just wrote is removed first, so each run replays).
            try? FileManager.default.removeItem(atPath: d + "/snapshots/profiles.snap")
            let r = try daicho(["segment", "members", segment, "--data", d], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            out["members of \(segment)"] = Array(r.stdout.utf8)
        }
        return out
    }

    @Test func twoReplayThreadsPrintWhatTheSingleThreadedReferencePrints() throws {
        let t = TemporaryDirectory()
        let d = try Self.seededLog(t)
        let reference = try Self.outputs(d, threads: 1)
        let pipelined = try Self.outputs(d, threads: 2)
        #expect(reference.keys.sorted() == pipelined.keys.sorted())
        for (name, bytes) in reference.sorted(by: { $0.key < $1.key }) {
            #expect(bytes.count > 100, "\(name) is too small to compare")
            let same = pipelined[name] == bytes
            #expect(same, "\(name) differs between 1 and 2 replay threads")
        }
    }
}
