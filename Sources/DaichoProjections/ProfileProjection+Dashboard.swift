import Daicho

// The keyed dashboard figures of one applied event (docs/console.md "Where the figures come from"); the fixed ones
// (events per type, identity) are counted by `applyResolved` itself.

extension ProfileProjection {
    /// Counts the event's revenue, order, buyer, inquiry or mention figures on `day`. Called by `applyResolved`
    /// after the event's merges were folded into profile `p` and before its aggregates are applied, so "new vs
    /// returning" sees the profile as it was when the purchase was applied.
    /// - Parameters:
    ///   - offset: the event's log offset (orders keep their latest event by time, then offset).
    ///   - source: the symbol of the event's source, `ProfileProjection.none` when it has none.
    @inline(__always)
    func countForDashboard(_ e: EventView, offset: UInt64, props: AggregateProps, day: Int32, profile p: Int,
                           source: UInt32) {
        switch props {
        case .purchase(let order, let currency, let amount, _):
            // A purchase without order id, currency or amount counts in no order or revenue (as in profiles).
            guard order != 0, currency != 0, let amount else { return }
            let orderSymbol = cache.symbol(order, in: e.strings, table: symbols)
            dashboard.purchase(day: day, order: orderSymbol,
                               currency: cache.symbol(currency, in: e.strings, table: symbols),
                               source: source == Self.none ? nil : source, amount: amount)
            switch buyerDay(day, of: p, order: orderSymbol, at: e.at, offset: offset) {
            case .new: dashboard.day(day) { $0.newBuyers += 1 }
            case .returning: dashboard.day(day) { $0.returningBuyers += 1 }
            case .counted: break
            }
        case .inquiry(let channel, let category, let open):
            let c: UInt16 = switch category {
            case Key.complaint: 0
            case Key.question: 1
            case Key.request: 2
            case Key.opinion: 3
            default: 4
            }
            dashboard.inquiry(day: day, category: c, channel: channel == 0 ? nil : cache.symbol(channel, in: e.strings, table: symbols).raw,
                              open: open)
        case .socialMention(let platform, let sentiment, let reach):
            dashboard.mention(day: day, platform: platform == 0 ? nil : cache.symbol(platform, in: e.strings, table: symbols).raw,
                              sentiment: sentiment, reach: reach)
        case .pageView, .none:
            break
        }
    }

    /// What a purchase of `order` at (`at`, `offset`) on `day` makes profile `p` (before the purchase): a new buyer
    /// (no order yet, or every order later than `day`), a returning one (an order before `day`, none on it), or a
    /// buyer-day already counted. A profile of more than `OrderDays.scanLimit` orders keeps its `OrderDays`, moved
    /// here to the order's new latest event exactly as `CommerceSection.addOrder` will keep it.
    /// - Complexity: O(1) for a profile of at most `OrderDays.scanLimit` orders, else O(log orders) (`OrderDays`).
    @inline(__always)
    private func buyerDay(_ day: Int32, of p: Int, order: Symbol, at: Int64, offset: UInt64) -> BuyerDay {
        guard let commerce = aggregates[p].commerce?.value, !commerce.orders.isEmpty else { return .new }
        guard commerce.orders.count > OrderDays.scanLimit else {
            return OrderDays.buyerDay(day, scanning: commerce.orders, calendar: config.calendar)
        }
        if orderDays[p] == nil { orderDays[p] = OrderDays(commerce.orders, calendar: config.calendar) }
        let kind = orderDays[p].unsafelyUnwrapped.buyerDay(day)
        if let previous = commerce.entry(of: order) {
            if previous.isReplaced(byEventAt: at, offset: offset) {
                orderDays[p]!.remove(config.calendar.day(ofMicros: previous.at))
                orderDays[p]!.add(day)
            }
        } else {
            orderDays[p]!.add(day)
        }
        return kind
    }
}
