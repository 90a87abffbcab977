import Daicho

// Typed read access to the aggregates for segment rules (docs/segments.md "Field catalogue"): the same values
// as docs/profile.md's JSON without building JSON. Absent values are those the JSON shows as null.

/// A profile field held by the aggregates, with its key where the field is a map.
public enum ProfileFact: Sendable, Hashable {
    case firstSeen, lastSeen, events
    case webPageViews, webSessions, webDwellMs, webLastPage
    case commerceOrders, commerceRevenue(currency: Symbol), commerceFirstOrderAt, commerceLastOrderAt
    case commerceFrequency, commerceRecencyDays, commerceAgeDays, commerceMonetary
    case supportInquiries, supportOpen, supportLastInquiryAt, supportByChannel(Symbol)
    /// 0 complaint, 1 question, 2 request, 3 opinion.
    case supportByCategory(Int)
    case socialMentions, socialReach, socialAvgSentiment, socialLastMentionAt, socialByPlatform(Symbol)
    case trait(Symbol)
}

/// A fact's value: numbers as doubles, instants in µs, text as a symbol of the projection's table.
public enum FactValue: Sendable, Equatable {
    case absent
    case number(Double)
    case time(Int64)
    case symbol(Symbol)
    case bool(Bool)
}

extension ProfileAggregates {
    /// The value at `path` inside trait `key` when that trait holds an object (`traits.address.prefecture`,
    /// docs/segments.md "Field catalogue"); nil when the trait is not an object or a member on the path is
    /// missing. Decodes the stored object (allocates).
    public func nestedTrait(_ key: Symbol, path: [String], table: SymbolTable) -> JSONValue? {
        guard let entry = traits.first(where: { $0.key == key }), case .nested = entry.value else { return nil }
        var v = traitJSON(entry.value, table: table)
        for name in path {
            guard case .object(let members) = v, let m = members.last(where: { $0.key == name }) else { return nil }
            v = m.value
        }
        return v
    }

    /// The value of `fact` for this profile.
    /// - Parameters:
    ///   - now: the instant `commerce.age_days` is computed for, µs.
    ///   - config: the business calendar of the RFM day figures.
    public func fact(_ fact: ProfileFact, now: Int64, config: ProfileConfig) -> FactValue {
        withUnsafePointer(to: self) { Self.fact(fact, of: $0, now: now, config: config) }
    }

    /// `fact` of the aggregates at `a`, read in place: a segment evaluation reads facts of the projection's own
    /// aggregates many times per event, and a copy of them retains and releases every section.
    static func fact(_ fact: ProfileFact, of a: UnsafePointer<ProfileAggregates>, now: Int64, config: ProfileConfig) -> FactValue {
        func count<T: BinaryInteger>(_ v: T) -> FactValue { .number(Double(v)) }
        func instant(_ t: Int64) -> FactValue { t == .min || t == .max ? .absent : .time(t) }
        switch fact {
        case .firstSeen: return a.pointee.eventCount == 0 ? .absent : .time(a.pointee.firstSeen)
        case .lastSeen: return a.pointee.eventCount == 0 ? .absent : .time(a.pointee.lastSeen)
        case .events: return count(a.pointee.eventCount)
        case .webPageViews: return count(a.pointee.web?.value.pageViews ?? 0)
        case .webSessions: return count(a.pointee.web?.value.sessions.count ?? 0)
        case .webDwellMs: return count(a.pointee.web?.value.dwellMs ?? 0)
        case .webLastPage: return a.pointee.web?.value.lastPath.map { .symbol($0) } ?? .absent
        case .commerceOrders: return count(a.pointee.commerce?.value.orders.count ?? 0)
        case .commerceRevenue(let currency):
            let units = a.pointee.commerce?.value.orders.reduce(Int128(0)) { $1.currency == currency ? $0 + Int128($1.amount) : $0 } ?? 0
            return .number(Double(units) / 1_000_000)
        case .commerceFirstOrderAt: return instant(a.pointee.commerce?.value.firstAt ?? .max)
        case .commerceLastOrderAt: return instant(a.pointee.commerce?.value.lastAt ?? .min)
        case .commerceFrequency, .commerceRecencyDays, .commerceAgeDays, .commerceMonetary:
            guard let days = a.pointee.commerce?.value.days, let first = days.first, let last = days.last else { return .absent }
            switch fact {
            case .commerceFrequency: return count(days.count - 1)
            case .commerceRecencyDays: return count(Int64(last.day) - Int64(first.day))
            case .commerceAgeDays: return count(Int64(config.calendar.day(ofMicros: now)) - Int64(first.day))
            default:
                guard days.count > 1 else { return .number(0) }
                let repeatUnits = days.dropFirst().reduce(Int128(0)) { $0 + $1.amount }
                return .number(Double(repeatUnits) / 1_000_000 / Double(days.count - 1))
            }
        case .supportInquiries: return count(a.pointee.support?.value.inquiries ?? 0)
        case .supportOpen: return count(a.pointee.support?.value.open ?? 0)
        case .supportLastInquiryAt: return instant(a.pointee.support?.value.lastAt ?? .min)
        case .supportByChannel(let channel): return count(a.pointee.support?.value.byChannel.count(of: channel) ?? 0)
        case .supportByCategory(let category):
            guard let s = a.pointee.support?.value else { return .number(0) }
            return count([s.complaints, s.questions, s.requests, s.opinions][min(max(category, 0), 3)])
        case .socialMentions: return count(a.pointee.social?.value.mentions ?? 0)
        case .socialReach: return count(a.pointee.social?.value.reach ?? 0)
        case .socialLastMentionAt: return instant(a.pointee.social?.value.lastAt ?? .min)
        case .socialByPlatform(let platform): return count(a.pointee.social?.value.byPlatform.count(of: platform) ?? 0)
        case .socialAvgSentiment:
            guard let s = a.pointee.social?.value, s.sentimentCount > 0 else { return .absent }
            return .number(Double(s.sentimentSum) / (Double(s.sentimentCount) * 1_000_000))
        case .trait(let key):
            guard let entry = a.pointee.traits.first(where: { $0.key == key }) else { return .absent }
            switch entry.value {
            case .null, .nested: return .absent
            case .bool(let b): return .bool(b)
            case .int(let i): return .number(Double(i))
            case .double(let d): return .number(d)
            case .string(let s): return .symbol(s)
            }
        }
    }

    /// Whether events from source `channel` reached this profile.
    public func hasChannel(_ channel: Symbol) -> Bool { channels.contains(channel) }

    /// Number of distinct sources.
    public var channelCount: Int { channels.count }
}

extension ContiguousArray where Element == SymbolCount {
    /// The count stored for `symbol`, 0 when absent.
    func count(of symbol: Symbol) -> UInt32 {
        first { $0.symbol == symbol }?.count ?? 0
    }
}
