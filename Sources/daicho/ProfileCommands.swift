import Daicho
import DaichoJSON
import DaichoProjections
import DaichoSegments
import Foundation

/// Options shared by the profile queries: which customer, and as of when.
enum CustomerSelector {
    static let options: [OptionSpec] = [
        OptionSpec(name: "--id", valueName: "ID", help: "Profile id (absorbed ids resolve too)."),
        OptionSpec(name: "--user-id", valueName: "V", help: "By user id."),
        OptionSpec(name: "--email", valueName: "V", help: "By e-mail (normalized as ingest does)."),
        OptionSpec(name: "--phone", valueName: "V", help: "By phone number (any format; default country JP)."),
        OptionSpec(name: "--anonymous-id", valueName: "V", help: "By anonymous id."),
        OptionSpec(name: "--device-id", valueName: "V", help: "By device id."),
        OptionSpec(name: "--handle", valueName: "PLATFORM:HANDLE", help: "By social handle, e.g. x:@taro or line:U123."),
    ]
    static let asOfOption = OptionSpec(name: "--as-of", valueName: "TIME",
                                       help: "The view as it was at TIME (RFC 3339, or a date: its end in the business time zone): events with event time <= TIME.")

    /// How to find the customer the arguments select, and how to name the selector in a message; checked before
    /// any view is loaded, so a value that cannot select anyone is a usage error at once.
    static func selection(_ a: ParsedArguments, _ spec: CommandSpec) throws(UsageError) -> (lookup: CustomerKey, described: String) {
        let given = options.filter { a.value($0.name) != nil }
        guard given.count == 1, let option = given.first, let value = a.value(option.name) else {
            throw UsageError(message: "give exactly one of \(options.map(\.name).joined(separator: ", "))", usage: spec.usage)
        }
        // Every identifier kind is masked the same way (docs/identity.md "Privacy"). A profile id is no personal data,
        // and --id takes nothing else: checkProfileID refuses any other value (masked) before `described` is used.
        let maskKind: IdentifierKind = option.name == "--email" || value.contains("@") ? .email : option.name == "--phone" ? .phone : .userID
        let described = "\(option.name) \(option.name == "--id" ? value : IdentifierMask.mask(value, kind: maskKind))"
        let kind: IdentifierKind, raw: String
        switch option.name {
        case "--id":
            try checkProfileID(value, spec)
            return (.id(value), described)
        case "--handle":
            guard let colon = value.firstIndex(of: ":"), let k = IdentifierKind.named(String(value[..<colon]).lowercased()),
                  k.identifierClass == .socialHandle else {
                throw UsageError(message: "--handle: expected PLATFORM:HANDLE with a known platform, got \"\(value)\"", usage: spec.usage)
            }
            (kind, raw) = (k, String(value[value.index(after: colon)...]))
        default:
            (kind, raw) = (IdentifierKind.named(String(option.name.dropFirst(2)).replacingOccurrences(of: "-", with: "_"))!, value)
        }
        // A value ingest would refuse can match nobody: say why (exit 2) instead of "no profile matches" (exit 3).
        if case .failure(let why) = IdentifierNormalizer().normalize(raw, kind: kind) {
            throw UsageError(message: "\(option.name): \"\(IdentifierMask.mask(raw, kind: kind))\" cannot be normalized: \(why)", usage: spec.usage)
        }
        return (.identifier(kind, raw), described)
    }

    /// Refuses an `--id` value that is not a profile id (`p-` and 16 hex digits), suggesting the selector it looks
    /// like it was meant for; the value is masked as that kind.
    static func checkProfileID(_ value: String, _ spec: CommandSpec) throws(UsageError) {
        guard !(value.hasPrefix("p-") && value.utf8.count == 18 && UInt64(value.dropFirst(2), radix: 16) != nil) else { return }
        let looksLikeEmail = value.contains("@") || value.contains("＠")
        let looksLikePhone = !looksLikeEmail && value.allSatisfy({ $0.isNumber || "+-() 　－（）＋".contains($0) })
            && (try? IdentifierNormalizer().normalize(value, kind: .phone).get()) != nil
        let suggestion = looksLikeEmail ? "; for an e-mail address use --email"
            : looksLikePhone ? "; for a phone number use --phone"
            : "; to look a customer up by another identifier use --user-id, --anonymous-id, --device-id or --handle"
        let shown = IdentifierMask.mask(value, kind: looksLikeEmail ? .email : looksLikePhone ? .phone : .userID)
        throw UsageError(message: "--id: \"\(shown)\" is not a profile id (\"p-\" and 16 hex digits, as `profile` prints)\(suggestion)",
                         usage: spec.usage)
    }

    /// Loads the present views (segments too when `withSegments`) and finds the selected customer; prints the
    /// one-line message and returns nil when none matches.
    static func select(_ a: ParsedArguments, _ spec: CommandSpec, withSegments: Bool) throws -> (QueryViews, UInt32)? {
        let (lookup, described) = try selection(a, spec)
        let views = try withSegments ? QueryViews.load(a.dataDirectory, asOf: nil) : QueryViews(profilesOf: a.dataDirectory, asOf: nil)
        guard let p = lookup.find(in: views.profiles) else {
            printError("daicho \(spec.name): no profile matches \(described)")
            return nil
        }
        return (views, p)
    }

    /// What a one-customer query reads from the snapshot alone (docs/profile.md "One customer").
    enum FromSnapshot {
        /// The snapshot answered: the customer (nil: none matches; the message is printed), the snapshot, and the
        /// reader of the log it covers.
        case answered(UInt32?, SnapshotProfiles, EventReader)
        /// The snapshot cannot answer alone: the caller loads the views (which print any notice).
        case loadViews
    }

    /// Finds the selected customer in the snapshot alone when it can answer: no `--as-of`, a valid snapshot that
    /// covers the whole log (no tail to apply) and, when `withSegments`, a log that defines no segment. A damaged
    /// block is reported on stderr and the caller loads the views, which rebuild them.
    static func fromSnapshot(_ a: ParsedArguments, _ spec: CommandSpec, withSegments: Bool) throws -> FromSnapshot {
        guard try a.time("--as-of", spec) == nil else { return .loadViews }
        let (lookup, described) = try selection(a, spec)
        let dir = a.dataDirectory
        let reader = try openReader(dir, command: spec.name)
        guard case .opened(let snapshot) = SnapshotProfiles.open(dir, settings: try ProjectionSettings.load(dir), proving: reader),
              snapshot.nextOffset == reader.endOffset, !(withSegments && snapshot.internalEvents > 0) else { return .loadViews }
        do {
            guard let p = try lookup.find(in: snapshot) else {
                printError("daicho \(spec.name): no profile matches \(described)")
                return .answered(nil, snapshot, reader)
            }
            return .answered(p, snapshot, reader)
        } catch {
            printError("daicho: notice: \(error); reading the full snapshot instead")
            return .loadViews
        }
    }

    /// Finds the selected customer as of `asOf` (`AsOfCustomer`: from an as-of checkpoint when it can answer, else
    /// the whole as-of view), printing notices on stderr; prints the one-line message and returns nil when none
    /// matches.
    static func asOf(_ a: ParsedArguments, _ spec: CommandSpec, at asOf: Int64, withSegments: Bool) throws -> AsOfCustomer? {
        let (key, described) = try selection(a, spec)
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        let found = try AsOfCustomer.find(dir, key: key, asOf: asOf, withSegments: withSegments) { printError("daicho: notice: \($0)") }
        if found == nil { printError("daicho \(spec.name): no profile matches \(described)") }
        return found
    }
}

/// What the profile queries read: the profiles, and the segments when the log defines any.
struct QueryViews {
    let profiles: ProfileProjection
    let reader: EventReader
    let segments: SegmentProjection?

    /// The profiles only (snapshot + tail), printing a snapshot notice on stderr.
    init(profilesOf dir: DataDirectory, asOf: Int64?) throws {
        (profiles, reader) = try loadProjection(dir, asOf: asOf)
        segments = nil
    }

    private init(segments: SegmentProjection, reader: EventReader) {
        profiles = segments.profiles
        self.reader = reader
        self.segments = segments
    }

    /// The profiles, and the segments too when the log has ever defined one.
    static func load(_ dir: DataDirectory, asOf: Int64?) throws -> QueryViews {
        let views = try QueryViews(profilesOf: dir, asOf: asOf)
        guard views.profiles.internalEvents > 0 else { return views }
        let (segments, reader) = try SegmentLoader.load(dir, asOf: asOf)
        SegmentCommand.printNotice(segments)
        return QueryViews(segments: segments, reader: reader)
    }

    /// The profile JSON of docs/profile.md, with `segments`: the memberships and when each began.
    func json(of p: UInt32, now: Int64) -> JSONValue {
        SegmentProjection.profileJSON(profiles.json(of: p, now: now), memberships: segments?.memberships(of: p) ?? [])
    }
}

/// Loads the projection for a query, printing a snapshot notice on stderr.
func loadProjection(_ dir: DataDirectory, asOf: Int64?) throws -> (ProfileProjection, EventReader) {
    let (projection, reader, notice) = try ProjectionLoader.load(dir, asOf: asOf)
    if let notice { printError("daicho: notice: \(notice)") }
    return (projection, reader)
}


/// `daicho profile`: one customer's unified profile.
enum ProfileCommand {
    static let spec = CommandSpec(
        name: "profile",
        summary: "Print one customer's profile (identity, traits, web, commerce, support, social) as JSON.",
        usage: "daicho profile [--data DIR] (--id ID | --user-id V | --email V | --phone V | --anonymous-id V | --device-id V | --handle PLATFORM:HANDLE) [--as-of TIME]",
        options: [dataOption] + CustomerSelector.options + [CustomerSelector.asOfOption],
        details: "Exit status: 0 found, 3 no profile matches (one line on stderr), 2 usage or I/O error. Fields: docs/profile.md.")

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        if case .answered(let found, let snapshot, _) = try CustomerSelector.fromSnapshot(a, spec, withSegments: true) {
            guard let p = found else { return ExitStatus.notFound }
            do {
                // No segment is defined (fromSnapshot checked): the segments member is empty, as QueryViews prints it.
                let json = SegmentProjection.profileJSON(try snapshot.json(of: p, now: wallClockMicros()), memberships: [])
                print(jsonLine(members(json)))
                return ExitStatus.ok
            } catch {
                printError("daicho: notice: \(error); reading the full snapshot instead")
            }
        }
        if let asOf = try a.time("--as-of", spec) {
            guard let found = try CustomerSelector.asOf(a, spec, at: asOf, withSegments: true) else { return ExitStatus.notFound }
            print(jsonLine(members(found.json)))
            return ExitStatus.ok
        }
        guard let (views, p) = try CustomerSelector.select(a, spec, withSegments: true) else { return ExitStatus.notFound }
        print(jsonLine(members(views.json(of: p, now: wallClockMicros()))))
        return ExitStatus.ok
    }
}

/// `daicho profiles`: every profile as NDJSON (the warehouse export).
enum ProfilesCommand {
    static let spec = CommandSpec(
        name: "profiles",
        summary: "Stream every customer profile as NDJSON, oldest profile first.",
        usage: "daicho profiles [--data DIR] [--as-of TIME]",
        options: [dataOption, CustomerSelector.asOfOption],
        details: "")

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let asOf = try a.time("--as-of", spec)
        let views = try QueryViews.load(a.dataDirectory, asOf: asOf)
        let now = asOf ?? wallClockMicros()
        let out = StandardOutput()
        for p in views.profiles.livingProfiles {
            out.append {
                EventJSONWriter.appendValue(views.json(of: p, now: now), to: &$0)
                $0.append(0x0A)
            }
        }
        out.flush()
        return ExitStatus.ok
    }
}

/// `daicho timeline`: one customer's events, newest first.
enum TimelineCommand {
    static let spec = CommandSpec(
        name: "timeline",
        summary: "Print one customer's events (all their identifiers, after merges) newest first as NDJSON.",
        usage: "daicho timeline [--data DIR] (--id ID | --user-id V | --email V | ...) [--type T] [--limit N] [--as-of TIME]",
        options: [dataOption] + CustomerSelector.options + [
            OptionSpec(name: "--type", valueName: "T", help: "Only events of this type; repeat or comma-separate for several.", repeatable: true),
            OptionSpec(name: "--limit", valueName: "N", help: "At most N events (default: all)."),
            CustomerSelector.asOfOption,
        ],
        details: "Each line is the canonical envelope with \"offset\" and \"profile\". Exit status 3 when no profile matches.")

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let limit = try a.int("--limit", spec, min: 0)
        let types = try eventTypes(a, spec)
        var found: (events: [(UInt64, Event)], id: String)?
        if case .answered(let p, let snapshot, let reader) = try CustomerSelector.fromSnapshot(a, spec, withSegments: false) {
            guard let p else { return ExitStatus.notFound }
            do {
                let offsets = try snapshot.eventOffsets(of: p), id = try snapshot.id(of: p)
                found = (try Timeline.events(at: offsets, reader: reader, limit: limit, types: types), id)
            } catch let error as SnapshotError {
                printError("daicho: notice: \(error); reading the full snapshot instead")
            }
        }
        if found == nil, let asOf = try a.time("--as-of", spec) {
            guard let c = try CustomerSelector.asOf(a, spec, at: asOf, withSegments: false) else { return ExitStatus.notFound }
            found = (try c.events(limit: limit, types: types), c.profiles.graph.id(of: c.profile))
        }
        if found == nil {
            guard let (views, p) = try CustomerSelector.select(a, spec, withSegments: false) else { return ExitStatus.notFound }
            found = (try Timeline.events(of: p, in: views.profiles, reader: views.reader, limit: limit, types: types),
                     views.profiles.graph.id(of: p))
        }
        let (events, id) = found!
        let writer = EventJSONWriter()
        let out = StandardOutput()
        for (offset, event) in events {
            out.append { writer.append(event, offset: offset, extra: [("profile", id)], to: &$0) }
        }
        out.flush()
        return ExitStatus.ok
    }
}

/// `daicho replay`: rebuild every view from offset 0 and write a snapshot.
enum ReplayCommand {
    static let spec = CommandSpec(
        name: "replay",
        summary: "Rebuild the identity graph, every profile and every segment from offset 0; write a snapshot (of the whole log only).",
        usage: "daicho replay [--data DIR] [--until TIME | --to-offset N]",
        options: [
            dataOption,
            OptionSpec(name: "--until", valueName: "TIME", help: "Apply only events with event time <= TIME (RFC 3339, or a date: its end in the business time zone). Writes no snapshot."),
            OptionSpec(name: "--to-offset", valueName: "N", help: "Apply events up to offset N inclusive. Writes no snapshot: the one of the whole log stays."),
        ],
        details: #"Prints {"events":N,"profiles":N,"segments":N,"feed_records":N,"seconds":X,"events_per_second":X,"resident_bytes":N}. Progress on stderr when it is a terminal."#)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        if a.value("--until") != nil && a.value("--to-offset") != nil {
            throw UsageError(message: "give --until or --to-offset, not both", usage: spec.usage)
        }
        let dir = a.dataDirectory
        let until = try a.time("--until", spec)
        let end = try a.int("--to-offset", spec).map { UInt64($0) + 1 }
        let logEnd = try openReader(dir, command: "replay").endOffset
        if let end, end > logEnd {
            let last = logEnd == 0 ? "the log is empty" : "the log's last offset is \(logEnd - 1)"
            throw UsageError(message: "--to-offset \(end - 1) is past the end: \(last)", usage: spec.usage)
        }
        let settings = try ProjectionSettings.load(dir)
        let progress = ProgressLine(totalBytes: 0)
        let started = Date()
        // A partial replay writes no snapshot: it would replace the snapshot of the whole log (the next query would
        // catch up on the rest of the log instead of loading it).
        let partial = end.map { $0 < logEnd } ?? false
        let segments = try SegmentLoader.replay(dir, settings: settings, asOf: until, to: end, writeSnapshots: !partial) { n in
            progress.update(IngestProgress(lines: n, bytes: 0, seconds: Date().timeIntervalSince(started)))
        }
        let seconds = Date().timeIntervalSince(started)
        progress.finish()
        let projection = segments.profiles
        let events = Int(projection.nextOffset)
        if until != nil || partial {
            printError("daicho replay: notice: a partial replay (\(until != nil ? "--until" : "--to-offset")) writes no snapshot; the snapshot of the whole log is kept")
        }
        print(jsonLine([
            JSONMember("events", count(events)),
            JSONMember("profiles", count(projection.profileCount)),
            JSONMember("segments", count(segments.definitions.count)),
            JSONMember("feed_records", count(Int(segments.feedCount))),
            JSONMember("seconds", decimal(seconds)),
            JSONMember("events_per_second", .int(Int64(Double(events) / max(seconds, 1e-9)))),
            JSONMember("resident_bytes", count(residentBytes())),
        ]))
        return ExitStatus.ok
    }
}

/// The members of a JSON object value.
func members(_ v: JSONValue) -> [JSONMember] {
    if case .object(let m) = v { return m }
    return []
}

/// This process's resident memory (VmRSS from /proc/self/statm), for memory reports.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
