import Daicho
import DaichoJSON
import DaichoSegments
import Foundation
import Synchronization

/// `daicho watch`: the segment change feed as NDJSON, live, resumable from a cursor (docs/segments.md "Feed").
enum WatchCommand {
    static let spec = CommandSpec(
        name: "watch",
        summary: "Print segment membership changes as NDJSON as they happen (while other processes append).",
        usage: "daicho watch [--data DIR] [--from CURSOR] [--segment NAME] [--max-records N]",
        options: [
            dataOption,
            OptionSpec(name: "--from", valueName: "CURSOR", help: "Resume after the record with this cursor (0: the whole feed). Default: changes from now on."),
            OptionSpec(name: "--segment", valueName: "NAME", help: "Only this segment's records (repeat for several).", repeatable: true),
            OptionSpec(name: "--max-records", valueName: "N", help: "Exit after printing N records."),
        ],
        details: """
        Each line: {"segment","profile","change":"entered"|"exited","at","offset","cursor"}. On exit (Ctrl-C, SIGTERM,
        --max-records) the cursor to resume from is printed on stderr as {"cursor":N}; pass it to --from.
        Time-driven exits (windows expiring) appear when the wall clock passes them (2 s behind, so replays agree).
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let from = try a.int("--from", spec).map { UInt64($0) }
        let limit = try a.int("--max-records", spec, min: 1)
        let only = a.values["--segment"].map(Set.init)
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError("no event log in \(dir.path) (run `daicho append` first, or pass --data)") }

        let done = DispatchSemaphore(value: 0)
        let state = Mutex<(cursor: UInt64, printed: Int)>((from ?? 0, 0))
        for s in [SIGINT, SIGTERM] { signal(s, SIG_IGN) }
        let sources = [SIGINT, SIGTERM].map { s in
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        let live = try LiveSegments.open(dir, after: from) { changes in
            var out: [UInt8] = []
            var reachedLimit = false
            state.withLock { s in
                for r in changes.records where !reachedLimit {
                    s.cursor = max(s.cursor, r.cursor)
                    guard only?.contains(r.segment) ?? true else { continue }
                    r.appendJSON(to: &out)
                    out.append(0x0A)
                    s.printed += 1
                    if let limit, s.printed >= limit { reachedLimit = true }
                }
            }
            if !out.isEmpty { FileHandle.standardOutput.write(Data(out)) }
            if reachedLimit { done.signal() }
        }
        let start = live.read { $0.feedCount }
        if from == nil { state.withLock { $0.cursor = max($0.cursor, start) } }
        done.wait()
        live.close()
        _ = sources
        let cursor = state.withLock { $0.cursor }
        printError(jsonLine([JSONMember("cursor", .int(Int64(cursor)))]))
        if let error = live.error { throw error }
        return ExitStatus.ok
    }
}
