// What a compiled rule reads when it is evaluated. See docs/segments.md "Evaluation interface".

/// A value handed to a rule. `.utf8` points at bytes valid only for the duration of the call that returned it
/// (a batch's string table, a symbol table's storage), so strings need not be created.
public enum RuleValue {
    case absent
    case number(Double)
    case string(String)
    case utf8(UnsafeRawBufferPointer)
    case bool(Bool)
    /// An instant, µs since the Unix epoch.
    case time(Int64)
}

/// The count and the sum (of the summed prop) of one aggregate term at the clock.
public struct AggregateValue: Sendable, Hashable {
    public var count: Int64
    public var sum: Double

    /// The smallest and largest value, for a term kept with `AggregateTerm.extremes`; nil otherwise or when
    /// `count` is 0.
    public var min: Double?
    public var max: Double?

    public init(count: Int64, sum: Double, min: Double? = nil, max: Double? = nil) {
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
    }
}

/// One profile as a rule sees it at the segment clock (implemented by the segment projection; tests use a
/// dictionary). Values follow the field catalogue of docs/segments.md: numbers for counts and map keys (0 when
/// the key is missing), `.time` for times, `.absent` for nulls, unset traits and array or object traits.
public protocol RuleInputs {
    /// The segment clock, µs since the Unix epoch.
    var now: Int64 { get }
    /// The start of the next business day after `now` (when `commerce.age_days` next changes), µs.
    var nextBusinessDay: Int64 { get }
    /// The value of a scalar field: `field.field` with `field.key` (trait name, map key) when keyed.
    func value(_ field: FieldRef) -> RuleValue
    /// Whether the list field (`channels`, `merged_ids`, `identifiers.KIND`) holds the UTF-8 string `element`.
    func list(_ field: FieldRef, contains element: UnsafeRawBufferPointer) -> Bool
    /// Whether the list field is empty.
    func listIsEmpty(_ field: FieldRef) -> Bool
    /// The count and sum of the rule's aggregate term `term` (an index into `CompiledRule.terms`) at `now`.
    func aggregate(_ term: Int) -> AggregateValue
    /// When the term's value next changes without new events (`WindowBuckets.nextChange`); nil if never.
    func nextChange(ofTerm term: Int) -> Int64?
    /// Whether the profile is a member of the segment `RuleDependencies.segments[segment]` (`in_segment`).
    func isMember(ofSegment segment: Int) -> Bool
}
