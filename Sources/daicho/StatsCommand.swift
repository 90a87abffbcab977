import Foundation
import Daicho
import DaichoJSON
import DaichoProjections

/// `daicho stats`: what the log holds and how small it is.
enum StatsCommand {
    static let spec = CommandSpec(
        name: "stats",
        summary: "Print JSON statistics of the log (events by type, times, sizes, compression) and of the identity graph.",
        usage: "daicho stats [--data DIR]",
        options: [dataOption],
        details: """
        compression_ratio is the NDJSON bytes of the appended events divided by the bytes on disk.
        profiles: living profiles; identity.merges: profiles absorbed by merges; identity.refused_merges: events whose
        identifiers would have merged profiles beyond a per-kind limit (docs/identity.md), attributed instead;
        identity.refused_identifiers: identifiers ignored as placeholders, business phone numbers or blocked_values
        (by reason: identity.refused_placeholders, refused_business_phones, refused_blocked_values);
        identity.unattributed_events: events left with no identifier.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let dir = a.dataDirectory
        let reader = try openReader(dir, command: "stats")
        let s = try LogStatistics.compute(reader)
        let (projection, _) = try loadProjection(dir, asOf: nil)
        func time(_ t: Int64?) -> JSONValue { t.map { .string(RFC3339.string(micros: $0, offsetMinutes: 0)) } ?? .null }
        let members: [JSONMember] = [
            JSONMember("events", count(s.events)),
            JSONMember("events_by_type", .object(EventType.allCases.map { JSONMember($0.name, count(s.eventsByType[$0] ?? 0)) })),
            JSONMember("first_event_time", time(s.firstEventTime)),
            JSONMember("last_event_time", time(s.lastEventTime)),
            JSONMember("first_offset", s.events > 0 ? .int(Int64(s.firstOffset)) : .null),
            JSONMember("end_offset", .int(Int64(s.endOffset))),
            JSONMember("frames", count(s.frames)),
            JSONMember("bytes_on_disk", count(s.bytesOnDisk)),
            JSONMember("uncompressed_bytes", count(s.uncompressedBytes)),
            JSONMember("ndjson_bytes", count(s.ndjsonBytes)),
            JSONMember("compression_ratio", decimal(s.compressionRatio)),
            JSONMember("profiles", count(projection.profileCount)),
            JSONMember("identity", .object([
                JSONMember("merges", count(projection.graph.merges)),
                JSONMember("refused_merges", count(projection.graph.conflicts)),
                JSONMember("refused_identifiers", count(projection.graph.refused.reduce(0, +))),
            ] + RefusalReason.allCases.map { JSONMember("refused_\($0.name)s", count(projection.graph.refused[$0.rawValue])) } + [
                JSONMember("unattributed_events", count(projection.graph.unattributedEvents)),
            ])),
            JSONMember("segment_files", .array(s.segments.map { seg in
                .object([JSONMember("file", .string(seg.path)), JSONMember("base_offset", .int(Int64(seg.baseOffset))),
                         JSONMember("events", count(seg.records)), JSONMember("bytes", count(seg.bytes))])
            })),
        ]
        print(jsonLine(members))
        return ExitStatus.ok
    }
}
