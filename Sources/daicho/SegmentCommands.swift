import Daicho
import DaichoJSON
import DaichoLog
import DaichoProjections
import DaichoSegments
import Foundation

/// `daicho segment define|drop|list|members|history`: segment definitions, memberships and sizes (docs/segments.md).
enum SegmentCommand {
    static let spec = CommandSpec(
        name: "segment",
        summary: "Define, drop, list segments and print their members and size history.",
        usage: """
        daicho segment define NAME ('RULE' | --rule-file FILE) [--description TEXT] [--data DIR] [--wait-lock SECONDS]
               daicho segment drop NAME [--data DIR] [--wait-lock SECONDS]
               daicho segment list [--data DIR] [--as-of TIME]
               daicho segment members NAME [--data DIR] [--as-of TIME]
               daicho segment history NAME [--data DIR] [--from DATE] [--to DATE] [--as-of TIME]
        """,
        options: [
            dataOption,
            waitLockOption,
            OptionSpec(name: "--description", valueName: "TEXT", help: "define: free text for people."),
            OptionSpec(name: "--rule-file", valueName: "FILE", help: "define: read the rule from FILE (UTF-8; - for stdin) instead of the argument."),
            OptionSpec(name: "--as-of", valueName: "TIME", help: "list, members, history: as it was at TIME (RFC 3339): events with event time <= TIME."),
            OptionSpec(name: "--from", valueName: "DATE", help: "history: the first business day (YYYY-MM-DD; default 29 days before --to)."),
            OptionSpec(name: "--to", valueName: "DATE", help: "history: the last business day (YYYY-MM-DD; default the segment clock's day, today for the present view)."),
        ],
        details: """
        define prints {"segment","offset","defined_at","members"} (members after the backfill); a rule that does not
        check prints line:column, the rule line with a caret under the place, and what was expected (exit 2). The
        rule language: docs/segments.md.
        list prints one JSON line per segment: {"name","rule","description","members","defined_at","offset","history"}
        (history: the size per business day over the last 30 days, [{"day","entered","exited","members"}…]).
        members prints NDJSON {"profile","since"}; exit 3 when no such segment exists.
        history prints {"name","from","to","history":[{"day","entered","exited","members"}…]}: the size per business
        day, every day of the range (at most 3660); exit 3 when no such segment exists.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        guard let action = a.positionals.first else {
            throw UsageError(message: "missing action: define, drop, list, members or history", usage: spec.usage)
        }
        let rest = Array(a.positionals.dropFirst())
        func expect(_ n: Int, _ what: String) throws {
            guard rest.count == n else { throw UsageError(message: "segment \(action) takes \(what)", usage: spec.usage) }
        }
        switch action {
        case "define":
            if let file = a.value("--rule-file") {
                try expect(1, "NAME and --rule-file FILE, or NAME and 'RULE'")
                return try define(a, name: rest[0], rule: try readRule(file))
            }
            try expect(2, "NAME and 'RULE' (quote the rule), or NAME and --rule-file FILE")
            return try define(a, name: rest[0], rule: rest[1])
        case "drop":
            try expect(1, "NAME")
            return try drop(a, name: rest[0])
        case "list":
            try expect(0, "no arguments")
            return try list(a)
        case "members":
            try expect(1, "NAME")
            return try members(a, name: rest[0])
        case "history":
            try expect(1, "NAME")
            return try history(a, name: rest[0])
        default:
            throw UsageError(message: "unknown action '\(action)' (define, drop, list, members, history)", usage: spec.usage)
        }
    }

    /// The rule text of `--rule-file FILE` (`-`: standard input).
    private static func readRule(_ file: String) throws -> String {
        let data: Data?
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: file)
        }
        guard let data else {
            throw UsageError(message: "--rule-file \(file): cannot read the file", usage: spec.usage)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError(message: "--rule-file \(file): the rule is not UTF-8 text", usage: spec.usage)
        }
        return text
    }

    private static func define(_ a: ParsedArguments, name: String, rule: String) throws -> Int32 {
        let dir = a.dataDirectory
        let time = wallClockMicros()
        let offset: UInt64
        do {
            offset = try appending(dir, options: try a.writerOptions(spec)) { store in
                try SegmentDefinitions.define(name: name, rule: rule, description: a.value("--description") ?? "",
                                              in: store, at: time)
            }
        } catch let error as RuleError {
            printError("daicho segment define: the rule does not check\n\(error)")
            return ExitStatus.usageOrIO
        }
        // The backfill happens here: the members are those of the new definition as of its offset.
        let segments: SegmentProjection
        do {
            segments = try SegmentLoader.refreshSnapshot(dir)
        } catch {
            printError("daicho segment define: the definition is appended at offset \(offset), but its members could not be computed: \(error)")
            return ExitStatus.usageOrIO
        }
        let members = segments.definitions.first { $0.name == name }?.members ?? 0
        print(jsonLine([JSONMember("segment", .string(name)), JSONMember("offset", .int(Int64(offset))),
                        JSONMember("defined_at", .string(RFC3339.string(micros: time, offsetMinutes: 0))),
                        JSONMember("members", count(members))]))
        return ExitStatus.ok
    }

    private static func drop(_ a: ParsedArguments, name: String) throws -> Int32 {
        let dir = a.dataDirectory
        let (segments, _) = try SegmentLoader.load(dir)
        printNotice(segments)
        guard segments.definitions.contains(where: { $0.name == name }) else {
            printError("daicho segment drop: no segment named \"\(name)\"")
            return ExitStatus.notFound
        }
        let offset = try appending(dir, options: try a.writerOptions(spec)) {
            try SegmentDefinitions.drop(name: name, in: $0, references: segments.segmentReferences)
        }
        do {
            try SegmentLoader.refreshSnapshot(dir)
        } catch {
            printError("daicho segment drop: the drop is appended at offset \(offset), but the snapshot could not be updated: \(error)")
            return ExitStatus.usageOrIO
        }
        print(jsonLine([JSONMember("segment", .string(name)), JSONMember("offset", .int(Int64(offset))),
                        JSONMember("members_exited", count(segments.members(of: name)?.count ?? 0))]))
        return ExitStatus.ok
    }

    /// Opens the log of `dir`, runs `body` with it and closes it; a failed close (the final sync) is an error,
    /// never reported as success. When `body` throws, its error wins and a failed close is printed beside it.
    private static func appending<T>(_ dir: DataDirectory, options: LogOptions,
                                     _ body: (EventStore) throws -> T) throws -> T {
        let store = try EventStore.open(dir, options: options)
        let result: T
        do {
            result = try body(store)
        } catch {
            do { try store.close() } catch let closing { printError("daicho segment: closing the log also failed: \(closing)") }
            throw error
        }
        try store.close()
        return result
    }

    /// Prints why the view was rebuilt by replay instead of restored from its snapshot, when it was.
    static func printNotice(_ segments: SegmentProjection) {
        if let notice = segments.notice { printError("daicho: notice: \(notice)") }
    }

    private static func list(_ a: ParsedArguments) throws -> Int32 {
        let (segments, _) = try SegmentLoader.load(a.dataDirectory, asOf: try a.time("--as-of", spec))
        printNotice(segments)
        for s in segments.definitions { print(jsonLine(daicho.members(s.json))) }
        return ExitStatus.ok
    }

    private static func history(_ a: ParsedArguments, name: String) throws -> Int32 {
        func day(_ option: String) throws -> Int32? {
            guard let text = a.value(option) else { return nil }
            guard let day = SegmentDay.day(text) else {
                throw UsageError(message: "\(option) \(text): not a date YYYY-MM-DD", usage: spec.usage)
            }
            return day
        }
        let from = try day("--from"), to = try day("--to")
        let (segments, _) = try SegmentLoader.load(a.dataDirectory, asOf: try a.time("--as-of", spec))
        printNotice(segments)
        let range: SegmentHistoryRange?
        do throws(HistoryRangeError) { range = try segments.history(of: name, from: from, to: to) } catch {
            throw UsageError(message: error.description, usage: spec.usage)
        }
        guard let range else {
            printError("daicho segment history: no segment named \"\(name)\"")
            return ExitStatus.notFound
        }
        print(jsonLine(daicho.members(range.json)))
        return ExitStatus.ok
    }

    private static func members(_ a: ParsedArguments, name: String) throws -> Int32 {
        let (segments, _) = try SegmentLoader.load(a.dataDirectory, asOf: try a.time("--as-of", spec))
        printNotice(segments)
        guard let members = segments.members(of: name) else {
            printError("daicho segment members: no segment named \"\(name)\"")
            return ExitStatus.notFound
        }
        let out = StandardOutput()
        for m in members {
            out.append {
                EventJSONWriter.appendValue(.object([
                    JSONMember("profile", .string(segments.profiles.graph.id(of: m.profile))),
                    JSONMember("since", .string(RFC3339.string(micros: m.since, offsetMinutes: 0))),
                ]), to: &$0)
                $0.append(0x0A)
            }
        }
        out.flush()
        return ExitStatus.ok
    }
}
