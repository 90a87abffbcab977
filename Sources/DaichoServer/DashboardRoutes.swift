import Daicho
import DaichoHTTP
import DaichoProjections

/// `GET /v1/dashboard` and `GET /v1/dashboard/rfm` (docs/http-api.md "Dashboard"): the dashboard object of
/// docs/console.md from the live view, or with `as_of` from the as-of view of the data directory (as `daicho
/// report --as-of` builds it), sharing the profile routes' as-of slots.
struct DashboardRoutes {
    let profiles: ProfileRoutes

    /// The dashboard object for `from`…`to`.
    func dashboard(query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        .json(200, try answer(query) { projection, range throws(ResponseFailure) in Dashboard.render(projection, range: range) })
    }

    /// The profile ids of one RFM cell (`r`, `f`), a page at a time.
    func rfm(query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        func quintile(_ name: String) throws(ResponseFailure) -> Int {
            guard let raw = query[name] else { throw ResponseFailure(.error(400, "\(name): missing (a quintile 1 to 5)")) }
            guard let q = Int(raw), (1...5).contains(q) else {
                throw ResponseFailure(.error(400, "\(name): \"\(raw.prefix(64))\" is not a quintile 1 to 5"))
            }
            return q
        }
        let r = try quintile("r"), f = try quintile("f"), limit = try query.limit()
        let cursor = query["cursor"]
        if let cursor, !(cursor.hasPrefix("p-") && cursor.utf8.count == 18 && UInt64(cursor.dropFirst(2), radix: 16) != nil) {
            throw ResponseFailure(.error(400, "cursor: \"\(cursor.prefix(64))\" is not a cursor this route gave"))
        }
        let (ids, next) = try answer(query) { projection, range throws(ResponseFailure) in
            do throws(DashboardError) {
                return try Dashboard.rfmProfiles(projection, range: range, r: r, f: f, after: cursor, limit: limit)
            } catch {
                throw ResponseFailure(.error(400, error.description))
            }
        }
        return .json(200, IngestRoutes.bytes(.object([
            JSONMember("profiles", .array(ids.map { .string($0) })),
            JSONMember("next_cursor", next.map { .string($0) } ?? .null),
        ])))
    }

    /// `body` on the projection the query asks for (live, or as of `as_of`) and the range of its `from` and `to`.
    private func answer<T>(_ query: QueryParameters,
                           _ body: (ProfileProjection, DashboardRange) throws(ResponseFailure) -> T) throws(ResponseFailure) -> T {
        func range(_ projection: ProfileProjection) throws(ResponseFailure) -> DashboardRange {
            do throws(DashboardError) {
                return try DashboardRange(from: query["from"], to: query["to"], of: projection)
            } catch {
                throw ResponseFailure(.error(400, error.description))
            }
        }
        guard let asOf = try profiles.asOf(query) else {
            return try profiles.views.read { segments throws(ResponseFailure) in try body(segments.profiles, try range(segments.profiles)) }
        }
        guard profiles.asOfSlots.wait(timeout: .now()) == .success else {
            throw ResponseFailure(.error(503, "\(ProfileRoutes.maxAsOf) as-of answers are being built; retry later", headers: [("Retry-After", "1")]))
        }
        defer { profiles.asOfSlots.signal() }
        let projection: ProfileProjection
        do { (projection, _, _) = try ProjectionLoader.load(profiles.directory, asOf: asOf) } catch {
            throw ResponseFailure(.error(500, "the as-of view cannot be built: \(error)"))
        }
        return try body(projection, try range(projection))
    }
}
