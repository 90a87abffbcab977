import Daicho

/// The props values the aggregates read from one event (docs/profile.md), read once per event by `read`: batch
/// string refs (interned into symbols when applied, in event order, so symbol numbers do not depend on where the
/// props were read) and numbers already converted as the aggregates store them. Plain values, no references:
/// replay reads them on the reader thread, ahead of the thread that applies them (docs/architecture.md "Replay on
/// two threads"). Identify events are not read here: their `traits` object is applied from the props whole.
enum AggregateProps {
    /// An event type that reads no props here (link, track, identify, internal events).
    case none
    /// `path` (0 when absent or not a string) and `dwell_ms` (clamped).
    case pageView(path: UInt32, dwellMs: Int64)
    /// `order_id`, `currency` (0 when absent), `amount` in µ-units, and the business day when the currency is
    /// the RFM currency.
    case purchase(order: UInt32, currency: UInt32, amount: Int64?, rfmDay: Int32?)
    /// `channel` (0 when absent), the category as one of the static refs of `Key` (0 for any other), and whether
    /// the status counts as open.
    case inquiry(channel: UInt32, category: UInt32, open: Bool)
    /// `platform` (0 when absent), `sentiment` in µ-units, `reach` (clamped).
    case socialMention(platform: UInt32, sentiment: Int64?, reach: Int64)

    /// Reads the props of `e` that the aggregates of its type use.
    /// - Complexity: O(props size); no allocation.
    static func read(_ e: EventView, config: ProfileConfig) -> AggregateProps {
        switch e.type {
        case .pageView:
            var pathRef: UInt32 = 0
            var dwell: Int64 = 0
            e.readProps { props throws(BatchError) in try props.forEachMember { key, value throws(BatchError) in
                if key == Key.path { pathRef = value.stringValue ?? 0 }
                else if key == Key.dwellMs { dwell = clampedCount(value.integer) }
            } }
            return .pageView(path: pathRef, dwellMs: dwell)
        case .purchase:
            var orderRef: UInt32 = 0, currencyRef: UInt32 = 0
            var amount: Double?
            e.readProps { props throws(BatchError) in try props.forEachMember { key, value throws(BatchError) in
                if key == Key.orderID { orderRef = value.stringValue ?? 0 }
                else if key == Key.amount { amount = value.number }
                else if key == Key.currency { currencyRef = value.stringValue ?? 0 }
            } }
            let units = amount.map(micros)
            var day: Int32?
            if orderRef != 0, currencyRef != 0, units != nil,
               currencyRef == config.rfmCurrencyRef
                || (currencyRef >= StaticStrings.count && config.rfmCurrency.utf8.elementsEqual(e.strings.bytes(currencyRef))) {
                day = config.calendar.day(ofMicros: e.at)
            }
            return .purchase(order: orderRef, currency: currencyRef, amount: units, rfmDay: day)
        case .inquiry:
            var channelRef: UInt32 = 0, categoryRef: UInt32 = 0, statusRef: UInt32 = 0
            e.readProps { props throws(BatchError) in try props.forEachMember { key, value throws(BatchError) in
                if key == Key.channel { channelRef = value.stringValue ?? 0 }
                else if key == Key.category { categoryRef = value.stringValue ?? 0 }
                else if key == Key.status { statusRef = value.stringValue ?? 0 }
            } }
            let status = statusRef == 0 ? Key.open : ProfileAggregates.staticRef(statusRef, e.strings)
            return .inquiry(channel: channelRef, category: ProfileAggregates.staticRef(categoryRef, e.strings),
                            open: status == Key.open || status == Key.pending)
        case .socialMention:
            var platformRef: UInt32 = 0
            var sentiment: Double?
            var reach: Int64 = 0
            e.readProps { props throws(BatchError) in try props.forEachMember { key, value throws(BatchError) in
                if key == Key.platform { platformRef = value.stringValue ?? 0 }
                else if key == Key.sentiment { sentiment = value.number }
                else if key == Key.reach { reach = clampedCount(value.integer) }
            } }
            return .socialMention(platform: platformRef, sentiment: sentiment.map(micros), reach: reach)
        case .identify, .link, .track, .segmentDefined, .segmentDropped, .offsetsLost:
            return .none
        }
    }
}
