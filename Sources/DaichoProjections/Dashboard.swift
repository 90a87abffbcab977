import Daicho
import DaichoJSON

// The dashboard object of docs/console.md "The dashboard object": what `GET /v1/dashboard` and `daicho report
// --format json` print, made from a projection's dashboard aggregates (thousands of entries) and one pass over its
// profiles (RFM, identifier kinds); the log is never read.

/// A dashboard request that cannot be answered as given: names the parameter and says why.
public struct DashboardError: Error, CustomStringConvertible, Sendable {
    /// The parameter at fault (`from`, `to`, `r`, `f`, `cursor`, `limit`).
    public let parameter: String
    public let message: String
    public var description: String { "\(parameter): \(message)" }
}

/// The days a dashboard covers, inclusive, in the business time zone.
public struct DashboardRange: Sendable, Equatable {
    public let from: Int32
    public let to: Int32

    /// The longest range accepted, in days (ten years and a few leap days).
    public static let maxDays = 3_660

    /// The range of `from`…`to` (`YYYY-MM-DD`); a missing `to` is the day of the view's newest event (today's when
    /// it has none), a missing `from` the day 364 days before `to` (a year of days).
    /// - Throws: `DashboardError` naming `from` or `to` for a malformed date or a range that is reversed or longer
    ///   than `maxDays`.
    public init(from: String?, to: String?, of projection: ProfileProjection) throws(DashboardError) {
        func parse(_ text: String?, _ name: String) throws(DashboardError) -> Int32? {
            guard let text else { return nil }
            guard let day = DashboardDate.day(text) else {
                throw DashboardError(parameter: name, message: "expected a date YYYY-MM-DD, got \"\(text.prefix(40))\"")
            }
            return day
        }
        let given = (from: try parse(from, "from"), to: try parse(to, "to"))
        let end = given.to ?? projection.dashboard.newestDay
            ?? projection.config.calendar.day(ofMicros: projection.asOf ?? wallClockMicros())
        let start = given.from ?? end - 364
        guard start <= end else {
            throw DashboardError(parameter: given.from == nil ? "to" : "from",
                                 message: "the range starts after it ends (\(DashboardDate.string(start)) > \(DashboardDate.string(end)))")
        }
        guard Int(end) - Int(start) < Self.maxDays else {
            throw DashboardError(parameter: "from", message: "the range is longer than \(Self.maxDays) days")
        }
        self.from = start
        self.to = end
    }

    /// Number of days.
    public var count: Int { Int(to) - Int(from) + 1 }

    /// The index of `day` in the range's per-day arrays, nil outside it.
    @inline(__always)
    func index(_ day: Int32) -> Int? { day >= from && day <= to ? Int(day - from) : nil }
}

/// Builds the dashboard object.
public enum Dashboard {
    /// The dashboard object for `range` of `projection` (an as-of view answers as of its time), as JSON bytes.
    /// Loads the snapshot's symbols and aggregates if they are still pending; run it on the thread that owns the
    /// projection.
    /// - Complexity: O(aggregate entries + days in the range + profiles).
    public static func render(_ projection: ProfileProjection, range: DashboardRange) -> [UInt8] {
        var out: [UInt8] = []
        EventJSONWriter.appendValue(json(projection, range: range), to: &out)
        return out
    }

    /// The dashboard object as a JSON value (members in the documented order).
    public static func json(_ projection: ProfileProjection, range: DashboardRange) -> JSONValue {
        projection.loadSnapshotSections()
        let figures = DashboardFigures(projection, range: range)
        let rfm = DashboardRFM(projection, range: range)
        return .object([
            JSONMember("range", figures.rangeJSON),
            JSONMember("totals", figures.totalsJSON),
            JSONMember("events", figures.eventsJSON),
            JSONMember("revenue", figures.revenueJSON),
            JSONMember("buyers", figures.buyersJSON),
            JSONMember("rfm", rfm.json),
            JSONMember("voc", figures.vocJSON),
            JSONMember("social", figures.socialJSON),
            JSONMember("identity", figures.identityJSON),
        ])
    }

    /// The ids of the profiles in RFM cell (`r`, `f`) of `range`, in profile-id order, after `cursor` (an id
    /// returned before), at most `limit`; and the cursor of the next page (nil at the end).
    /// - Throws: `DashboardError` naming `r` or `f` when not in 1…5.
    public static func rfmProfiles(_ projection: ProfileProjection, range: DashboardRange, r: Int, f: Int, after cursor: String?,
                                   limit: Int) throws(DashboardError) -> (profiles: [String], next: String?) {
        guard (1...5).contains(r) else { throw DashboardError(parameter: "r", message: "expected a quintile 1 to 5") }
        guard (1...5).contains(f) else { throw DashboardError(parameter: "f", message: "expected a quintile 1 to 5") }
        projection.loadSnapshotSections()
        let rfm = DashboardRFM(projection, range: range)
        let ids = rfm.customers.indices.filter { rfm.recencyQuintile[$0] == r && rfm.frequencyQuintile[$0] == f }
            .map { IdentityGraph.format(projection.graph.idHash[Int(rfm.customers[$0].profile)]) }
            .sorted()
            .filter { id in cursor.map { id > $0 } ?? true }
        let page = Array(ids.prefix(limit))
        return (page, ids.count > limit ? page.last : nil)
    }

    /// A µ-unit amount as an exact decimal string: `"12345"`, `"19.99"` (no exponent, no trailing zeros).
    public static func money(_ micros: Int128) -> String {
        let sign = micros < 0 ? "-" : ""
        let magnitude = micros.magnitude
        let whole = String(magnitude / 1_000_000)
        var fraction = String(magnitude % 1_000_000)
        guard fraction != "0" else { return sign + whole }
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + whole + "." + fraction
    }
}
