import Foundation
import Daicho
import DaichoProjections

/// `daicho export`: events back out as canonical NDJSON with their offsets.
enum ExportCommand {
    static let spec = CommandSpec(
        name: "export",
        summary: "Write events from the log as NDJSON in the canonical envelope, each with its \"offset\".",
        usage: "daicho export [--data DIR] [--from-offset N] [--to-offset N] [--type T] [--normalized-ids] [--resolve]",
        options: [
            dataOption,
            OptionSpec(name: "--from-offset", valueName: "N", help: "First offset to export (default 0)."),
            OptionSpec(name: "--to-offset", valueName: "N", help: "Last offset to export, inclusive (default: the end)."),
            OptionSpec(name: "--type", valueName: "T", help: "Only events of this type; repeat or comma-separate for several. Internal types (segment_defined, segment_dropped) are exported only when named here.", repeatable: true),
            OptionSpec(name: "--normalized-ids", valueName: nil, help: "Write normalized identifier values instead of the raw ones."),
            OptionSpec(name: "--resolve", valueName: nil, help: "Add the resolved \"profile\" id (after all merges) to every event."),
        ],
        details: """
        With raw identifiers (the default), appending the output to an empty data directory reproduces
        the same events (ingest ignores "offset").
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let dir = a.dataDirectory
        let from = UInt64(try a.int("--from-offset", spec, default: 0)!)
        let to = try a.int("--to-offset", spec).map { UInt64($0) + 1 }
        var types: Set<EventType>?
        if let names = a.values["--type"] {
            types = []
            for name in names.flatMap({ $0.split(separator: ",").map(String.init) }) {
                guard let t = EventType(name: name) else {
                    throw UsageError(message: "--type: unknown type \"\(name)\"", usage: spec.usage)
                }
                types!.insert(t)
            }
        }
        let reader = try openReader(dir, command: "export")
        let projection = a.has("--resolve") ? try loadProjection(dir, asOf: nil).0 : nil
        let writer = EventJSONWriter(normalizedIdentifiers: a.has("--normalized-ids"))
        let out = StandardOutput()
        try reader.forEach(from: from, to: to) { offset, view in
            if let types, !types.contains(view.type) { return true }
            // Internal events (segment definitions) only when asked for by type: exports re-ingest as they are.
            if types == nil, view.type.isInternal { return true }
            let event = try view.materialize()
            var extra: [(String, String)] = []
            if let projection, let p = projection.profile(ofEventAt: offset) { extra.append(("profile", projection.graph.id(of: p))) }
            out.append { writer.append(event, offset: offset, extra: extra, to: &$0) }
            return true
        }
        out.flush()
        return ExitStatus.ok
    }
}

/// Opens a data directory's log for reading, or explains that there is none.
func openReader(_ dir: DataDirectory, command: String) throws -> EventReader {
    guard dir.exists else { throw StoreError("no event log in \(dir.path) (run `daicho append` first, or pass --data)") }
    return try EventReader(dir)
}
