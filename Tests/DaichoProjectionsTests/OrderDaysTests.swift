import Daicho
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// The order days of heavy buyers (OrderDays.swift): the same "new vs returning" as scanning the orders, kept up to
/// date as orders move between days, and kept by a heavy buyer's profile only.
@Suite struct OrderDaysTests {
    static let calendar = BusinessCalendar(timeZone: TimeZone(identifier: "America/New_York")!)
    static let day: Int64 = 86_400_000_000

    /// Orders at random times over 40 days (several on a day), and the same after each order moves to another time.
    @Test func answersAsScanningTheOrdersDo() {
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<50 {
            var orders = ContiguousArray((0..<Int.random(in: 0..<60, using: &rng)).map { n in
                OrderEntry(order: Symbol(raw: UInt32(n)), currency: Symbol(raw: 0), at: Int64.random(in: 0..<40 * Self.day, using: &rng),
                           offset: UInt64(n), amount: 1)
            })
            var days = OrderDays(orders, calendar: Self.calendar)
            for _ in 0..<30 {
                for d in -1..<42 {
                    let day = Self.calendar.day(ofMicros: 0) + Int32(d)
                    #expect(days.buyerDay(day) == OrderDays.buyerDay(day, scanning: orders, calendar: Self.calendar))
                }
                guard !orders.isEmpty else { break }
                let i = Int.random(in: 0..<orders.count, using: &rng)
                days.remove(Self.calendar.day(ofMicros: orders[i].at))
                orders[i].at = Int64.random(in: 0..<40 * Self.day, using: &rng)
                days.add(Self.calendar.day(ofMicros: orders[i].at))
                #expect(days == OrderDays(orders, calendar: Self.calendar))
            }
        }
    }

    /// `count` purchases in time order over 300 days, by one customer (`heavy`) or each by a customer of its own.
    static func purchases(_ count: Int, heavy: Bool) -> [Substring] {
        let start = 1_767_225_600 // 2026-01-01T00:00:00Z
        let formatter = ISO8601DateFormatter()
        return (0..<count).map { n in
            let at = formatter.string(from: Date(timeIntervalSince1970: Double(start + n * 300 * 86_400 / count)))
            let email = heavy ? "b2b@example.jp" : "c\(n)@example.jp"
            return Substring(#"{"id":"p\#(n)","type":"purchase","at":"\#(at)","ids":{"email":"\#(email)"},"props":{"order_id":"o\#(n)","amount":100,"currency":"JPY"}}"#)
        }
    }

    /// A long-lived B2B customer's purchases are not quadratic: past `scanLimit` orders the profile keeps its order
    /// days, so each purchase is a binary search instead of a scan of every order (16,000 purchases of one buyer
    /// took 49 s with the scan, 0.35 s with the days). Checked by what the projection holds, not by a clock.
    @Test func aHeavyBuyerKeepsItsOrderDays() throws {
        let t = TemporaryDirectory()
        let n = 2_000
        let heavyDir = try DashboardAggregatesTests.directory(t, "heavy", Self.purchases(n, heavy: true))
        let spreadDir = try DashboardAggregatesTests.directory(t, "spread", Self.purchases(n, heavy: false))
        let heavy: ProfileProjection? = try DashboardAggregatesTests.replayed(heavyDir)
        let spread: ProfileProjection? = try DashboardAggregatesTests.replayed(spreadDir)
        #expect(spread!.orderDays.isEmpty, "customers of one order each hold no order days")

        // The figures: the first purchase day is new, every later one returning, once a day.
        let days = heavy!.dashboard.allDays.values
        #expect(days.reduce(0) { $0 + $1.newBuyers } == 1)
        #expect(days.reduce(0) { $0 + $1.returningBuyers } == Int64(days.filter { $0.events[1] > 0 }.count - 1))
        #expect(spread!.dashboard.allDays.values.reduce(0) { $0 + $1.newBuyers } == Int64(n))
        #expect(heavy!.orderDays.count == 1 && heavy!.orderDays.values.first?.days.count == days.count)
    }
}
