import Foundation
import Daicho
import DaichoJSON
import DaichoLog
import DaichoProjections

/// `daicho repair`: the explicit way out of damage below the durable mark (docs/log-format.md §13).
enum RepairCommand {
    static let spec = CommandSpec(
        name: "repair",
        summary: "Move damaged frames to quarantine, keep every intact frame, and leave a log verify accepts.",
        usage: "daicho repair [--data DIR] [--wait-lock SECONDS]",
        options: [dataOption, waitLockOption],
        details: """
        Each damaged region's bytes go verbatim to DIR/quarantine/<segment>-<byte>.frames with a JSON sidecar;
        its offsets stay used by offsets_lost records (never reused). Prints
        {"repaired":true|false,"message":...,"frames_lost":N,"events_lost":N,"lost_offsets":[[FROM,TO],...],
        "quarantined":[{"segment","byte","bytes","offsets":[FROM,TO],"file","reason","torn_tail"}],
        "head_rebuilt":B,"snapshot_removed":B,"end_offset":N}.
        Exit status: 0 repaired or nothing to repair, 2 usage or I/O error (or damage it cannot repair).
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        let quarantine = dir.path + "/quarantine"
        let compressor = FrameCompressor(level: 3)
        let report = try LogRepair.repair(directory: dir.logPath, quarantine: quarantine, lockWait: try a.lockWait(spec)) { base, count, time, file in
            LostOffsets.frame(base: base, count: count, at: time, quarantine: file, compressor: compressor)
        }
        let lost = report.regions.filter { !$0.lostOffsets.isEmpty }
        let eventsLost = lost.reduce(0) { $0 + $1.lostOffsets.count }
        // A snapshot may hold the effects of the events now lost: the next query rebuilds from the repaired log.
        let snapshotRemoved = try !lost.isEmpty && removeIfPresent(dir.snapshotsPath + "/" + ProjectionSnapshot.fileName)
        // So may every as-of checkpoint (docs/profile.md "Checkpoints"); they are removed with the snapshot rather than
        // left for their proofs to reject one by one.
        if !lost.isEmpty { _ = try removeIfPresent(dir.snapshotsPath + "/" + Checkpoints.directoryName) }
        // The saved dedup set holds the ids of the lost events, which may now be appended again (docs/ingest.md
        // "The dedup file"); its proof would reject it too, but it goes with the others.
        if report.changed { _ = try removeIfPresent(dir.dedupFilePath) }
        let message = !report.changed ? "nothing to repair"
            : "repaired: \(report.regions.count) region(s) quarantined, \(eventsLost) lost offsets kept as offsets_lost"
                + (report.rebuiltHead ? ", head rebuilt" : "")
        print(jsonLine([
            JSONMember("repaired", .bool(report.changed)),
            JSONMember("message", .string(message)),
            JSONMember("frames_lost", count(lost.count)),
            JSONMember("events_lost", count(eventsLost)),
            JSONMember("lost_offsets", .array(lost.map { .array([offset($0.lostOffsets.lowerBound), offset($0.lostOffsets.upperBound)]) })),
            JSONMember("quarantined", .array(report.regions.map { r in
                .object([
                    JSONMember("segment", .string(r.segment)),
                    JSONMember("byte", count(r.byte)),
                    JSONMember("bytes", count(r.bytes)),
                    JSONMember("offsets", .array([offset(r.lostOffsets.lowerBound), offset(r.lostOffsets.upperBound)])),
                    JSONMember("file", r.quarantineFile.map { .string($0) } ?? .null),
                    JSONMember("reason", .string(r.reason)),
                    JSONMember("torn_tail", .bool(r.beyondDurableMark)),
                ])
            })),
            JSONMember("head_rebuilt", .bool(report.rebuiltHead)),
            JSONMember("snapshot_removed", .bool(snapshotRemoved)),
            JSONMember("end_offset", offset(report.endOffset)),
        ]))
        return ExitStatus.ok
    }

    private static func offset(_ o: UInt64) -> JSONValue { .int(Int64(o)) }

    /// Removes the file or directory at `path`. - Returns: whether there was one.
    private static func removeIfPresent(_ path: String) throws -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        try FileManager.default.removeItem(atPath: path)
        return true
    }
}
