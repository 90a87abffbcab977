import Foundation
import Daicho
import DaichoProjections

/// `daicho export`: events back out as canonical NDJSON with their offsets.
enum ExportCommand {
    static let spec = CommandSpec(
        name: "export",
        summary: "Write events from the log as NDJSON in the canonical envelope, each with its \"offset\".",
        usage: "daicho export [--data DIR] [--from-offset N] [--to-offset N] [--since TIME] [--until TIME] [--type T] [--normalized-ids] [--resolve]",
        options: [
            dataOption,
            OptionSpec(name: "--from-offset", valueName: "N", help: "First offset to export (default 0)."),
            OptionSpec(name: "--to-offset", valueName: "N", help: "Last offset to export, inclusive (default: the end)."),
            OptionSpec(name: "--since", valueName: "TIME", help: "Only events with event time >= TIME (RFC 3339, or a date: its start in the business time zone)."),
            OptionSpec(name: "--until", valueName: "TIME", help: "Only events with event time <= TIME (RFC 3339, or a date: its end in the business time zone)."),
            OptionSpec(name: "--type", valueName: "T", help: "Only events of this type; repeat or comma-separate for several. Internal types (segment_defined, segment_dropped) are exported only when named here.", repeatable: true),
            OptionSpec(name: "--normalized-ids", valueName: nil, help: "Write normalized identifier values instead of the raw ones."),
            OptionSpec(name: "--resolve", valueName: nil, help: "Add the resolved \"profile\" id (after all merges) to every event."),
        ],
        details: """
        With raw identifiers (the default), appending the output to an empty data directory reproduces
        the same events (ingest ignores "offset"). When no event matches, nothing is printed and stderr says
        which events the filters selected from; the exit status is 0 all the same.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let dir = a.dataDirectory
        let from = UInt64(try a.int("--from-offset", spec, default: 0)!)
        let to = try a.int("--to-offset", spec).map { UInt64($0) + 1 }
        if let to, to <= from {
            throw UsageError(message: "--to-offset \(to - 1) is before --from-offset \(from): the range is empty", usage: spec.usage)
        }
        let since = try a.time("--since", spec), until = try a.time("--until", spec)
        if let since, let until, until < since {
            throw UsageError(message: "--until \(a.value("--until")!) is before --since \(a.value("--since")!): the range is empty", usage: spec.usage)
        }
        let types = try eventTypes(a, spec)
        let reader = try openReader(dir, command: "export")
        let projection = a.has("--resolve") ? try loadProjection(dir, asOf: nil).0 : nil
        let writer = EventJSONWriter(normalizedIdentifiers: a.has("--normalized-ids"))
        let out = StandardOutput()
        // Event times can be late, so a --since start skips only frames that hold nothing at or after it.
        let start = since.map { max(from, reader.offset(forTime: $0)) } ?? from
        var exported = 0
        try reader.forEach(from: start, to: to) { offset, view in
            if let types, !types.contains(view.type) { return true }
            // Internal events (segment definitions) only when asked for by type: exports re-ingest as they are.
            if types == nil, view.type.isInternal { return true }
            if let since, view.at < since { return true }
            if let until, view.at > until { return true }
            exported += 1
            let event = try view.materialize()
            var extra: [(String, String)] = []
            if let projection, let p = projection.profile(ofEventAt: offset) { extra.append(("profile", projection.graph.id(of: p))) }
            out.append { writer.append(event, offset: offset, extra: extra, to: &$0) }
            return true
        }
        out.flush()
        if exported == 0 { printError("daicho export: no event matched: \(emptyReason(a, from: from, to: to, end: reader.endOffset))") }
        return ExitStatus.ok
    }

    /// What an export that printed nothing looked at, so an empty answer is never silent.
    static func emptyReason(_ a: ParsedArguments, from: UInt64, to: UInt64?, end: UInt64) -> String {
        if end == 0 { return "the log is empty" }
        if from >= end { return "--from-offset \(from) is at or past the end of the log (offsets 0-\(end - 1))" }
        var filters: [String] = []
        for name in ["--type", "--since", "--until"] {
            if let v = a.values[name] { filters.append("\(name) \(v.joined(separator: ","))") }
        }
        let last = min(to ?? end, end) - 1
        let range = "offsets \(from)-\(last)"
        return filters.isEmpty ? "\(range) hold only internal events"
            : "none of the \(last - from + 1) events in \(range) has \(filters.joined(separator: " and "))"
    }
}

/// The event types named by `--type` (repeated or comma-separated), or nil when it is absent.
func eventTypes(_ a: ParsedArguments, _ spec: CommandSpec) throws(UsageError) -> Set<EventType>? {
    guard let names = a.values["--type"] else { return nil }
    var types: Set<EventType> = []
    for name in names.flatMap({ $0.split(separator: ",").map(String.init) }) {
        guard let t = EventType(name: name) else {
            let known = EventType.allCases.map(\.name).joined(separator: ", ")
            throw UsageError(message: "--type: unknown type \"\(name)\" (known: \(known))", usage: spec.usage)
        }
        types.insert(t)
    }
    return types
}

/// Opens a data directory's log for reading, or explains that there is none.
func openReader(_ dir: DataDirectory, command: String) throws -> EventReader {
    guard dir.exists else { throw StoreError.noLog(in: dir.path) }
    return try EventReader(dir)
}
