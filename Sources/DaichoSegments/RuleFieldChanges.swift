import DaichoProjections

// Which profile field changes can alter a rule's result (docs/segments.md "Re-evaluation"): an event's profile is
// re-evaluated only for the segments whose rule reads a field the event changed (`ProfileProjection.lastChanges`).

extension ProfileField {
    /// The change flags of the profile projection that cover this field; empty for identity fields (merges and new
    /// identifiers, reported by the identity graph) and event props.
    var changes: ProfileFieldChanges {
        switch self {
        case .id, .mergedIDs, .identifiers, .identityMerges, .identityConflicts, .prop: []
        case .trait: .traits
        case .firstSeen: .firstSeen
        case .lastSeen: .lastSeen
        case .channels: .channels
        case .events: .events
        case .webPageViews: .webPageViews
        case .webSessions: .webSessions
        case .webDwellMs: .webDwellMs
        case .webLastPage: .webLastPage
        case .commerceOrders, .commerceRevenue: .commerceOrders
        case .commerceFirstOrderAt, .commerceLastOrderAt: .commerceOrderTimes
        case .commerceFrequency, .commerceRecencyDays, .commerceAgeDays, .commerceMonetary: .commerceDays
        case .supportInquiries, .supportByCategory, .supportByChannel, .supportOpen, .supportLastInquiryAt: .support
        case .socialMentions, .socialByPlatform, .socialAvgSentiment, .socialReach, .socialLastMentionAt: .social
        }
    }
}

extension CompiledRule {
    /// The profile field changes that can alter the rule's result (its aggregate terms and `in_segment` reads are
    /// tracked apart).
    var fieldChanges: ProfileFieldChanges {
        fields.reduce(into: []) { $0.formUnion($1.field.changes) }
    }
}
