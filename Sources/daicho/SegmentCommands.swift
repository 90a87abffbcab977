import Daicho
import DaichoJSON
import DaichoProjections
import DaichoSegments
import Foundation

/// `daicho segment define|drop|list|members`: segment definitions and memberships (docs/segments.md).
enum SegmentCommand {
    static let spec = CommandSpec(
        name: "segment",
        summary: "Define, drop, list segments and print their members.",
        usage: """
        daicho segment define NAME 'RULE' [--description TEXT] [--data DIR] [--wait-lock SECONDS]
               daicho segment drop NAME [--data DIR] [--wait-lock SECONDS]
               daicho segment list [--data DIR] [--as-of TIME]
               daicho segment members NAME [--data DIR] [--as-of TIME]
        """,
        options: [
            dataOption,
            waitLockOption,
            OptionSpec(name: "--description", valueName: "TEXT", help: "define: free text for people."),
            OptionSpec(name: "--as-of", valueName: "TIME", help: "list, members: as it was at TIME (RFC 3339): events with event time <= TIME."),
        ],
        details: """
        define prints {"segment","offset","defined_at"}; a rule that does not check prints line:column, the rule
        line with a caret under the place, and what was expected (exit 2). The rule language: docs/segments.md.
        list prints one JSON line per segment: {"name","rule","description","members","defined_at","offset"}.
        members prints NDJSON {"profile","since"}; exit 3 when no such segment exists.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        guard let action = a.positionals.first else {
            throw UsageError(message: "missing action: define, drop, list or members", usage: spec.usage)
        }
        let rest = Array(a.positionals.dropFirst())
        func expect(_ n: Int, _ what: String) throws {
            guard rest.count == n else { throw UsageError(message: "segment \(action) takes \(what)", usage: spec.usage) }
        }
        switch action {
        case "define":
            try expect(2, "NAME and 'RULE' (quote the rule)")
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
        default:
            throw UsageError(message: "unknown action '\(action)' (define, drop, list, members)", usage: spec.usage)
        }
    }

    private static func define(_ a: ParsedArguments, name: String, rule: String) throws -> Int32 {
        let store = try EventStore.open(a.dataDirectory, options: try a.writerOptions(spec))
        let time = wallClockMicros()
        let offset: UInt64
        do {
            defer { try? store.close() }
            offset = try SegmentDefinitions.define(name: name, rule: rule, description: a.value("--description") ?? "",
                                                   in: store, at: time)
        } catch let error as RuleError {
            printError("daicho segment define: the rule does not check\n\(error)")
            return ExitStatus.usageOrIO
        }
        refreshSnapshot(a.dataDirectory)
        print(jsonLine([JSONMember("segment", .string(name)), JSONMember("offset", .int(Int64(offset))),
                        JSONMember("defined_at", .string(RFC3339.string(micros: time, offsetMinutes: 0)))]))
        return ExitStatus.ok
    }

    private static func drop(_ a: ParsedArguments, name: String) throws -> Int32 {
        let dir = a.dataDirectory
        let (segments, _) = try SegmentLoader.load(dir)
        guard segments.definitions.contains(where: { $0.name == name }) else {
            printError("daicho segment drop: no segment named \"\(name)\"")
            return ExitStatus.notFound
        }
        let store = try EventStore.open(dir, options: try a.writerOptions(spec))
        let offset: UInt64
        do {
            defer { try? store.close() }
            offset = try SegmentDefinitions.drop(name: name, in: store)
        }
        refreshSnapshot(dir)
        print(jsonLine([JSONMember("segment", .string(name)), JSONMember("offset", .int(Int64(offset))),
                        JSONMember("members_exited", count(segments.members(of: name)?.count ?? 0))]))
        return ExitStatus.ok
    }

    /// Backfills the new definition into the snapshot now, so later queries start from it.
    private static func refreshSnapshot(_ dir: DataDirectory) {
        do {
            try SegmentLoader.refreshSnapshot(dir)
        } catch {
            printError("daicho segment: notice: the definition is appended, but the snapshot was not updated: \(error)")
        }
    }

    private static func list(_ a: ParsedArguments) throws -> Int32 {
        let (segments, _) = try SegmentLoader.load(a.dataDirectory, asOf: try a.time("--as-of", spec))
        for s in segments.definitions {
            var line = [
                JSONMember("name", .string(s.name)), JSONMember("rule", .string(s.rule)),
                JSONMember("description", .string(s.description)), JSONMember("members", count(s.members)),
                JSONMember("defined_at", .string(RFC3339.string(micros: s.definedAt, offsetMinutes: 0))),
                JSONMember("offset", .int(Int64(s.definedOffset))),
            ]
            if let error = s.error { line.append(JSONMember("error", .string(error))) }
            print(jsonLine(line))
        }
        return ExitStatus.ok
    }

    private static func members(_ a: ParsedArguments, name: String) throws -> Int32 {
        let (segments, _) = try SegmentLoader.load(a.dataDirectory, asOf: try a.time("--as-of", spec))
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
