// The business days of a profile's orders, for the dashboard's "new vs returning" (docs/console.md "buyers"): a
// purchase on day d is a buyer-day already counted when the profile has an order on d, a returning buyer when it
// has one before d, else a new buyer. A profile's orders are its `commerce.orders` entries, each at the time of
// the order's latest event (docs/profile.md `orders`), so a purchase sent again moves its order to another day.

/// What a purchase on a day makes its profile, as the profile was before the purchase.
enum BuyerDay { case new, returning, counted }

/// The number of a profile's orders whose latest event is on one business day.
struct DayCount: Equatable, Sendable {
    var day: Int32
    var orders: UInt32
}

/// The business days of one profile's orders with their counts, ascending by day: "an order on d?" and "an order
/// before d?" in O(log days), where scanning the orders converts every order's time to a day.
///
/// Kept only for a profile of more than `scanLimit` orders (long-lived B2B customers: the others scan their orders
/// in bounded time and hold nothing more), by `ProfileProjection`, beside the aggregates. Derived state: built from
/// the profile's orders when first needed, dropped when a merge changes them, never stored in snapshots.
struct OrderDays: Equatable, Sendable {
    /// Most orders a profile's buyer-day is found by scanning them; above, the profile keeps `OrderDays`. High
    /// enough that the benchmark logs' customers (at most 127 orders on the default log) hold none: memory per
    /// profile stays as it was (docs/benchmarks.md "Memory per profile"), and a scan stays bounded.
    static let scanLimit = 128

    private(set) var days: ContiguousArray<DayCount> = []

    /// The days of `orders`, each order's on the day of its `at`.
    /// - Complexity: O(n log n) for n orders.
    init(_ orders: ContiguousArray<OrderEntry>, calendar: BusinessCalendar) {
        for day in orders.map({ calendar.day(ofMicros: $0.at) }).sorted() {
            if let last = days.last, last.day == day { days[days.count - 1].orders += 1 }
            else { days.append(DayCount(day: day, orders: 1)) }
        }
    }

    /// What a purchase on `day` makes the profile whose orders these are.
    /// - Complexity: O(log days).
    func buyerDay(_ day: Int32) -> BuyerDay {
        guard let first = days.first else { return .new }
        if search(day).found { return .counted }
        return first.day < day ? .returning : .new
    }

    /// `buyerDay` found by scanning `orders` (no state kept).
    /// - Complexity: O(orders) day conversions.
    static func buyerDay(_ day: Int32, scanning orders: ContiguousArray<OrderEntry>, calendar: BusinessCalendar) -> BuyerDay {
        var earlier = false
        for o in orders {
            let d = calendar.day(ofMicros: o.at)
            if d == day { return .counted }
            if d < day { earlier = true }
        }
        return earlier ? .returning : .new
    }

    /// Counts one more order on `day` (a new order, or one whose latest event moved here).
    /// - Complexity: O(1) on the latest day or after it; O(log days) plus the move of the later days otherwise.
    mutating func add(_ day: Int32) {
        if let last = days.last, last.day <= day {
            if last.day == day { days[days.count - 1].orders += 1 } else { days.append(DayCount(day: day, orders: 1)) }
            return
        }
        let (i, found) = search(day)
        if found { days[i].orders += 1 } else { days.insert(DayCount(day: day, orders: 1), at: i) }
    }

    /// Counts one order less on `day` (an order whose latest event moved away from it).
    mutating func remove(_ day: Int32) {
        let (i, found) = search(day)
        precondition(found, "an order leaves only a day it was counted on")
        if days[i].orders > 1 { days[i].orders -= 1 } else { days.remove(at: i) }
    }

    /// Approximate heap bytes (array header and capacity), for the memory report.
    var heapBytes: Int { days.capacity == 0 ? 0 : 32 + days.capacity * MemoryLayout<DayCount>.stride }

    private func search(_ day: Int32) -> (index: Int, found: Bool) { days.sortedIndex(of: day, by: \.day) }
}
