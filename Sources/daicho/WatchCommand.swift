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
        A --segment NAME that is not defined exits 3; a --from CURSOR beyond the feed's end exits 2.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let from = try a.int("--from", spec).map { UInt64($0) }
        let limit = try a.int("--max-records", spec, min: 1)
        let only = a.values["--segment"].map(Set.init)
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }

        let state = Mutex<(cursor: UInt64, printed: Int)>((from ?? 0, 0))
        StopSignal.install()
        let live: LiveSegments
        do {
            live = try LiveSegments.open(dir, after: from, onChange: { changes in
                var out: [UInt8] = []
                var reachedLimit = false
                let before = state.withLock { s in
                    let cursorBefore = s.cursor
                    for r in changes.records where !reachedLimit {
                        s.cursor = max(s.cursor, r.cursor)
                        guard only?.contains(r.segment) ?? true else { continue }
                        r.appendJSON(to: &out)
                        out.append(0x0A)
                        s.printed += 1
                        if let limit, s.printed >= limit { reachedLimit = true }
                    }
                    return cursorBefore
                }
                // A closed pipe (`watch | head -1`) ends watch quietly; the cursor stays before the undelivered records.
                if !out.isEmpty && !writeStandardOutput(out) {
                    state.withLock { $0.cursor = before }
                    reachedLimit = true
                }
                if reachedLimit { StopSignal.raise() }
            }, validate: { segments in
                if let notice = segments.notice { printError("daicho watch: notice: \(notice)") }
                let defined = Set(segments.definitions.map(\.name))
                if let unknown = only?.subtracting(defined).sorted().first {
                    throw UnknownSegment(name: unknown, known: segments.definitions.map(\.name))
                }
            })
        } catch let error as FeedCursorError {
            printError("daicho watch: --from \(error)")
            return ExitStatus.usageOrIO
        } catch let error as UnknownSegment {
            printError("daicho watch: --segment: \(error)")
            return ExitStatus.notFound
        }
        let start = live.read { $0.feedCount }
        if from == nil { state.withLock { $0.cursor = max($0.cursor, start) } }
        // A worker that fails (a log it cannot read) ends the watch with its error instead of a silent wait; a reader
        // that left (`watch | head -1`) ends it quietly even while no record comes whose write would fail.
        Thread.detachNewThread {
            while live.error == nil && !readerLeft() { usleep(100_000) }
            StopSignal.raise()
        }
        StopSignal.wait()
        live.close()
        let cursor = state.withLock { $0.cursor }
        printError(jsonLine([JSONMember("cursor", .int(Int64(cursor)))]))
        if let error = live.error { throw error }
        return ExitStatus.ok
    }
}

/// Whether standard output is a pipe whose reading end was closed (or a terminal that hung up), asked without writing.
private func readerLeft() -> Bool {
    var p = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
    return poll(&p, 1, 0) == 1 && p.revents & Int16(POLLERR | POLLHUP) != 0
}

/// `watch --segment NAME` for a segment that is not defined.
struct UnknownSegment: Error, CustomStringConvertible {
    let name: String
    let known: [String]
    var description: String {
        "no segment named \"\(name)\"" + (known.isEmpty ? "; none is defined (daicho segment define)" : "; defined: \(known.joined(separator: ", "))")
    }
}

/// Ctrl-C, SIGTERM or the record limit ends `watch`. A POSIX semaphore, because posting one is
/// async-signal-safe; the signals are unblocked in case the parent started us with them blocked.
enum StopSignal {
    /// On the heap, so the handler and the waiter never make overlapping Swift accesses to it.
    nonisolated(unsafe) private static let semaphore: UnsafeMutablePointer<sem_t> = {
        let p = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(p, 0, 0)
        return p
    }()

    static func install() {
        _ = semaphore
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let handler: @convention(c) (Int32) -> Void = { _ in StopSignal.raise() }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    static func raise() { sem_post(semaphore) }

    static func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
