import Daicho
import DaichoHTTP
import DaichoJSON
import DaichoSegments
import Foundation

/// `/v1/segments…` (docs/http-api.md "Read routes"): `segment list`, one segment, its members a page at a time,
/// and `segment define|drop` over HTTP. Definitions are appended to the server's log beside the ingest rounds;
/// the answer waits until the live view has applied them (the backfill included).
struct SegmentRoutes {
    let views: ServerViews
    let committer: GroupCommitter
    /// Held from a definition's or drop's check against the defined segments until the view has applied it, so
    /// two concurrent requests cannot both pass the `in_segment` checks (a cycle, a drop of a segment just read).
    let changing = NSLock()

    /// The longest body of `PUT /v1/segments/{name}`.
    static let maxBody = 64 * 1024
    /// How long a definition or drop waits for the live view to apply it (a backfill over every profile).
    static let applyWait: Duration = .seconds(30)

    /// Every segment, in definition order.
    func list() throws(ResponseFailure) -> HTTPResponse {
        let infos = try views.read { $0.definitions }
        var page = Page()
        for info in infos { page.add(info.json) }
        return page.response(next: nil)
    }

    /// One segment with its size.
    func segment(_ name: String) throws(ResponseFailure) -> HTTPResponse {
        let info = try views.read { segments throws(ResponseFailure) in try Self.info(name, in: segments) }
        return .json(200, IngestRoutes.bytes(info.json))
    }

    /// The members of a segment, by profile, a page at a time: `{"id","since"}`.
    func members(_ name: String, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        let limit = try query.limit()
        let after = try query["cursor"].map { c throws(ResponseFailure) -> UInt32 in
            guard let n = UInt32(c) else { throw ResponseFailure(.error(400, "cursor: \"\(c.prefix(64))\" is not a cursor this route gave")) }
            return n
        }
        return try views.read { segments throws(ResponseFailure) in
            guard let members = segments.members(of: name) else { throw Self.notFound(name) }
            let start = after.map { a in members.firstIndex { $0.profile > a } ?? members.count } ?? 0
            let chosen = members[start...].prefix(limit)
            var page = Page()
            for m in chosen {
                page.add(.object([JSONMember("id", .string(segments.profiles.graph.id(of: m.profile))),
                                  JSONMember("since", .string(RFC3339.string(micros: m.since, offsetMinutes: 0)))]))
            }
            let more = start + chosen.count < members.count
            return page.response(next: more ? chosen.last.map { String($0.profile) } : nil)
        }
    }

    /// Defines (or redefines) a segment from `{"rule":"…","description":"…"}`; answers the segment with its size
    /// after the backfill. A rule that does not check is a 400 `validation_error` with the CLI's text.
    func define(_ name: String, body: [UInt8]) throws(ResponseFailure) -> HTTPResponse {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ResponseFailure(.error(400, #"the body must be a JSON object {"rule":"…","description":"…"}"#))
        }
        guard let rule = object["rule"] as? String else { throw ResponseFailure(.error(400, #""rule" must be a string"#)) }
        guard let description = object["description"] as? String? else {
            throw ResponseFailure(.error(400, #""description" must be a string"#))
        }
        let store = try currentStore()
        changing.lock()
        defer { changing.unlock() }
        let references = try views.read { $0.segmentReferences }
        let offset: UInt64
        do {
            offset = try SegmentDefinitions.define(name: name, rule: rule, description: description ?? "", in: store,
                                                   references: references)
        } catch let error as RuleError {
            throw ResponseFailure(Self.validationError(error))
        } catch let error as StoreError where error.kind == .invalidArgument {
            throw ResponseFailure(.error(400, error.message, code: "validation_error"))
        } catch {
            throw ResponseFailure(.error(503, "the definition cannot be appended: \(error)", headers: [("Retry-After", "5")]))
        }
        let info = try views.read(through: offset + 1, waitingAtMost: Self.applyWait) { segments throws(ResponseFailure) in
            try Self.info(name, in: segments)
        }
        return .json(200, IngestRoutes.bytes(info.json))
    }

    /// Drops a segment (every member exits); 409 while another segment reads it with `in_segment`.
    func drop(_ name: String) throws(ResponseFailure) -> HTTPResponse {
        changing.lock()
        defer { changing.unlock() }
        let (references, members) = try views.read { segments throws(ResponseFailure) in
            guard let members = segments.members(of: name) else { throw Self.notFound(name) }
            return (segments.segmentReferences, members.count)
        }
        let readers = references.filter { $0.key != name && $0.value.contains(name) }.keys.sorted()
        guard readers.isEmpty else {
            throw ResponseFailure(.error(409, "segment \"\(name)\" is read by in_segment in \(readers.joined(separator: ", ")); drop or redefine \(readers.count == 1 ? "it" : "them") first"))
        }
        let store = try currentStore()
        let offset: UInt64
        do {
            offset = try SegmentDefinitions.drop(name: name, in: store, references: references)
        } catch {
            throw ResponseFailure(.error(503, "the drop cannot be appended: \(error)", headers: [("Retry-After", "5")]))
        }
        try views.read(through: offset + 1, waitingAtMost: Self.applyWait) { _ in }
        return .json(200, IngestRoutes.bytes(.object([
            JSONMember("segment", .string(name)), JSONMember("offset", .int(Int64(offset))),
            JSONMember("members_exited", .int(Int64(members))),
        ])))
    }

    private func currentStore() throws(ResponseFailure) -> EventStore {
        guard let store = committer.currentStore else {
            throw ResponseFailure(.error(503, "the log cannot be written now; retry later", headers: [("Retry-After", "5")]))
        }
        return store
    }

    static func info(_ name: String, in segments: SegmentProjection) throws(ResponseFailure) -> SegmentInfo {
        guard let info = segments.definitions.first(where: { $0.name == name }) else { throw notFound(name) }
        return info
    }

    static func notFound(_ name: String) -> ResponseFailure {
        ResponseFailure(.error(404, "no segment named \"\(name.prefix(64))\""))
    }

    /// `{"error":{"code":"validation_error","message","line","column","caret"}}`: `message` is the first line the
    /// CLI prints (`line:column: what was expected`), `caret` the two after it (the rule's line and a caret
    /// under the place), so `message + "\n" + caret` is the CLI's text.
    static func validationError(_ error: RuleError) -> HTTPResponse {
        let text = error.description
        let caretLine = text[text.index(after: text.lastIndex(of: "\n")!)...]
        let body: JSONValue = .object([JSONMember("error", .object([
            JSONMember("code", .string("validation_error")),
            JSONMember("message", .string("\(error.line):\(error.column): \(error.message)")),
            JSONMember("line", .int(Int64(error.line))), JSONMember("column", .int(Int64(error.column))),
            JSONMember("caret", .string(error.sourceLine + "\n" + caretLine)),
        ]))])
        return .json(400, IngestRoutes.bytes(body))
    }
}
