import Daicho
import DaichoHTTP
import DaichoJSON
import DaichoProjections
import DaichoSegments
import Foundation

/// The calls of Segment's Profile API that `daicho serve` answers.
enum ProfileAPICall: String {
    case traits, events, externalIDs = "external_ids", metadata
}

/// Segment's Profile API (`GET /v1/spaces/{space}/collections/users/profiles/{id_type}:{value}/{call}`,
/// docs/http-api.md "Segment's Profile API"), for tools written against it: the same customer as
/// `GET /v1/profiles/{selector}`, in Segment's response shapes, paged with `limit` and `next`.
struct ProfileAPIRoutes {
    let views: ServerViews
    let directory: DataDirectory

    /// Segment's 404 body for a profile nobody matches (its message names no value).
    static let notFound = ResponseFailure(.error(404, "Profile was not found."))

    /// Answers `call` for the profile `selector` (a path segment) of a request to `path` with `query`.
    func respond(_ call: ProfileAPICall, selector: Substring, path: Substring, query rawQuery: Substring) throws(ResponseFailure) -> HTTPResponse {
        let s = try SegmentIDType.selector(pathSegment: selector)
        let query = QueryParameters(rawQuery)
        let json: JSONValue
        switch call {
        case .traits: json = try traits(s, query, cursor: try cursor(path, rawQuery, query, max: 200))
        case .externalIDs: json = try externalIDs(s, query, cursor: try cursor(path, rawQuery, query, max: 100))
        case .events: json = try events(s, query, cursor: try cursor(path, rawQuery, query, max: 100))
        case .metadata: json = try metadata(s)
        }
        return .json(200, IngestRoutes.bytes(json))
    }

    /// `traits`: `{"traits":{key: value},"cursor":…}` ordered by key, `include=a,b` keeps those keys, `next` is the
    /// first key of the page; with `verbose=true` each value is `{value, source_id, updated_at}` of the identify
    /// that set it. `class=audience` answers the segments the profile is a member of instead, each `true` (verbose:
    /// `updated_at` when it entered); `class=computed_trait` is refused (Daicho keeps none by that name).
    func traits(_ s: ProfileSelector, _ query: QueryParameters, cursor: SegmentProfileCursor) throws(ResponseFailure) -> JSONValue {
        let verbose = try Self.flag(query, "verbose")
        let include = Self.list(query["include"])
        let audiences: Bool
        switch query["class"] {
        case nil: audiences = false
        case "audience": audiences = true
        case "computed_trait":
            throw ResponseFailure(.error(400, "class=computed_trait: Daicho keeps no computed traits by that name; the profile's computed fields (commerce, web, support, social) are in GET /v1/profiles/{selector}", code: "validation_error"))
        case let other?:
            throw ResponseFailure(.error(400, "class: \"\(other.prefix(32))\" is not audience or computed_trait", code: "validation_error"))
        }
        // Each entry: the key, its value, and what verbose adds (the offset of the identify that set it, or the
        // time a membership began).
        var entries: [(key: String, value: JSONValue, offset: UInt64?, since: Int64?)] = try find(s) { segments, p in
            if audiences {
                return segments.memberships(of: p).map { ($0.segment, .bool(true), nil, $0.since) }
            }
            guard case .object(let members)? = segments.profiles.json(of: p, now: wallClockMicros())["traits"] else { return [] }
            let offsets = verbose ? Dictionary(segments.profiles.traitOffsets(of: p).map { ($0.key, $0.offset) }, uniquingKeysWith: { a, _ in a }) : [:]
            return members.map { ($0.key, $0.value, offsets[$0.key], nil) }
        }
        entries.sort { $0.key < $1.key }
        if let include { entries.removeAll { !include.contains($0.key) } }
        if let first = query["next"] ?? query["cursor"] { entries.removeAll { $0.key < first } }
        let page = entries.prefix(cursor.limit)
        let setters = verbose ? try read(offsets: page.compactMap(\.offset)) : [:]
        let traits: [JSONMember] = page.map { entry in
            guard verbose else { return JSONMember(entry.key, entry.value) }
            let setter = entry.offset.flatMap { setters[$0] }
            let updated = entry.since ?? setter?.at
            return JSONMember(entry.key, .object([
                JSONMember("value", entry.value),
                JSONMember("source_id", setter?.source.map(JSONValue.string) ?? .null),
                JSONMember("updated_at", updated.map { .string(RFC3339.string(micros: $0, offsetMinutes: 0)) } ?? .null),
            ]))
        }
        return .object([JSONMember("traits", .object(traits)),
                        JSONMember("cursor", cursor.json(next: entries.count > page.count ? entries[page.count].key : nil))])
    }

    /// `external_ids`: `{"data":[{id, type, source_id, collection, created_at, encoding, first_message_id}],
    /// "cursor":…}`, one per identifier of the profile (normalized), in the order they were linked;
    /// `include=user_id,email` keeps those types; `created_at`, `source_id` and `first_message_id` are those of the
    /// event that linked it.
    func externalIDs(_ s: ProfileSelector, _ query: QueryParameters, cursor: SegmentProfileCursor) throws(ResponseFailure) -> JSONValue {
        let include = Self.list(query["include"])
        let linked = try find(s) { segments, p in
            segments.profiles.graph.identifiers(of: p).map { (kind: IdentifierKind.all[Int($0.kind)].name, value: $0.value, offset: $0.linkedAt) }
        }
        var ids = linked.sorted { ($0.offset, $0.kind, $0.value) < ($1.offset, $1.kind, $1.value) }
        if let include { ids.removeAll { !include.contains($0.kind) } }
        let start = try Self.index(query["next"] ?? query["cursor"])
        let page = ids.dropFirst(start).prefix(cursor.limit)
        let linking = try read(offsets: page.map(\.offset))
        let data: [JSONValue] = page.map { id in
            let e = linking[id.offset]
            return .object([
                JSONMember("id", .string(id.value)), JSONMember("type", .string(id.kind)),
                JSONMember("source_id", e?.source.map(JSONValue.string) ?? .null),
                JSONMember("collection", .string("users")),
                JSONMember("created_at", e.map { .string(RFC3339.string(micros: $0.at, offsetMinutes: 0)) } ?? .null),
                JSONMember("encoding", .string("none")),
                JSONMember("first_message_id", e.map { .string($0.id) } ?? .null),
            ])
        }
        let end = start + page.count
        return .object([JSONMember("data", .array(data)), JSONMember("cursor", cursor.json(next: end < ids.count ? String(end) : nil))])
    }

    /// `events`: `{"data":[event…],"cursor":…}` (`SegmentProfileEvent`), newest first (`sort=asc`: oldest first),
    /// `include`/`exclude` keep or drop event names, `start`/`end` keep the events from/to a time (a date alone: its
    /// first/last microsecond in the business time zone); `next` is where the page ended.
    func events(_ s: ProfileSelector, _ query: QueryParameters, cursor: SegmentProfileCursor) throws(ResponseFailure) -> JSONValue {
        let ascending: Bool
        switch query["sort"] {
        case nil, "desc": ascending = false
        case "asc": ascending = true
        case let other?: throw ResponseFailure(.error(400, "sort: \"\(other.prefix(16))\" is not asc or desc", code: "validation_error"))
        }
        let include = Self.list(query["include"]), exclude = Self.list(query["exclude"])
        let from = try time(query, "start", edge: .start), to = try time(query, "end", edge: .end)
        let after = try (query["next"] ?? query["cursor"]).map { c throws(ResponseFailure) in try TimelineCursor(c) }
        let (events, profile) = try timeline(s)
        var chosen = ascending ? events.reversed() : events
        chosen.removeAll { e in
            if let from, e.1.at < from { return true }
            if let to, e.1.at > to { return true }
            let name = SegmentProfileEvent.name(of: e.1)
            return include.map { !$0.contains(name) } ?? false || exclude.map { $0.contains(name) } ?? false
        }
        if let after {
            chosen.removeAll { e in
                let isOlder = after.isBefore(at: e.1.at, offset: e.0)
                return ascending ? isOlder || (e.1.at, e.0) == (after.at, after.offset) : !isOlder
            }
        }
        let page = chosen.prefix(cursor.limit)
        let next = chosen.count > page.count ? page.last.map { TimelineCursor(at: $0.1.at, offset: $0.0).text } : nil
        return .object([JSONMember("data", .array(page.map { SegmentProfileEvent.json($0.1, profile: profile) })),
                        JSONMember("cursor", cursor.json(next: next))])
    }

    /// `metadata`: `{"metadata":{created_at, updated_at, expires_at, first_message_at, first_message_id,
    /// first_source_id, last_message_at, last_message_id, last_source_id}}` from the profile's oldest and newest
    /// events (by event time, then offset); `expires_at` is null (profiles do not expire).
    func metadata(_ s: ProfileSelector) throws(ResponseFailure) -> JSONValue {
        let (events, _) = try timeline(s)
        func time(_ e: Event?) -> JSONValue { e.map { .string(RFC3339.string(micros: $0.at, offsetMinutes: 0)) } ?? .null }
        let first = events.last?.1, last = events.first?.1
        return .object([JSONMember("metadata", .object([
            JSONMember("created_at", time(first)), JSONMember("updated_at", time(last)), JSONMember("expires_at", .null),
            JSONMember("first_message_at", time(first)), JSONMember("first_message_id", first.map { .string($0.id) } ?? .null),
            JSONMember("first_source_id", first?.source.map(JSONValue.string) ?? .null),
            JSONMember("last_message_at", time(last)), JSONMember("last_message_id", last.map { .string($0.id) } ?? .null),
            JSONMember("last_source_id", last?.source.map(JSONValue.string) ?? .null),
        ]))])
    }

    /// Runs `body` on the living profile `s` selects in the live view (read after write).
    /// - Throws: Segment's 404 when none matches.
    private func find<T>(_ s: ProfileSelector, _ body: (SegmentProjection, UInt32) -> T) throws(ResponseFailure) -> T {
        try views.read { segments throws(ResponseFailure) in
            guard let p = s.find(in: segments.profiles) else { throw Self.notFound }
            return body(segments, p)
        }
    }

    /// The profile's events, newest first, and its id.
    private func timeline(_ s: ProfileSelector) throws(ResponseFailure) -> ([(UInt64, Event)], String) {
        let (offsets, id) = try find(s) { segments, p in (segments.profiles.eventOffsets(of: p).sorted(), segments.profiles.graph.id(of: p)) }
        do { return (try Timeline.events(at: offsets, reader: EventReader(directory)), id) } catch {
            throw ResponseFailure(.error(500, "the profile's events cannot be read: \(error)"))
        }
    }

    /// The events at `offsets`, by offset.
    private func read(offsets: [UInt64]) throws(ResponseFailure) -> [UInt64: Event] {
        guard !offsets.isEmpty else { return [:] }
        do {
            let events = try Timeline.events(at: Array(Set(offsets)).sorted(), reader: EventReader(directory))
            return Dictionary(events.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        } catch {
            throw ResponseFailure(.error(500, "the profile's events cannot be read: \(error)"))
        }
    }

    /// The page's cursor: `limit` is 1 to `max` (Segment's: 200 traits, 100 items of the other lists), default 10.
    private func cursor(_ path: Substring, _ raw: Substring, _ query: QueryParameters, max: Int) throws(ResponseFailure) -> SegmentProfileCursor {
        var limit = 10
        if let text = query["limit"] {
            guard let n = Int(text), (1...max).contains(n) else {
                throw ResponseFailure(.error(400, "limit: \"\(text.prefix(16))\" is not an integer from 1 to \(max)", code: "validation_error"))
            }
            limit = n
        }
        return SegmentProfileCursor(path: path, query: raw, limit: limit)
    }

    /// The time of parameter `name`: RFC 3339 with a zone, or a date alone taken in the business time zone (its
    /// first or last microsecond, `edge`); nil when absent.
    /// - Throws: a 400 response naming the value.
    private func time(_ query: QueryParameters, _ name: String, edge: QueryTime.DayEdge) throws(ResponseFailure) -> Int64? {
        guard let raw = query[name] else { return nil }
        switch QueryTime.parse(raw) {
        case .time(let t): return t
        case .date(let date):
            do { return QueryTime.day(date, in: try ProjectionSettings.load(directory).profile.businessTimeZone, edge: edge) } catch {
                throw ResponseFailure(.error(500, "\(name): a date alone is taken in the business time zone, which cannot be read: \(error)"))
            }
        case .invalid:
            throw ResponseFailure(.error(400, "\(name): \"\(raw.prefix(64))\" is not an RFC 3339 time (2026-06-01T10:00:00+09:00) or a date (2026-06-01)", code: "validation_error"))
        }
    }

    /// A `true`/`false` parameter (absent: false).
    private static func flag(_ query: QueryParameters, _ name: String) throws(ResponseFailure) -> Bool {
        switch query[name] {
        case nil, "false": return false
        case "true": return true
        case let other?: throw ResponseFailure(.error(400, "\(name): \"\(other.prefix(16))\" is not true or false", code: "validation_error"))
        }
    }

    /// The names of a comma-separated parameter; nil when absent.
    private static func list(_ text: String?) -> Set<String>? {
        text.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    /// A list cursor that is an index this route gave; 0 when absent.
    private static func index(_ text: String?) throws(ResponseFailure) -> Int {
        guard let text else { return 0 }
        guard let n = Int(text), n >= 0 else { throw ResponseFailure(.error(400, "next: \"\(text.prefix(32))\" is not a cursor this route gave")) }
        return n
    }
}
