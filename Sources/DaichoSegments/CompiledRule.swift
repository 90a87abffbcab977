import Daicho

// The checked, evaluable form of a segment rule: a tree of enums over resolved fields, constants and aggregate
// term indices, evaluated without allocation (CompiledRule+Evaluate.swift). docs/segments.md "Evaluation interface".

/// A field a compiled rule reads: a profile field (with its key for traits and maps) or, inside an aggregate
/// term, an event prop.
public struct FieldRef: Sendable, Hashable, CustomStringConvertible {
    /// Position in `CompiledRule.fields` (profile fields) or `AggregateTerm.props` (event props), so an
    /// implementation can resolve keys to its own symbols once per rule.
    public let index: Int
    public let field: ProfileField
    /// Trait name, map key, identifier kind or prop name; nil for unkeyed fields.
    public let key: String?
    /// The static-string ref of a prop key (docs/event-encoding.md), 0 when the name is not in the table.
    let keyRef: UInt32
    /// Members inside an object-valued trait after the trait's name (`traits.address.prefecture`: ["prefecture"]).
    public var path: [String] = []

    /// The path as written in rules (`traits.plan`, `support.by_channel.email`).
    public var description: String {
        ([key.map { field.rawValue + "." + $0 } ?? field.rawValue] + path).joined(separator: ".")
    }
}

/// A literal in a compiled rule.
enum RuleConstant: Sendable, Hashable {
    case number(Double)
    case string(String)
    case bool(Bool)
}

/// One side of a compiled test.
indirect enum RuleScalar: Sendable, Hashable {
    case constant(RuleConstant)
    case field(FieldRef)
    case daysSince(FieldRef)
    case count(Int)
    case sum(Int)
    case avg(Int)
    /// `min`/`max` of a term kept with `AggregateTerm.extremes`; absent when it holds no event.
    case min(Int)
    case max(Int)
    /// `l op r` over numbers; absent when a side is absent, on division by zero or an infinite result.
    case arithmetic(ArithmeticOperator, RuleScalar, RuleScalar)
}

/// A compiled boolean expression.
indirect enum RuleNode: Sendable, Hashable {
    case and(RuleNode, RuleNode)
    case or(RuleNode, RuleNode)
    case not(RuleNode)
    case compare(RuleScalar, ComparisonOperator, RuleScalar)
    /// `x in [constants]`.
    case member(RuleScalar, [RuleConstant])
    /// `"web" in channels` and `channels contains "web"`.
    case inList(RuleScalar, FieldRef)
    /// `string contains string`.
    case substring(RuleScalar, RuleScalar)
    /// `time within D` (µs).
    case within(FieldRef, Int64)
    case exists(FieldRef)
    /// `in_segment("NAME")`: an index into `CompiledRule.segments`.
    case inSegment(Int)
    /// `any item where F` (purchase filters): F over the members of each element of the event's `items`.
    case anyItem(RuleNode)
}

/// An aggregate over a profile's events of one type: (type, filter, summed prop, window). Equal terms of
/// different rules compare equal, so a projection keeps one store per distinct term.
public struct AggregateTerm: Sendable, Hashable {
    public let eventType: EventType
    /// The props the filter and the summed value read (`FieldRef.field == .prop`).
    public let props: [FieldRef]
    /// The summed prop (`sum`, `avg`); nil for a counting term.
    public let valueProp: FieldRef?
    /// The window in µs; nil for all of the profile's events.
    public let window: Int64?
    let filter: RuleNode?
    /// The store also keeps the smallest and largest value (`min`, `max`); such a term is distinct from the
    /// same term without them, so `count`/`sum`/`avg` terms pay nothing for it.
    public let extremes: Bool
}

/// What a rule reads, for re-evaluating only the rules a change can affect (docs/segments.md "Re-evaluation").
public struct RuleDependencies: Sendable, Hashable {
    /// Profile sections the rule reads.
    public var sections: ProfileSections = []
    /// Event types of its aggregates.
    public var eventTypes: Set<EventType> = []
    /// True when the result can change with the clock alone (windows, `days_since`, `within`, `age_days`).
    public var isTimeDependent = false
    /// The longest window of its aggregate terms, µs; nil when it has no windowed aggregate.
    public var longestWindow: Int64?
    /// The segments it reads the membership of (`in_segment`), each once; `RuleNode.inSegment` indexes this.
    public var segments: [String] = []
    /// Where each of `segments` is named in the rule text (byte offsets, for errors).
    var segmentOffsets: [Int] = []
}

/// A type-checked segment rule, ready to evaluate.
public struct CompiledRule: Sendable {
    /// The rule as parsed.
    public let rule: SegmentRule
    /// The profile fields it reads, each once; `FieldRef.index` is the position here.
    public let fields: [FieldRef]
    /// Its aggregate terms, each once; aggregates name them by index.
    public let terms: [AggregateTerm]
    public let dependencies: RuleDependencies
    let root: RuleNode

    /// Parses and type-checks `text`.
    /// - Throws: `RuleError` for a syntax error, an unknown field, event type or prop, or a type mismatch.
    public init(compiling text: String) throws(RuleError) {
        try self.init(try SegmentRule(parsing: text))
    }

    /// Type-checks a parsed rule against the field and event catalogues (docs/segments.md).
    /// - Throws: `RuleError` for an unknown field, event type or prop, or a type mismatch.
    public init(_ rule: SegmentRule) throws(RuleError) {
        var checker = RuleChecker(text: rule.text, eventType: nil)
        root = try checker.check(rule.expression)
        self.rule = rule
        fields = checker.fields
        terms = checker.terms
        dependencies = checker.dependencies
    }
}
