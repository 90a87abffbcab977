import Foundation
import Daicho
import DaichoLog
import DaichoProjections
import DaichoSegmentSpec
import DaichoSegments

/// `daicho append`: NDJSON in, durable deduplicated events out, one JSON summary line.
enum AppendCommand {
    static let spec = CommandSpec(
        name: "append",
        summary: "Validate, normalize, deduplicate and append NDJSON events to the log.",
        usage: """
        daicho append [--data DIR] [--format envelope|segment] [--durability batch|end] [--workers N] [--wait-lock SECONDS] [FILE ...]
               daicho append --server URL [--write-key KEY] [FILE ...]
        """,
        options: [
            dataOption,
            waitLockOption,
            OptionSpec(name: "--format", valueName: "FORMAT",
                       help: "envelope (default): Daicho's event envelope; segment: Segment messages, one per line or {\"batch\":[…]} lines, mapped as the server maps them (docs/segment-compatibility.md, DIR/mapping.json)."),
            OptionSpec(name: "--durability", valueName: "MODE",
                       help: "batch (default): every frame is fsynced before the next; end: one fsync when the input ends (bulk loads)."),
            OptionSpec(name: "--workers", valueName: "N", help: "Parser threads (default: the number of cores, at most 4)."),
            OptionSpec(name: "--default-country", valueName: "CC",
                       help: "Country for phone numbers without a country code (ISO 3166 code, default JP)."),
            OptionSpec(name: "--no-snapshot", valueName: nil,
                       help: "Do not bring the profile snapshot up to date (the next query catches up)."),
            OptionSpec(name: "--server", valueName: "URL",
                       help: "Post the lines to a running `daicho serve` (its /v1/import) instead of a local directory."),
            OptionSpec(name: "--write-key", valueName: "KEY", help: "With --server: the write key (default: $DAICHO_WRITE_KEY)."),
        ],
        details: """
        Reads the FILEs in order, or standard input when none is given or FILE is '-'. Prints
        {"read":N,"appended":N,"duplicates":N,"rejected":N,"first_offset":N,"last_offset":N,"seconds":X,"rejects_file":"...",
        "snapshot":"written|deferred|unchanged|failed"}.
        Rejected lines are kept verbatim with file, line and reason in DIR/rejects/. An event whose id is
        already in the log is a duplicate and is not appended again.
        The first \(RejectsFile.shownReasons) reasons are printed on standard error; events whose time is more than
        max_future_skew (DIR/daicho.json, default 24h) ahead of their arrival are rejected.
        The profile snapshot is brought up to date beside the ingest and written before the summary ("written"),
        unless it lacks fewer than snapshot_min_events (DIR/daicho.json, default 10000) and a sixteenth of the events
        it holds ("deferred": queries catch up from it), nothing was appended or --no-snapshot ("unchanged").
        With --server URL the lines go to that server's /v1/import in requests of at most 8 MiB of whole lines; the
        summary adds up its answers (no "snapshot": the server keeps its view live) and the rejected lines are kept
        in the server's rejects file, numbered within their request. A directory that `daicho serve` holds refuses a
        local append, naming the server's URL.
        Exit status: 0 all lines appended or duplicates, 1 some lines rejected (the rest appended), 2 usage or I/O
        error (also when the events are appended but the profile snapshot could not be written).
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let segmentFormat: Bool
        switch a.value("--format") {
        case nil, "envelope": segmentFormat = false
        case "segment": segmentFormat = true
        case let other?: throw UsageError(message: "--format: \"\(other)\" is not one of envelope, segment", usage: spec.usage)
        }
        if segmentFormat, a.value("--server") != nil {
            throw UsageError(message: "--format segment appends to a local directory; post Segment messages to the server's /v1/batch", usage: spec.usage)
        }
        if segmentFormat, a.value("--workers") != nil {
            throw UsageError(message: "--workers goes with --format envelope (Segment messages are mapped on one thread)", usage: spec.usage)
        }
        if let url = a.value("--server") { return try AppendToServer.run(a, url: url, spec: spec) }
        if a.value("--write-key") != nil { throw UsageError(message: "--write-key goes with --server URL", usage: spec.usage) }
        let dir = a.dataDirectory
        var logOptions = try a.writerOptions(spec)
        if let d = a.value("--durability") {
            guard let mode = Durability(rawValue: d) else {
                throw UsageError(message: "--durability: \"\(d)\" is not one of batch, end", usage: spec.usage)
            }
            logOptions.durability = mode
        }
        var ingestOptions = IngestOptions()
        if let w = try a.int("--workers", spec, min: 1) { ingestOptions.workers = w }
        if let cc = a.value("--default-country") {
            guard let country = PhoneCountry.byISOCode(cc.uppercased()) else {
                throw UsageError(message: "--default-country: unknown country \"\(cc)\"", usage: spec.usage)
            }
            ingestOptions.normalizer = IdentifierNormalizer(defaultCountry: country)
        }
        let inputs = a.positionals.isEmpty ? ["-"] : a.positionals
        var descriptors: [(String, Int32)] = []
        var totalBytes = 0
        for path in inputs {
            if path == "-" { descriptors.append(("-", STDIN_FILENO)); continue }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                printError("daicho append: cannot open \(path): \(String(cString: strerror(errno)))")
                return ExitStatus.usageOrIO
            }
            var st = stat()
            if fstat(fd, &st) == 0 { totalBytes += Int(st.st_size) }
            descriptors.append((path, fd))
        }
        defer { for (name, fd) in descriptors where name != "-" { close(fd) } }

        let store: EventStore
        do { store = try EventStore.open(dir, options: logOptions) } catch {
            return report(error, command: "append")
        }
        // Bad settings stop the append before anything is appended (the directory exists now, so a settings
        // error is about the settings, not about a data directory that could not be created).
        let settings: ProjectionSettings
        do {
            settings = try ProjectionSettings.load(dir)
            ingestOptions.maxFutureSkewMicros = settings.profile.maxFutureSkewMicros
            store.setCompressionLevel(settings.profile.compressionLevel)
        } catch {
            // Nothing was appended; the settings error is the one to report, a failed close is said beside it.
            do { try store.close() } catch let closing { printError("daicho append: closing the log also failed: \(closing)") }
            return report(error, command: "append")
        }
        if store.recovery.droppedBytes > 0 || store.recovery.rebuiltHead { printError("daicho append: recovery: \(store.recovery.description)") }
        RejectsFile.removeAbandonedTemporaries(in: dir)
        let rejects = RejectsFile(directory: dir)
        let mapping: SegmentMapping
        do { mapping = segmentFormat ? try SegmentMapping.load(path: dir.path + "/mapping.json") : SegmentMapping() } catch {
            do { try store.close() } catch let closing { printError("daicho append: closing the log also failed: \(closing)") }
            printError("daicho append: \(dir.path)/\(error.description)")
            return ExitStatus.usageOrIO
        }
        let progress = ProgressLine(totalBytes: totalBytes)
        // The snapshot is brought up to date beside the ingest, not after it (docs/profile.md "When append writes
        // the snapshot").
        let follower = a.has("--no-snapshot") ? nil : SnapshotFollower(dir, settings: settings)
        var readers = descriptors.map { NDJSONChunkReader(fd: $0.1, name: $0.0) }.makeIterator()
        var current = readers.next()
        let summary: IngestSummary
        do {
            if segmentFormat {
                summary = try SegmentFileIngest(store: store, mapping: mapping, normalizer: ingestOptions.normalizer,
                                                maxFutureSkewMicros: ingestOptions.maxFutureSkewMicros, rejects: rejects)
                    .run(descriptors.map { (name: $0.0, fd: $0.1) })
            } else {
                summary = try store.ingest(options: ingestOptions, nextChunk: { () throws(IngestError) -> NDJSONChunk? in
                    while let r = current {
                        if let chunk = try r.next() { return chunk }
                        current = readers.next()
                    }
                    return nil
                }, onReject: { try rejects.write($0) }, onProgress: { progress.update($0) })
            }
            try rejects.close()
            try store.close()
        } catch {
            follower?.cancel()
            progress.finish()
            rejects.abandon()
            return report(error, command: "append")
        }
        progress.finish()
        var snapshot = "unchanged"
        if let follower {
            if summary.appended > 0 {
                do {
                    snapshot = try follower.finish().rawValue
                } catch {
                    printError("daicho append: the events are appended, but the profile snapshot was not updated "
                               + "(the next query catches up from the log): \(error)")
                    snapshot = "failed"
                }
            } else {
                follower.cancel()
            }
        }
        rejects.printFirstReasons(rejected: summary.rejected)
        print(jsonLine([
            JSONMember("read", count(summary.read)),
            JSONMember("appended", count(summary.appended)),
            JSONMember("duplicates", count(summary.duplicates)),
            JSONMember("rejected", count(summary.rejected)),
            JSONMember("first_offset", summary.firstOffset.map { .int(Int64($0)) } ?? .null),
            JSONMember("last_offset", summary.lastOffset.map { .int(Int64($0)) } ?? .null),
            JSONMember("seconds", decimal(summary.seconds)),
            JSONMember("rejects_file", rejects.path.map { .string($0) } ?? .null),
            JSONMember("snapshot", .string(snapshot)),
        ]))
        if snapshot == "failed" { return ExitStatus.usageOrIO }
        return summary.rejected > 0 ? ExitStatus.someRejected : ExitStatus.ok
    }
}

/// The progress line on standard error, shown only when it is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let totalBytes: Int
    private var lastPrint = 0.0
    private var shown = false

    init(totalBytes: Int) { self.totalBytes = totalBytes }

    func update(_ p: IngestProgress) {
        guard enabled, p.seconds - lastPrint >= 0.25 else { return }
        lastPrint = p.seconds
        let rate = Double(p.lines) / max(p.seconds, 1e-9)
        var line = String(format: "\r%@ lines  %@ lines/s  %.1f MB", human(Double(p.lines)), human(rate), Double(p.bytes) / 1e6)
        if totalBytes > 0 && p.bytes > 0 {
            let eta = p.seconds * Double(totalBytes - p.bytes) / Double(p.bytes)
            line += String(format: "  ETA %.0fs", max(0, eta))
        }
        writeStandardError(line + "   ")
        shown = true
    }

    func finish() {
        if shown { writeStandardError("\r\u{1B}[K") }
    }

    private func human(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.2fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }
}
