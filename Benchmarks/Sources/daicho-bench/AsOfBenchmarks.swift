import Daicho
import DaichoProjections
import Foundation

/// Issue 9 target: `daicho profile --as-of T` <= 500 ms on the 10M-event log (measured here on the benchmark log):
/// end to end with the checkpoints `daicho replay` keeps (docs/profile.md "Checkpoints"), and without them (a
/// replay from offset 0), at event times 10 %, 50 % and 90 % of the way through the log.
func registerAsOfBenchmarks(_ h: inout Harness, cli: String, state: ProjectionBenchState, workload: Workload, dir: DataDirectory) {
    let asOf = AsOfBenchState()
    h.addFact("daicho profile --as-of (50 % of the log), replay from offset 0, median of 3", unit: "ms") {
        try asOf.prepare(cli, state: state, workload: workload, dir: dir)
        let aside = dir.snapshotsPath + "/checkpoints-set-aside"
        try FileManager.default.moveItem(atPath: asOf.checkpoints, toPath: aside)
        defer { try? FileManager.default.moveItem(atPath: aside, toPath: asOf.checkpoints) }
        return try median(3) { try timeCommand(cli, asOf.arguments(dir, at: 1)) } * 1000
    }
    for (i, share) in ["10 %", "50 %", "90 %"].enumerated() {
        h.addFact("daicho profile --as-of (\(share) of the log), from a checkpoint, median of 5 (target <= 500 at 10M events)", unit: "ms") {
            try asOf.prepare(cli, state: state, workload: workload, dir: dir)
            return try median(5) { try timeCommand(cli, asOf.arguments(dir, at: i)) } * 1000
        }
    }
    h.addFact("as-of checkpoints kept after `daicho replay` (default policy)", unit: "count") {
        try asOf.prepare(cli, state: state, workload: workload, dir: dir)
        return Double(Checkpoints.list(in: dir.snapshotsPath).count)
    }
    h.addFact("as-of checkpoints on disk beyond the snapshot, per snapshot byte", unit: "x") {
        try asOf.prepare(cli, state: state, workload: workload, dir: dir)
        let snapshot = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        let main = try FileManager.default.attributesOfItem(atPath: snapshot)
        var extra = 0
        for c in Checkpoints.list(in: dir.snapshotsPath) {
            let a = try FileManager.default.attributesOfItem(atPath: c.path)
            // The newest checkpoint may be the snapshot's own file (a hard link): no extra bytes.
            if (a[.systemFileNumber] as? Int) != (main[.systemFileNumber] as? Int) { extra += (a[.size] as? Int) ?? 0 }
        }
        print("    \(extra >> 20) MiB of checkpoints beside a \(((main[.size] as? Int) ?? 0) >> 20) MiB snapshot")
        return Double(extra) / Double(max(1, (main[.size] as? Int) ?? 1))
    }
}

/// The checkpoints, the times and the customer the as-of rows query, prepared once.
final class AsOfBenchState: @unchecked Sendable {
    private var times: [String] = []
    private var profileID = ""
    var checkpoints = ""

    /// Runs `daicho replay` (which keeps the checkpoints) unless the log has them, and picks the times (the newest
    /// event time of the frames up to 10 %, 50 % and 90 % of the log's offsets) and the oldest profile.
    func prepare(_ cli: String, state: ProjectionBenchState, workload: Workload, dir: DataDirectory) throws {
        guard times.isEmpty else { return }
        try state.ensureSnapshot(workload, dir)
        checkpoints = dir.snapshotsPath + "/" + Checkpoints.directoryName
        if Checkpoints.list(in: dir.snapshotsPath).count < 2 {
            let result = try runProcess(cli, ["replay", "--data", dir.path])
            guard result.status == 0 else { throw StoreError("daicho replay: \(result.output)") }
        }
        let reader = try EventReader(dir)
        let formatter = ISO8601DateFormatter()
        for share in [1, 5, 9] {
            guard let end = reader.frameEnd(containing: reader.endOffset * UInt64(share) / 10),
                  let micros = reader.maxEventTime(before: end) else { throw StoreError("no frame at \(share)0 %") }
            times.append(formatter.string(from: Date(timeIntervalSince1970: Double(micros / 1_000_000))))
        }
        guard let p = state.projection, let oldest = p.livingProfiles.first else { throw StoreError("no profile") }
        profileID = p.graph.id(of: oldest)
        print("    as of \(times.joined(separator: ", ")); profile \(profileID); \(Checkpoints.list(in: dir.snapshotsPath).map(\.offset))")
    }

    func arguments(_ dir: DataDirectory, at i: Int) -> [String] {
        ["profile", "--data", dir.path, "--id", profileID, "--as-of", times[i]]
    }
}
