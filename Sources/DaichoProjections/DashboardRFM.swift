import Daicho
import DaichoJSON

// The RFM grid of docs/console.md "Dashboard" (panel 4), from one pass over the profiles' per-day purchase totals
// in the RFM currency (docs/profile.md `commerce`), cut at the range's last day.

/// The customers of a range's RFM grid, their quintiles and the cut points.
struct DashboardRFM {
    /// Per customer (a living profile with a purchase in the RFM currency on a day of the range): its profile,
    /// recency (days from its last purchase day up to the range's end to that end), frequency (its distinct
    /// purchase days up to the range's end − 1) and revenue in the range's days, µ-units.
    let customers: [(profile: UInt32, recency: Int, frequency: Int, revenue: Int128)]
    /// 1…5 per customer; recency inverted (5: most recent).
    let recencyQuintile: [Int]
    let frequencyQuintile: [Int]
    /// The largest recency (days) of quintiles 5, 4, 3, 2 and the largest frequency of quintiles 1…4; nil for
    /// a quintile left empty by ties.
    let recencyBounds: [Int?]
    let frequencyBounds: [Int?]
    let currency: String

    init(_ projection: ProfileProjection, range: DashboardRange) {
        var customers: [(profile: UInt32, recency: Int, frequency: Int, revenue: Int128)] = []
        let graph = projection.graph
        for p in 0..<UInt32(graph.profileNumbers) where graph.isAlive(p) {
            guard let days = projection.aggregates(of: p).commerce?.value.days else { continue }
            var last: Int32?, count = 0, revenue: Int128 = 0, bought = false
            for d in days where d.day <= range.to {
                last = d.day
                count += 1
                if d.day >= range.from { bought = true; revenue += d.amount }
            }
            guard bought, let last else { continue }
            customers.append((p, Int(range.to - last), count - 1, revenue))
        }
        self.customers = customers
        // Recency ranks on −days, so the longest absence is quintile 1 and the shortest quintile 5.
        let (r, _) = Self.quintiles(customers.map { -$0.recency })
        let (f, fBounds) = Self.quintiles(customers.map(\.frequency))
        recencyQuintile = r
        frequencyQuintile = f
        recencyBounds = (2...5).reversed().map { q in
            customers.indices.filter { r[$0] == q }.map { customers[$0].recency }.max()
        }
        frequencyBounds = fBounds
        currency = projection.config.rfmCurrency
    }

    /// The quintile (1…5) of each value by its rank among all, ties taking the quintile of their first (lowest)
    /// rank; and the largest value of quintiles 1…4 (nil when empty).
    static func quintiles(_ values: [Int]) -> (quintile: [Int], bounds: [Int?]) {
        let n = values.count
        let order = values.indices.sorted { values[$0] < values[$1] }
        var quintile = [Int](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j < n && values[order[j]] == values[order[i]] { j += 1 }
            for k in i..<j { quintile[order[k]] = i * 5 / n + 1 }
            i = j
        }
        let bounds = (1...4).map { q in values.indices.filter { quintile[$0] == q }.map { values[$0] }.max() }
        return (quintile, bounds)
    }

    /// All 25 cells, r descending then f ascending.
    var cells: [(r: Int, f: Int, customers: Int, revenue: Int128)] {
        var byCell = [[(customers: Int, revenue: Int128)]](repeating: Array(repeating: (0, 0), count: 6), count: 6)
        for i in customers.indices {
            byCell[recencyQuintile[i]][frequencyQuintile[i]].customers += 1
            byCell[recencyQuintile[i]][frequencyQuintile[i]].revenue += customers[i].revenue
        }
        return (1...5).reversed().flatMap { r in (1...5).map { f in (r, f, byCell[r][f].customers, byCell[r][f].revenue) } }
    }

    var json: JSONValue {
        func bounds(_ b: [Int?]) -> JSONValue { .array(b.map { $0.map { .int(Int64($0)) } ?? .null }) }
        return .object([
            JSONMember("currency", .string(currency)),
            JSONMember("customers", .int(Int64(customers.count))),
            JSONMember("recency_bounds", bounds(recencyBounds)),
            JSONMember("frequency_bounds", bounds(frequencyBounds)),
            JSONMember("cells", .array(cells.map { c in
                .object([JSONMember("r", .int(Int64(c.r))), JSONMember("f", .int(Int64(c.f))),
                         JSONMember("customers", .int(Int64(c.customers))), JSONMember("revenue", .string(Dashboard.money(c.revenue)))])
            })),
            JSONMember("reading", DashboardReadings.rfm(self)),
        ])
    }
}
