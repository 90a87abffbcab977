import Daicho
import DaichoJSON

// The JSON members of docs/profile.md "Fields" for the aggregates this type holds.
// Every section is always present (zeros, empty objects and nulls when the profile has no such events), so
// readers see one shape. Maps (traits, revenue, by_channel, by_platform) are ordered by key text.

extension ProfileAggregates {
    /// The members traits, first_seen, last_seen, channels, events, web, commerce, support, social, in that order.
    /// - Parameters:
    ///   - asOf: "Now" for `age_days`, µs since the epoch.
    ///   - table: The symbol table the aggregates' symbols belong to.
    ///   - config: Business time zone, RFM currency and `topPaths`.
    /// - Returns: JSON members; times are RFC 3339 strings in UTC.
    public func members(asOf: Int64, table: some SymbolNames, config: ProfileConfig) -> [JSONMember] {
        let traitMembers = traits.map { JSONMember(table.string($0.key), traitJSON($0.value, table: table)) }
            .sorted { $0.key < $1.key }
        return [
            JSONMember("traits", .object(traitMembers)),
            JSONMember("first_seen", time(eventCount == 0 ? .min : firstSeen)),
            JSONMember("last_seen", time(eventCount == 0 ? .min : lastSeen)),
            JSONMember("channels", .array(channels.map { table.string($0) }.sorted().map { .string($0) })),
            JSONMember("events", .int(Int64(eventCount))),
            JSONMember("web", webJSON(table: table, config: config)),
            JSONMember("commerce", commerceJSON(asOf: asOf, table: table, config: config)),
            JSONMember("support", supportJSON(table: table)),
            JSONMember("social", socialJSON(table: table)),
        ]
    }

    private func webJSON(table: some SymbolNames, config: ProfileConfig) -> JSONValue {
        let w = web?.value ?? WebSection(trackedPaths: config.trackedPaths, sessionGap: config.sessionGapMicros)
        var ranked: [(path: String, count: UInt32)] = w.paths.map { (table.string($0.symbol), $0.count) }
        ranked.sort { $0.count != $1.count ? $0.count > $1.count : $0.path < $1.path }
        var top: [JSONValue] = []
        for (path, count) in ranked.prefix(max(config.topPaths, 0)) {
            top.append(.object([JSONMember("path", .string(path)), JSONMember("count", .int(Int64(count)))]))
        }
        return .object([
            JSONMember("page_views", .int(Int64(w.pageViews))),
            JSONMember("sessions", .int(Int64(w.sessions.count))),
            JSONMember("dwell_ms", .int(w.dwellMs)),
            JSONMember("last_page", w.lastPath.map { .string(table.string($0)) } ?? .null),
            JSONMember("top_paths", .array(top)),
        ])
    }

    private func commerceJSON(asOf: Int64, table: some SymbolNames, config: ProfileConfig) -> JSONValue {
        let c = commerce?.value ?? CommerceSection()
        var revenue: [(currency: String, units: Int128)] = []
        for o in c.orders {
            let name = table.string(o.currency)
            if let i = revenue.firstIndex(where: { $0.currency == name }) { revenue[i].units += Int128(o.amount) }
            else { revenue.append((name, Int128(o.amount))) }
        }
        revenue.sort { $0.currency < $1.currency }
        // RFM per lifetimes' summary_data_from_transaction_data(freq="D"): per-day totals, the first day is the birth.
        var rfm: [JSONMember]
        if let first = c.days.first, let last = c.days.last {
            let frequency = c.days.count - 1
            let repeatUnits = c.days.dropFirst().reduce(Int128(0)) { $0 + $1.amount }
            let monetary: JSONValue = frequency == 0 ? .int(0) : amountJSON(repeatUnits, dividedBy: Int128(frequency))
            rfm = [
                JSONMember("frequency", .int(Int64(frequency))),
                JSONMember("recency_days", .int(Int64(last.day) - Int64(first.day))),
                JSONMember("age_days", .int(Int64(config.calendar.day(ofMicros: asOf)) - Int64(first.day))),
                JSONMember("monetary", monetary),
            ]
        } else {
            rfm = ["frequency", "recency_days", "age_days", "monetary"].map { JSONMember($0, .null) }
        }
        return .object([
            JSONMember("orders", .int(Int64(c.orders.count))),
            JSONMember("revenue", .object(revenue.map { JSONMember($0.currency, amountJSON($0.units, dividedBy: 1)) })),
            JSONMember("first_order_at", time(c.firstAt)),
            JSONMember("last_order_at", time(c.lastAt)),
        ] + rfm)
    }

    private func supportJSON(table: some SymbolNames) -> JSONValue {
        let s = support?.value ?? SupportSection()
        return .object([
            JSONMember("inquiries", .int(Int64(s.inquiries))),
            JSONMember("by_category", .object([
                JSONMember("complaint", .int(Int64(s.complaints))), JSONMember("question", .int(Int64(s.questions))),
                JSONMember("request", .int(Int64(s.requests))), JSONMember("opinion", .int(Int64(s.opinions))),
            ])),
            JSONMember("by_channel", countsJSON(s.byChannel, table: table)),
            JSONMember("open", .int(Int64(s.open))),
            JSONMember("last_inquiry_at", time(s.lastAt)),
        ])
    }

    private func socialJSON(table: some SymbolNames) -> JSONValue {
        let s = social?.value ?? SocialSection()
        let average: JSONValue = s.sentimentCount == 0 ? .null
            : .double(Double(s.sentimentSum) / (Double(s.sentimentCount) * 1_000_000))
        return .object([
            JSONMember("mentions", .int(Int64(s.mentions))),
            JSONMember("by_platform", countsJSON(s.byPlatform, table: table)),
            JSONMember("avg_sentiment", average),
            JSONMember("reach", .int(s.reach)),
            JSONMember("last_mention_at", time(s.lastAt)),
        ])
    }
}

/// An RFC 3339 UTC string, or null for the "never" sentinels.
private func time(_ micros: Int64) -> JSONValue {
    micros == .min || micros == .max ? .null : .string(RFC3339.string(micros: micros, offsetMinutes: 0))
}

/// `units / divisor` µ-units as a JSON number: an integer when it is one (and fits 64 bits), else the
/// nearest double (docs/profile.md "Exact sums").
func amountJSON(_ units: Int128, dividedBy divisor: Int128) -> JSONValue {
    let scale = 1_000_000 * divisor
    if units % scale == 0, let whole = Int64(exactly: units / scale) { return .int(whole) }
    return .double(Double(units) / Double(scale))
}

/// A symbol → count map as an object ordered by key text.
private func countsJSON(_ counts: ContiguousArray<SymbolCount>, table: some SymbolNames) -> JSONValue {
    .object(counts.map { JSONMember(table.string($0.symbol), .int(Int64($0.count))) }.sorted { $0.key < $1.key })
}
