import Daicho
import DaichoHTTP
import DaichoJSON
import DaichoSegments

/// `GET /v1/segments/{name}/history?from=&to=` (docs/http-api.md "Read routes"): a segment's size history for any
/// range of business days, as `GET /v1/segments` shows the last 30 of it.
extension SegmentRoutes {
    /// The longest range one request may ask for, in days (ten years).
    static let maxHistoryDays = 3660

    /// `{"name","from","to","history":[{"day","entered","exited","members"}…]}`: every day from `from` through `to`
    /// (dates `YYYY-MM-DD` in the business time zone, inclusive), zeros included; default the 30 days ending at the
    /// segment clock's day.
    func history(_ name: String, query: QueryParameters) throws(ResponseFailure) -> HTTPResponse {
        func day(_ parameter: String) throws(ResponseFailure) -> Int32? {
            guard let text = query[parameter] else { return nil }
            guard let day = SegmentDay.day(text) else {
                throw ResponseFailure(.error(400, "\(parameter): \"\(text.prefix(64))\" is not a date YYYY-MM-DD"))
            }
            return day
        }
        let from = try day("from"), to = try day("to")
        let answer = try views.read { segments throws(ResponseFailure) -> JSONValue in
            guard segments.definitions.contains(where: { $0.name == name }) else { throw Self.notFound(name) }
            let last = to ?? segments.historyEnd ?? from ?? 0
            let first = from ?? last - Int32(SegmentProjection.historyDays - 1)
            guard first <= last else {
                throw ResponseFailure(.error(400, "from \(SegmentDay.date(first)) is after to \(SegmentDay.date(last)): the range is empty"))
            }
            guard Int(last) - Int(first) < Self.maxHistoryDays else {
                throw ResponseFailure(.error(400, "from \(SegmentDay.date(first)) to \(SegmentDay.date(last)) is more than \(Self.maxHistoryDays) days; ask for a shorter range"))
            }
            let days = segments.history(of: name, from: first, through: last) ?? []
            return .object([JSONMember("name", .string(name)), JSONMember("from", .string(SegmentDay.date(first))),
                            JSONMember("to", .string(SegmentDay.date(last))), JSONMember("history", .array(days.map(\.json)))])
        }
        return .json(200, IngestRoutes.bytes(answer))
    }
}
