import DaichoHTTP
import DaichoSegments

/// `GET /v1/segments/{name}/history?from=&to=` (docs/http-api.md "Read routes"): a segment's size history for any
/// range of business days, as `GET /v1/segments` shows the last 30 of it and `daicho segment history` prints it.
extension SegmentRoutes {
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
        let range = try views.read { segments throws(ResponseFailure) -> SegmentHistoryRange in
            let range: SegmentHistoryRange?
            do throws(HistoryRangeError) { range = try segments.history(of: name, from: from, to: to) } catch {
                throw ResponseFailure(.error(400, error.description))
            }
            guard let range else { throw Self.notFound(name) }
            return range
        }
        return .json(200, IngestRoutes.bytes(range.json))
    }
}
