import Daicho

// What rules can name: profile fields (docs/segments.md "Field catalogue") and event props ("Aggregates over
// events"). The catalogue follows docs/profile.md; a new profile field is added here and in the doc together.

/// Parts of a profile that change together; a rule records those it reads so only affected rules re-run.
public struct ProfileSections: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `first_seen`, `last_seen`, `channels`, `events`: changed by every event.
    public static let summary = ProfileSections(rawValue: 1 << 0)
    public static let traits = ProfileSections(rawValue: 1 << 1)
    /// `id`, `merged_ids`, `identifiers`, `identity.*`: changed by merges and new identifiers.
    public static let identity = ProfileSections(rawValue: 1 << 2)
    public static let web = ProfileSections(rawValue: 1 << 3)
    public static let commerce = ProfileSections(rawValue: 1 << 4)
    public static let support = ProfileSections(rawValue: 1 << 5)
    public static let social = ProfileSections(rawValue: 1 << 6)

    /// The sections an event of `type` changes in the profile it is applied to (identity changes from merges
    /// and new identifiers are the identity projection's to report).
    public static func changed(by type: EventType) -> ProfileSections {
        switch type {
        case .pageView: [.summary, .web]
        case .purchase: [.summary, .commerce]
        case .inquiry: [.summary, .support]
        case .socialMention: [.summary, .social]
        case .identify: [.summary, .traits]
        case .link, .track: .summary
        case .segmentDefined, .segmentDropped, .offsetsLost: []
        }
    }
}

/// The static type of a value in a rule (docs/segments.md "Types").
enum ValueType: Equatable {
    case number, string, bool, time, duration, stringList, literalList, dynamic

    var name: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "bool"
        case .time: "time"
        case .duration: "duration"
        case .stringList: "list of strings"
        case .literalList: "list"
        case .dynamic: "dynamic value"
        }
    }
}

/// A profile field a rule can read, or an event prop inside an aggregate's filter (`prop`).
/// The raw value is the path (for keyed fields, the path before the key).
public enum ProfileField: String, Sendable, Hashable, CaseIterable {
    case id = "id"
    case mergedIDs = "merged_ids"
    case identifiers = "identifiers"
    case identityMerges = "identity.merges"
    case identityConflicts = "identity.conflicts"
    case trait = "traits"
    case firstSeen = "first_seen"
    case lastSeen = "last_seen"
    case channels = "channels"
    case events = "events"
    case webPageViews = "web.page_views"
    case webSessions = "web.sessions"
    case webDwellMs = "web.dwell_ms"
    case webLastPage = "web.last_page"
    case commerceOrders = "commerce.orders"
    case commerceRevenue = "commerce.revenue"
    case commerceFirstOrderAt = "commerce.first_order_at"
    case commerceLastOrderAt = "commerce.last_order_at"
    case commerceFrequency = "commerce.frequency"
    case commerceRecencyDays = "commerce.recency_days"
    case commerceAgeDays = "commerce.age_days"
    case commerceMonetary = "commerce.monetary"
    case supportInquiries = "support.inquiries"
    case supportByCategory = "support.by_category"
    case supportByChannel = "support.by_channel"
    case supportOpen = "support.open"
    case supportLastInquiryAt = "support.last_inquiry_at"
    case socialMentions = "social.mentions"
    case socialByPlatform = "social.by_platform"
    case socialAvgSentiment = "social.avg_sentiment"
    case socialReach = "social.reach"
    case socialLastMentionAt = "social.last_mention_at"
    /// A top-level prop of an event, in an aggregate's filter or summed value.
    case prop = "props"

    /// The section holding the field (empty for `prop`).
    public var section: ProfileSections {
        switch self {
        case .id, .mergedIDs, .identifiers, .identityMerges, .identityConflicts: .identity
        case .trait: .traits
        case .firstSeen, .lastSeen, .channels, .events: .summary
        case .webPageViews, .webSessions, .webDwellMs, .webLastPage: .web
        case .commerceOrders, .commerceRevenue, .commerceFirstOrderAt, .commerceLastOrderAt, .commerceFrequency,
             .commerceRecencyDays, .commerceAgeDays, .commerceMonetary: .commerce
        case .supportInquiries, .supportByCategory, .supportByChannel, .supportOpen, .supportLastInquiryAt: .support
        case .socialMentions, .socialByPlatform, .socialAvgSentiment, .socialReach, .socialLastMentionAt: .social
        case .prop: []
        }
    }

    var type: ValueType {
        switch self {
        case .id, .webLastPage: .string
        case .mergedIDs, .identifiers, .channels: .stringList
        case .trait, .prop: .dynamic
        case .firstSeen, .lastSeen, .commerceFirstOrderAt, .commerceLastOrderAt, .supportLastInquiryAt,
             .socialLastMentionAt: .time
        default: .number
        }
    }

    /// Whether the value can be absent (docs/segments.md "Missing values"); lists count as absent when empty.
    var canBeAbsent: Bool {
        switch self {
        case .id, .identityMerges, .identityConflicts, .events, .webPageViews, .webSessions, .webDwellMs,
             .commerceOrders, .commerceRevenue, .supportInquiries, .supportByCategory, .supportByChannel, .supportOpen,
             .socialMentions, .socialByPlatform, .socialReach: false
        default: true
        }
    }

    /// What follows the field's path as its key, for keyed fields.
    var key: KeyRule? {
        switch self {
        case .trait, .supportByChannel, .socialByPlatform, .prop: .any
        case .identifiers: .oneOf(IdentifierKind.all.map(\.name))
        case .supportByCategory: .oneOf(["complaint", "question", "request", "opinion"])
        case .commerceRevenue: .currency
        default: nil
        }
    }
}

/// The keys a keyed field accepts.
enum KeyRule {
    case any
    case oneOf([String])
    /// Three upper-case ASCII letters (ISO 4217, as ingest validates).
    case currency

    func accepts(_ key: String) -> Bool {
        switch self {
        case .any: !key.isEmpty
        case .oneOf(let keys): keys.contains(key)
        case .currency: key.utf8.count == 3 && key.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
        }
    }

    var expected: String {
        switch self {
        case .any: "a non-empty name"
        case .oneOf(let keys): "one of " + keys.joined(separator: ", ")
        case .currency: "a currency code of three upper-case letters, such as JPY"
        }
    }
}

enum RuleCatalogue {
    /// Profile fields by path.
    static let fields: [String: ProfileField] = Dictionary(
        uniqueKeysWithValues: ProfileField.allCases.filter { $0 != .prop }.map { ($0.rawValue, $0) })

    /// Paths that exist in a profile but cannot be used, with the reason.
    static let refused: [String: String] = [
        "web.top_paths": "web.top_paths cannot be used in rules (its counts are estimates beyond 64 paths); use count(page_view where path == \"…\")",
        "identity.linked_by": "identity.linked_by cannot be used in rules (it holds log offsets, not customer facts)",
        "segments": "segments cannot be used in rules (a rule may not depend on memberships)",
    ]

    /// The names that may follow `prefix` (empty for the root), in catalogue order.
    static func children(of prefix: [String]) -> [String] {
        var names: [String] = []
        for f in ProfileField.allCases where f != .prop {
            let parts = f.rawValue.split(separator: ".").map(String.init)
            guard parts.count > prefix.count, Array(parts.prefix(prefix.count)) == prefix else { continue }
            let name = parts[prefix.count]
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The well-known props of each event type with their types (schemas/types/*.json).
    static func props(of type: EventType) -> [(name: String, type: ValueType)] {
        switch type {
        case .pageView: [("url", .string), ("path", .string), ("title", .string), ("referrer", .string),
                         ("action", .string), ("dwell_ms", .number)]
        case .purchase: [("order_id", .string), ("amount", .number), ("currency", .string)]
        case .inquiry: [("channel", .string), ("category", .string), ("text", .string), ("status", .string)]
        case .socialMention: [("platform", .string), ("text", .string), ("sentiment", .number), ("reach", .number)]
        case .identify, .link, .segmentDefined, .segmentDropped, .offsetsLost: []
        case .track: [("event", .string)]
        }
    }

    /// Props that exist but cannot be named, with the reason.
    static func refusedProp(_ name: String, of type: EventType) -> String? {
        switch (type, name) {
        case (.purchase, "items"):
            "items of purchase is an array of objects; test its elements with any item where … (count(purchase where any item where sku == \"sku-1\") > 0)"
        case (.identify, "traits"): "traits of identify is an object; use the profile's traits.NAME instead"
        default: nil
        }
    }
}
