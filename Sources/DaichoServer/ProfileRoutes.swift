import Daicho
import DaichoHTTP
import DaichoProjections
import DaichoJSON
import DaichoSegments
import Foundation

/// `GET /v1/profiles/{selector}`, `…/{selector}/timeline` and `GET /v1/profiles` (docs/http-api.md "Read routes"):
/// the answers of `daicho profile`, `daicho timeline` and `daicho profiles`, from the live view; with `as_of`, read
/// from the data directory as `--as-of` reads it (`AsOfCustomer`), beside the live view.
struct ProfileRoutes {
    let views: ServerViews
    let directory: DataDirectory
    /// Admits at most `maxAsOf` as-of answers at once (each may build a whole as-of view).
    let asOfSlots = DispatchSemaphore(value: maxAsOf)

    /// As-of answers built at once at most; beyond, `503` with `Retry-After`.
    static let maxAsOf = 2

    /// Profiles written per lock of the view while streaming `GET /v1/profiles` as NDJSON.
    static let streamChunk = 256

    /// One profile, exactly as `daicho profile` prints it (segments included).
    func profile(_ selector: Substring, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        let s = try ProfileSelector(pathSegment: selector)
        if let asOf = try asOf(query) {
            return .json(200, IngestRoutes.bytes(try customer(s, asOf: asOf, withSegments: true).json))
        }
        let json = try views.read { segments throws(ResponseFailure) in
            guard let p = s.find(in: segments.profiles) else { throw s.notFound }
            return segments.profileJSON(of: p, now: wallClockMicros())
        }
        return .json(200, IngestRoutes.bytes(json))
    }

    /// One customer's events, newest first (by event time, then offset), as `daicho timeline` prints them, a
    /// page at a time; `type` keeps only the events of the comma-separated types.
    func timeline(_ selector: Substring, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        let s = try ProfileSelector(pathSegment: selector)
        let limit = try query.limit()
        let types = try Self.eventTypes(query["type"])
        let after = try query["cursor"].map { c throws(ResponseFailure) in try TimelineCursor(c) }
        var events: [(UInt64, Event)]
        let id: String
        if let asOf = try asOf(query) {
            let found = try customer(s, asOf: asOf, withSegments: false)
            id = found.profiles.graph.id(of: found.profile)
            do { events = try found.events(types: types) } catch {
                throw ResponseFailure(.error(500, "the timeline cannot be read: \(error)"))
            }
        } else {
            let offsets: [UInt64]
            (offsets, id) = try views.read { segments throws(ResponseFailure) in
                guard let p = s.find(in: segments.profiles) else { throw s.notFound }
                return (segments.profiles.eventOffsets(of: p).sorted(), segments.profiles.graph.id(of: p))
            }
            do {
                events = try Timeline.events(at: offsets, reader: EventReader(directory), limit: limit + 1, types: types,
                                             before: after.map { ($0.at, $0.offset) })
            } catch {
                throw ResponseFailure(.error(500, "the timeline cannot be read: \(error)"))
            }
        }
        if let after { events.removeAll { !after.isBefore(at: $0.1.at, offset: $0.0) } }
        var page = Page()
        let writer = EventJSONWriter()
        for (offset, event) in events.prefix(limit) {
            page.add { out in
                writer.append(event, offset: offset, extra: [("profile", id)], to: &out)
                out.removeLast() // the line's newline
            }
        }
        let last = events.count > limit ? events[limit - 1] : nil
        return page.response(next: last.map { TimelineCursor(at: $0.1.at, offset: $0.0).text })
    }

    /// Every living profile, oldest first, a page at a time; with `ndjson`, all of them streamed as `daicho
    /// profiles` prints them.
    func list(query: QueryParameters, ndjson: Bool) throws(ResponseFailure) -> HTTPResponse {
        try Self.refuseAsOf(query)
        if ndjson { return stream() }
        let limit = try query.limit()
        let after = try query["cursor"].map { c throws(ResponseFailure) -> UInt32 in
            guard let n = UInt32(c) else { throw ResponseFailure(.error(400, "cursor: \"\(c.prefix(64))\" is not a cursor this route gave")) }
            return n
        }
        return try views.read { segments throws(ResponseFailure) in
            let living = segments.profiles.livingProfiles
            let start = after.map { a in living.firstIndex { $0 > a } ?? living.count } ?? 0
            let chosen = living[start...].prefix(limit)
            var page = Page()
            let now = wallClockMicros()
            for p in chosen { page.add(segments.profileJSON(of: p, now: now)) }
            let more = start + chosen.count < living.count
            return page.response(next: more ? chosen.last.map { String($0) } : nil)
        }
    }

    /// `GET /v1/profiles` as NDJSON: the profiles living when the request came, a chunk per lock of the view.
    private func stream() -> HTTPResponse {
        let views = views
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")]) { out in
            let living = try views.read { $0.profiles.livingProfiles }
            var start = 0
            while start < living.count {
                let chunk = living[start..<min(living.count, start + Self.streamChunk)]
                start = chunk.endIndex
                let bytes = try views.read { segments throws(ResponseFailure) -> [UInt8] in
                    var bytes: [UInt8] = []
                    let now = wallClockMicros()
                    for p in chunk where segments.profiles.graph.isAlive(p) {
                        EventJSONWriter.appendValue(segments.profileJSON(of: p, now: now), to: &bytes)
                        bytes.append(0x0A)
                    }
                    return bytes
                }
                try out.write(bytes)
            }
        }
    }

    /// `as_of` is answered for one customer only: every profile as of a time is `daicho profiles --as-of`.
    static func refuseAsOf(_ query: QueryParameters) throws(ResponseFailure) {
        guard query["as_of"] == nil else {
            throw ResponseFailure(.error(400, "as_of is not supported on GET /v1/profiles; use `daicho profiles --as-of` on the data directory, or as_of on one profile"))
        }
    }

    /// The `as_of` time: RFC 3339 with a zone, or a date alone (its last microsecond in the business time zone);
    /// nil when absent.
    /// - Throws: a 400 response naming the value.
    func asOf(_ query: QueryParameters) throws(ResponseFailure) -> Int64? {
        guard let raw = query["as_of"] else { return nil }
        switch QueryTime.parse(raw) {
        case .time(let t): return t
        case .date(let date):
            do { return QueryTime.day(date, in: try ProjectionSettings.load(directory).profile.businessTimeZone, edge: .end) } catch {
                throw ResponseFailure(.error(500, "as_of: a date alone is taken in the business time zone, which cannot be read: \(error)"))
            }
        case .invalid:
            throw ResponseFailure(.error(400, "as_of: \"\(raw.prefix(64))\" is not an RFC 3339 time (2026-06-01T10:00:00+09:00) or a date (2026-06-01)"))
        }
    }

    /// The customer `s` as of `asOf`, from the data directory (read-only, beside the live view).
    /// - Throws: a 404 when none matches then, a 503 when `maxAsOf` answers are being built, a 500 when the log
    ///   cannot be read.
    func customer(_ s: ProfileSelector, asOf: Int64, withSegments: Bool) throws(ResponseFailure) -> AsOfCustomer {
        guard asOfSlots.wait(timeout: .now()) == .success else {
            throw ResponseFailure(.error(503, "\(Self.maxAsOf) as-of answers are being built; retry later", headers: [("Retry-After", "1")]))
        }
        defer { asOfSlots.signal() }
        let found: AsOfCustomer?
        do { found = try AsOfCustomer.find(directory, key: s.key, asOf: asOf, withSegments: withSegments) } catch {
            throw ResponseFailure(.error(500, "the as-of view cannot be built: \(error)"))
        }
        guard let found else {
            throw ResponseFailure(.error(404, "no profile matches \(s.described) as of \(RFC3339.string(micros: asOf, offsetMinutes: 0))"))
        }
        return found
    }

    /// The types of `type=purchase,inquiry`; nil (every type) when absent.
    static func eventTypes(_ list: String?) throws(ResponseFailure) -> Set<EventType>? {
        guard let list else { return nil }
        var types: Set<EventType> = []
        for name in list.split(separator: ",") {
            guard let t = EventType(name: String(name)) else {
                throw ResponseFailure(.error(400, "type: unknown type \"\(name.prefix(64))\" (known: \(EventType.allCases.map(\.name).joined(separator: ", ")))"))
            }
            types.insert(t)
        }
        return types
    }
}

/// Where a timeline page ended: the last event's time and offset (the timeline's order, newest first).
struct TimelineCursor {
    let at: Int64
    let offset: UInt64

    init(at: Int64, offset: UInt64) {
        self.at = at
        self.offset = offset
    }

    /// Parses a cursor the route gave.
    init(_ text: String) throws(ResponseFailure) {
        let parts = text.split(separator: "_")
        guard parts.count == 2, let at = Int64(parts[0]), let offset = UInt64(parts[1]) else {
            throw ResponseFailure(.error(400, "cursor: \"\(text.prefix(64))\" is not a cursor this route gave"))
        }
        self.init(at: at, offset: offset)
    }

    var text: String { "\(at)_\(offset)" }

    /// Whether the cursor comes before the event at (`at`, `offset`) in the timeline's order (the event is older).
    func isBefore(at eventAt: Int64, offset eventOffset: UInt64) -> Bool {
        (eventAt, eventOffset) < (at, offset)
    }
}
