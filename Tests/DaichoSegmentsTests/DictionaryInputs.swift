@testable import DaichoSegments

/// A profile as plain dictionaries, keyed by the paths of rules (`traits.plan`, `commerce.orders`).
/// Unset scalar fields are absent; unset lists are empty; unset terms are zero.
struct DictionaryInputs: RuleInputs {
    var now: Int64 = 0
    var nextBusinessDay: Int64 = 0
    var values: [String: RuleValue] = [:]
    var lists: [String: [String]] = [:]
    /// By term index.
    var aggregates: [Int: AggregateValue] = [:]
    var termChanges: [Int: Int64] = [:]
    /// Indexes into `RuleDependencies.segments` of the segments the profile is a member of.
    var memberOf: Set<Int> = []

    func value(_ field: FieldRef) -> RuleValue { values[field.description] ?? .absent }

    func list(_ field: FieldRef, contains element: UnsafeRawBufferPointer) -> Bool {
        (lists[field.description] ?? []).contains { Array($0.utf8) == Array(element) }
    }

    func listIsEmpty(_ field: FieldRef) -> Bool { (lists[field.description] ?? []).isEmpty }

    func aggregate(_ term: Int) -> AggregateValue { aggregates[term] ?? AggregateValue(count: 0, sum: 0) }

    func nextChange(ofTerm term: Int) -> Int64? { termChanges[term] }

    func isMember(ofSegment segment: Int) -> Bool { memberOf.contains(segment) }
}

/// µs in a day, an hour, a minute.
let day: Int64 = 86_400_000_000, hour: Int64 = 3_600_000_000, minute: Int64 = 60_000_000

/// 2026-01-01T00:00:00Z in µs.
let jan1: Int64 = 1_767_225_600_000_000
