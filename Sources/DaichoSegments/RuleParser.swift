// Recursive-descent parser of docs/segments.md "Grammar (EBNF)".

/// Words with a meaning where an expression or operand starts; after a `.` they are plain path segments.
let ruleKeywords: Set<String> = [
    "and", "or", "not", "in", "contains", "within", "where", "true", "false", "count", "sum", "avg", "exists", "days_since",
    "in_segment", "min", "max", "any",
]

/// The functions of the language, for the message naming them when an unknown one is called.
let ruleFunctions = ["count", "sum", "avg", "min", "max", "exists", "days_since", "in_segment"]

struct RuleParser {
    /// Deepest nesting of parentheses, `not` and filters.
    static let maxDepth = 64

    let text: String
    let tokens: [Token]
    private var i = 0
    private var depth = 0
    /// Inside `where`: `within` ends the filter instead of starting a test.
    private var inFilter = false

    init(text: String, tokens: [Token]) {
        self.text = text
        self.tokens = tokens
    }

    private var token: Token { tokens[i] }

    private func error(_ message: String, at offset: Int) -> RuleError { RuleError(message, at: offset, in: text) }

    /// How a token is named in "found …".
    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "end of rule"
        case .identifier(let s): s
        case .number, .string, .duration:
            "\(String(decoding: Array(text.utf8)[t.start..<t.end], as: UTF8.self))"
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .comma: "\",\""
        case .dot: "\".\""
        case .comparison(let op): op.rawValue
        case .arithmetic(let op): "\"\(op.rawValue)\""
        }
    }

    private func isKeyword(_ word: String) -> Bool {
        if case .identifier(word) = token.kind { return true }
        return false
    }

    private mutating func expect(_ kind: TokenKind, _ shown: String) throws(RuleError) {
        guard token.kind == kind else { throw error("expected \(shown), found \(describe(token))", at: token.start) }
        i += 1
    }

    private mutating func enter() throws(RuleError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw error("rule nested too deeply (more than \(Self.maxDepth) levels)", at: token.start)
        }
    }

    mutating func parseRule() throws(RuleError) -> RuleExpression {
        let e = try expression()
        guard token.kind == .end else {
            if case .comparison = token.kind { throw error("comparisons cannot be chained; combine them with and", at: token.start) }
            throw error("expected and, or or end of rule, found \(describe(token))", at: token.start)
        }
        return e
    }

    private mutating func expression() throws(RuleError) -> RuleExpression {
        var e = try conjunction()
        while isKeyword("or") {
            i += 1
            e = .or(e, try conjunction())
        }
        return e
    }

    private mutating func conjunction() throws(RuleError) -> RuleExpression {
        var e = try negation()
        while isKeyword("and") {
            i += 1
            e = .and(e, try negation())
        }
        return e
    }

    private mutating func negation() throws(RuleError) -> RuleExpression {
        if isKeyword("not") {
            i += 1
            try enter()
            defer { depth -= 1 }
            return .not(try negation())
        }
        if isKeyword("any") {
            let start = token.start
            i += 1
            guard isKeyword("item") else { throw error("expected item after any (any item where …), found \(describe(token))", at: token.start) }
            i += 1
            guard isKeyword("where") else { throw error("expected where after any item, found \(describe(token))", at: token.start) }
            i += 1
            try enter()
            defer { depth -= 1 }
            return .anyItem(try expression(), at: start)
        }
        if token.kind == .leftParen {
            i += 1
            try enter()
            let e = try expression()
            if case .comparison = token.kind { throw error("comparisons cannot be chained; combine them with and", at: token.start) }
            try expect(.rightParen, "\")\"")
            depth -= 1
            return e
        }
        return try test()
    }

    private mutating func test() throws(RuleError) -> RuleExpression {
        let lhs = try arithmetic()
        let opOffset = token.start
        let op: TestOperator
        switch token.kind {
        case .comparison(let c): op = .compare(c)
        case .identifier("in"): op = .in
        case .identifier("contains"): op = .contains
        case .identifier("within") where !inFilter: op = .within
        default: return .test(lhs: lhs, op: nil, rhs: nil, opOffset: opOffset)
        }
        i += 1
        let rhs: RuleOperand
        if op == .within {
            guard case .duration(let d) = token.kind else {
                throw error("expected a duration such as 30m, 12h or 7d after within, found \(describe(token))", at: token.start)
            }
            rhs = .duration(d, at: token.start)
            i += 1
        } else {
            rhs = try arithmetic()
        }
        if case .comparison = token.kind { throw error("comparisons cannot be chained; combine them with and", at: token.start) }
        return .test(lhs: lhs, op: op, rhs: rhs, opOffset: opOffset)
    }

    /// `operand { ("+" | "-" | "*" | "/") operand }`, `*` and `/` binding tighter, each level left to right (no
    /// parentheses inside arithmetic: a "(" starts a boolean group).
    private mutating func arithmetic(binding minimum: Int = 1) throws(RuleError) -> RuleOperand {
        var lhs = try operand()
        while case .arithmetic(let op) = token.kind, op.binding >= minimum {
            let at = token.start
            i += 1
            let rhs = op.binding == 1 ? try arithmetic(binding: 2) : try operand()
            lhs = .arithmetic(op, lhs, rhs, at: at)
        }
        return lhs
    }

    private mutating func operand() throws(RuleError) -> RuleOperand {
        let t = token
        switch t.kind {
        case .number(let v): i += 1; return .number(v, at: t.start)
        case .string(let s): i += 1; return .string(s, at: t.start)
        case .duration(let d): i += 1; return .duration(d, at: t.start)
        case .leftBracket: return try list()
        case .identifier("true"): i += 1; return .bool(true, at: t.start)
        case .identifier("false"): i += 1; return .bool(false, at: t.start)
        case .identifier("exists"), .identifier("days_since"):
            i += 1
            try expect(.leftParen, "\"(\" after \(describe(t))")
            let p = try path()
            try expect(.rightParen, "\")\"")
            return t.kind == .identifier("exists") ? .exists(p, at: t.start) : .daysSince(p, at: t.start)
        case .identifier("in_segment"):
            i += 1
            try expect(.leftParen, "\"(\" after in_segment")
            guard case .string(let name) = token.kind else {
                throw error("expected a segment name in quotes (in_segment(\"vip\")), found \(describe(token))", at: token.start)
            }
            let nameOffset = token.start
            i += 1
            try expect(.rightParen, "\")\"")
            return .inSegment(name, at: t.start, nameAt: nameOffset)
        case .identifier("count"), .identifier("sum"), .identifier("avg"), .identifier("min"), .identifier("max"):
            return try aggregate()
        case .identifier(let word) where !ruleKeywords.contains(word):
            if i + 1 < tokens.count, tokens[i + 1].kind == .leftParen {
                throw error("unknown function \(word); expected one of \(ruleFunctions.joined(separator: ", "))", at: t.start)
            }
            return .path(try path())
        default:
            throw error("expected a number, string, field or aggregate, found \(describe(t))", at: t.start)
        }
    }

    private mutating func list() throws(RuleError) -> RuleOperand {
        let start = token.start
        i += 1
        var elements: [RuleOperand] = []
        while true {
            let t = token
            switch t.kind {
            case .number(let v): elements.append(.number(v, at: t.start))
            case .string(let s): elements.append(.string(s, at: t.start))
            case .identifier("true"): elements.append(.bool(true, at: t.start))
            case .identifier("false"): elements.append(.bool(false, at: t.start))
            case .rightBracket where elements.isEmpty:
                throw error("empty list; expected at least one value", at: t.start)
            default: throw error("expected a number, string, true or false in the list, found \(describe(t))", at: t.start)
            }
            i += 1
            if token.kind == .rightBracket { i += 1; return .list(elements, at: start) }
            try expect(.comma, "\",\" or \"]\"")
        }
    }

    /// `IDENT { "." (IDENT | STRING) }`.
    private mutating func path() throws(RuleError) -> RulePath {
        guard case .identifier(let first) = token.kind, !ruleKeywords.contains(first) else {
            throw error("expected a field, found \(describe(token))", at: token.start)
        }
        var p = RulePath(segments: [first], offsets: [token.start])
        i += 1
        while token.kind == .dot {
            i += 1
            switch token.kind {
            case .identifier(let s), .string(let s):
                p.segments.append(s)
                p.offsets.append(token.start)
                i += 1
            default: throw error("expected a name after \".\", found \(describe(token))", at: token.start)
            }
        }
        return p
    }

    private mutating func aggregate() throws(RuleError) -> RuleOperand {
        let start = token.start
        guard case .identifier(let name) = token.kind, let function = AggregateFunction(rawValue: name) else {
            preconditionFailure("aggregate() called on a non-aggregate token")
        }
        i += 1
        try expect(.leftParen, "\"(\" after \(name)")
        guard case .identifier(let type) = token.kind else {
            throw error("expected an event type, found \(describe(token))", at: token.start)
        }
        var a = RuleAggregate(function: function, eventType: type, eventTypeOffset: token.start, prop: nil, filter: nil,
                              window: nil, windowOffset: 0)
        i += 1
        if function != .count {
            try expect(.dot, "\".\" and a prop after the event type (\(name)(\(type).PROP …))")
            guard case .identifier(let prop) = token.kind else {
                throw error("expected a prop name, found \(describe(token))", at: token.start)
            }
            var p = RulePath(segments: [prop], offsets: [token.start])
            i += 1
            if token.kind == .dot {
                i += 1
                switch token.kind {
                case .identifier(let s), .string(let s): p.segments.append(s); p.offsets.append(token.start); i += 1
                default: throw error("expected a name after \".\", found \(describe(token))", at: token.start)
                }
            }
            a.prop = p
        }
        if isKeyword("where") {
            i += 1
            try enter()
            let outer = inFilter
            inFilter = true
            a.filter = try expression()
            inFilter = outer
            depth -= 1
        }
        if isKeyword("within") {
            i += 1
            guard case .duration(let d) = token.kind else {
                throw error("expected a duration such as 30m, 12h or 7d after within, found \(describe(token))", at: token.start)
            }
            a.window = d
            a.windowOffset = token.start
            i += 1
        }
        if case .comparison = token.kind { throw error("comparisons cannot be chained; combine them with and", at: token.start) }
        let expected = a.filter == nil && a.window == nil ? "where, within or \")\"" : a.window == nil ? "and, or, within or \")\"" : "\")\""
        guard token.kind == .rightParen else { throw error("expected \(expected), found \(describe(token))", at: token.start) }
        i += 1
        return .aggregate(a, at: start)
    }
}
