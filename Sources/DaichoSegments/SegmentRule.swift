// The syntax tree of a segment rule. Grammar: docs/segments.md "Grammar (EBNF)".
// Offsets are byte offsets into the rule's UTF-8 text, kept for the type checker's error messages.

/// `== != < <= > >=`.
public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    /// Whether `order` (the sign of left − right) satisfies the operator.
    @inline(__always)
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }

    /// The operator with its sides swapped (`a < b` ⇔ `b > a`).
    var swapped: ComparisonOperator {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}

/// The operator of a test.
public enum TestOperator: Sendable, Hashable {
    case compare(ComparisonOperator)
    case `in`
    case contains
    case within

    /// As written in a rule.
    public var text: String {
        switch self {
        case .compare(let op): op.rawValue
        case .in: "in"
        case .contains: "contains"
        case .within: "within"
        }
    }
}

/// A dotted path (`commerce.orders`, `traits."好きな色"`), each segment with its offset.
public struct RulePath: Sendable, Hashable, CustomStringConvertible {
    public var segments: [String]
    public var offsets: [Int]

    /// The segments joined with dots.
    public var description: String { segments.joined(separator: ".") }
}

/// `count`, `sum`, `avg`, `min` or `max`.
public enum AggregateFunction: String, Sendable, Hashable {
    case count, sum, avg, min, max
}

/// `count(TYPE [where F] [within D])` and `sum`/`avg(TYPE.PROP ...)` as written.
public struct RuleAggregate: Sendable, Hashable {
    public var function: AggregateFunction
    public var eventType: String
    public var eventTypeOffset: Int
    /// The summed prop (`amount`, `props.x`); nil for `count`.
    public var prop: RulePath?
    public var filter: RuleExpression?
    public var window: RuleDuration?
    public var windowOffset: Int
}

/// One side of a test.
public indirect enum RuleOperand: Sendable, Hashable {
    case number(Double, at: Int)
    case string(String, at: Int)
    case bool(Bool, at: Int)
    case duration(RuleDuration, at: Int)
    case list([RuleOperand], at: Int)
    case path(RulePath)
    case exists(RulePath, at: Int)
    case daysSince(RulePath, at: Int)
    case aggregate(RuleAggregate, at: Int)
    /// `in_segment("NAME")`: membership of another segment (a test on its own).
    case inSegment(String, at: Int, nameAt: Int)
    /// `lhs op rhs` over numbers; `at` is the operator's offset.
    case arithmetic(ArithmeticOperator, RuleOperand, RuleOperand, at: Int)

    /// Byte offset where the operand starts.
    public var offset: Int {
        switch self {
        case .number(_, let at), .string(_, let at), .bool(_, let at), .duration(_, let at), .list(_, let at),
             .exists(_, let at), .daysSince(_, let at), .aggregate(_, let at), .inSegment(_, let at, _): at
        case .path(let p): p.offsets[0]
        case .arithmetic(_, let lhs, _, _): lhs.offset
        }
    }
}

/// A boolean expression.
public indirect enum RuleExpression: Sendable, Hashable {
    case or(RuleExpression, RuleExpression)
    case and(RuleExpression, RuleExpression)
    case not(RuleExpression)
    /// `lhs` alone (a boolean such as `exists(…)`), or `lhs op rhs`.
    case test(lhs: RuleOperand, op: TestOperator?, rhs: RuleOperand?, opOffset: Int)
    /// `any item where F` inside a purchase filter: F holds for at least one element of the order's `items`.
    case anyItem(RuleExpression, at: Int)
}

/// A parsed, not yet type-checked segment rule.
public struct SegmentRule: Sendable, Hashable {
    /// The rule as written.
    public let text: String
    /// Its syntax tree.
    public let expression: RuleExpression

    /// Parses `text` (docs/segments.md "Grammar").
    /// - Throws: `RuleError` at the first lexical or syntax error.
    /// - Complexity: O(length of the text).
    public init(parsing text: String) throws(RuleError) {
        var parser = RuleParser(text: text, tokens: try RuleLexer.tokenize(text))
        self.text = text
        expression = try parser.parseRule()
    }
}
