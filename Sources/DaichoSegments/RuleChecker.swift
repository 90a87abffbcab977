import Daicho

// The type checker: resolves paths against the catalogues, checks every test against docs/segments.md "Types"
// and produces the compiled tree, the field and term tables and the dependencies.

/// An operand after resolution.
private struct Typed {
    var scalar: RuleScalar?
    var type: ValueType
    var offset: Int
    /// The elements of a list literal.
    var list: [RuleConstant] = []
    /// The field of a list-typed path.
    var field: FieldRef?
    var duration: RuleDuration?

    var isConstant: Bool { if case .constant = scalar { true } else { false } }
}

/// What a rule has used of its `RuleLimits` so far, shared by the checker of the rule and those of its filters.
final class RuleBudget {
    var tests = 0
    var windowedTerms = 0
    /// (event type, prop name) pairs read by filters and summed values.
    var filterProps: Set<String> = []
}

struct RuleChecker {
    let text: String
    /// nil for a whole rule; the event type inside an aggregate's filter (paths are props).
    let eventType: EventType?
    private(set) var fields: [FieldRef] = []
    private(set) var terms: [AggregateTerm] = []
    private(set) var dependencies = RuleDependencies()
    private let budget: RuleBudget
    /// Inside `any item where`: paths are members of an order item.
    private let inItem: Bool

    init(text: String, eventType: EventType?, budget: RuleBudget = RuleBudget(), inItem: Bool = false) {
        self.text = text
        self.eventType = eventType
        self.budget = budget
        self.inItem = inItem
    }

    /// The members of a purchase's items the language names (schemas/types/purchase.schema.json); any other is
    /// `item.NAME`.
    static let itemMembers: [(name: String, type: ValueType)] = [("sku", .string), ("qty", .number), ("price", .number)]

    /// Counts one test against `RuleLimits.maxTests`.
    private func countTest(at offset: Int) throws(RuleError) {
        budget.tests += 1
        guard budget.tests <= RuleLimits.maxTests else {
            throw error("the rule has more than \(RuleLimits.maxTests) tests, the maximum (docs/segments.md \"Cost\"); \(RuleLimits.advice)",
                        at: offset)
        }
    }

    private func error(_ message: String, at offset: Int) -> RuleError { RuleError(message, at: offset, in: text) }

    mutating func check(_ e: RuleExpression) throws(RuleError) -> RuleNode {
        switch e {
        case .or(let a, let b): return .or(try check(a), try check(b))
        case .and(let a, let b): return .and(try check(a), try check(b))
        case .not(let a): return .not(try check(a))
        case .test(let lhs, let op, let rhs, let opOffset):
            guard let op, let rhs else { return try bare(lhs) }
            return try test(lhs, op, rhs, opOffset: opOffset)
        case .anyItem(let inner, let at):
            guard eventType == .purchase, !inItem else {
                throw error("any item where … is for the items of a purchase: count(purchase where any item where sku == \"…\")", at: at)
            }
            var items = RuleChecker(text: text, eventType: .purchase, budget: budget, inItem: true)
            return .anyItem(try items.check(inner))
        }
    }

    /// A test without an operator: only `exists(…)`.
    private mutating func bare(_ operand: RuleOperand) throws(RuleError) -> RuleNode {
        try countTest(at: operand.offset)
        if case .inSegment(let name, let at, let nameAt) = operand {
            guard eventType == nil else { throw error("in_segment cannot be used inside a filter", at: at) }
            if let problem = SegmentDefinitions.problem(withName: name) { throw error(problem, at: nameAt) }
            if let i = dependencies.segments.firstIndex(of: name) { return .inSegment(i) }
            dependencies.segments.append(name)
            dependencies.segmentOffsets.append(nameAt)
            return .inSegment(dependencies.segments.count - 1)
        }
        guard case .exists(let path, _) = operand else {
            throw error("expected a comparison after \(show(operand)) (==, !=, <, <=, >, >=, in, contains, within)",
                        at: operand.offset)
        }
        let ref = try resolve(path)
        guard ref.field.canBeAbsent else {
            throw error("\(path) is never absent; exists would always be true", at: path.offsets[0])
        }
        return .exists(ref)
    }

    private mutating func test(_ lhs: RuleOperand, _ op: TestOperator, _ rhs: RuleOperand,
                               opOffset: Int) throws(RuleError) -> RuleNode {
        try countTest(at: lhs.offset)
        let l = try typed(lhs), r = try typed(rhs)
        switch op {
        case .compare(let c):
            for side in [l, r] where side.type == .literalList || side.type == .duration {
                throw error(side.type == .duration ? "a duration can only follow within" : "a list can only follow in",
                            at: side.offset)
            }
            try needField(l, r)
            let compatible = l.type == r.type
                ? [.number, .string, .bool, .time, .dynamic].contains(l.type)
                : (l.type == .dynamic && [.number, .string, .bool].contains(r.type))
                    || (r.type == .dynamic && [.number, .string, .bool].contains(l.type))
            guard compatible, let ls = l.scalar, let rs = r.scalar else {
                throw error("cannot compare \(l.type.name) with \(r.type.name)", at: opOffset)
            }
            if (l.type == .bool || r.type == .bool), c != .equal, c != .notEqual {
                throw error("bool values support only == and !=", at: opOffset)
            }
            return .compare(ls, c, rs)
        case .in:
            if r.type == .stringList, let list = r.field {
                guard let ls = l.scalar, [.string, .dynamic].contains(l.type) else {
                    throw error("in a list of strings needs a string on the left; \(show(lhs)) is a \(l.type.name)", at: opOffset)
                }
                return .inList(ls, list)
            }
            guard r.type == .literalList else {
                throw error("in needs a list on the right ([…] or a list field); \(show(rhs)) is a \(r.type.name)", at: r.offset)
            }
            guard let ls = l.scalar, !l.isConstant else { throw error("a test needs a field or aggregate on one side", at: l.offset) }
            let elementType: ValueType = switch r.list[0] { case .number: .number; case .string: .string; case .bool: .bool }
            guard l.type == elementType || l.type == .dynamic else {
                throw error("cannot test a \(l.type.name) in a list of \(elementType.name)s", at: opOffset)
            }
            return .member(ls, r.list)
        case .contains:
            if l.type == .stringList, let list = l.field {
                guard let rs = r.scalar, [.string, .dynamic].contains(r.type) else {
                    throw error("contains on a list of strings needs a string on the right; \(show(rhs)) is a \(r.type.name)", at: r.offset)
                }
                return .inList(rs, list)
            }
            guard [.string, .dynamic].contains(l.type), [.string, .dynamic].contains(r.type),
                  let ls = l.scalar, let rs = r.scalar else {
                throw error("contains needs a string or a list of strings on the left and a string on the right", at: opOffset)
            }
            try needField(l, r)
            return .substring(ls, rs)
        case .within:
            guard l.type == .time || (l.type == .dynamic && eventType == nil), case .field(let ref) = l.scalar,
                  let d = r.duration else {
                throw error("within needs a time field on the left; \(show(lhs)) is a \(l.type.name)", at: opOffset)
            }
            dependencies.isTimeDependent = true
            return .within(ref, d.micros)
        }
    }

    private func needField(_ l: Typed, _ r: Typed) throws(RuleError) {
        if l.isConstant && r.isConstant { throw error("a test needs a field or aggregate on one side", at: l.offset) }
    }

    private mutating func typed(_ o: RuleOperand) throws(RuleError) -> Typed {
        switch o {
        case .number(let v, let at): return Typed(scalar: .constant(.number(v)), type: .number, offset: at)
        case .string(let s, let at): return Typed(scalar: .constant(.string(s)), type: .string, offset: at)
        case .bool(let b, let at): return Typed(scalar: .constant(.bool(b)), type: .bool, offset: at)
        case .duration(let d, let at): return Typed(scalar: nil, type: .duration, offset: at, duration: d)
        case .list(let elements, let at):
            var constants: [RuleConstant] = []
            for e in elements {
                let c: RuleConstant
                switch e {
                case .number(let v, _): c = .number(v)
                case .string(let s, _): c = .string(s)
                case .bool(let b, _): c = .bool(b)
                default: preconditionFailure("the parser admits only literals in lists")
                }
                if let first = constants.first, !Self.sameKind(first, c) {
                    throw error("a list holds values of one type; expected \(Self.kindName(first))s only", at: e.offset)
                }
                constants.append(c)
            }
            return Typed(scalar: nil, type: .literalList, offset: at, list: constants)
        case .path(let p):
            let ref = try resolve(p)
            let type = inItem ? (p.segments.count == 1 ? Self.itemMembers.first { $0.name == p.segments[0] }?.type ?? .dynamic : .dynamic)
                : eventType.map { t in Self.propType(p, of: t) } ?? ref.field.type
            return Typed(scalar: type == .stringList ? nil : .field(ref), type: type, offset: p.offsets[0],
                         field: type == .stringList ? ref : nil)
        case .exists(_, let at):
            throw error("exists(…) is a test on its own; it cannot be an operand", at: at)
        case .inSegment(_, let at, _):
            throw error("in_segment(…) is a test on its own; it cannot be an operand", at: at)
        case .daysSince(let p, let at):
            let ref = try resolve(p)
            // A trait may hold a date (`traits.signup_date`): read as a time when it is one, else absent.
            guard ref.field.type == .time || (ref.field.type == .dynamic && eventType == nil) else {
                throw error("days_since needs a time; \(p) is a \(ref.field.type.name)", at: p.offsets[0])
            }
            dependencies.isTimeDependent = true
            return Typed(scalar: .daysSince(ref), type: .number, offset: at)
        case .arithmetic(let op, let a, let b, let at):
            let l = try typed(a), r = try typed(b)
            for (side, written) in [(l, a), (r, b)] where !(side.type == .number || side.type == .dynamic) || side.scalar == nil {
                throw error("\(op.rawValue) needs numbers on both sides; \(show(written)) is a \(side.type.name)", at: side.offset)
            }
            guard let ls = l.scalar, let rs = r.scalar else { preconditionFailure("checked above") }
            if l.isConstant && r.isConstant { throw error("arithmetic needs a field or aggregate on one side", at: at) }
            return Typed(scalar: .arithmetic(op, ls, rs), type: .number, offset: l.offset)
        case .aggregate(let a, let at):
            guard eventType == nil else { throw error("aggregates cannot be used inside a filter", at: at) }
            let index = try term(a, at: at)
            let scalar: RuleScalar = switch a.function {
            case .count: .count(index)
            case .sum: .sum(index)
            case .avg: .avg(index)
            case .min: .min(index)
            case .max: .max(index)
            }
            return Typed(scalar: scalar, type: .number, offset: at)
        }
    }

    private static func sameKind(_ a: RuleConstant, _ b: RuleConstant) -> Bool {
        switch (a, b) {
        case (.number, .number), (.string, .string), (.bool, .bool): true
        default: false
        }
    }

    private static func kindName(_ c: RuleConstant) -> String {
        switch c { case .number: "number"; case .string: "string"; case .bool: "bool" }
    }

    /// How an operand is named in a message.
    private func show(_ o: RuleOperand) -> String {
        switch o {
        case .number(let v, _): v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let s, _): "\"\(s)\""
        case .bool(let b, _): String(b)
        case .duration(let d, _): d.description
        case .list: "the list"
        case .path(let p): p.description
        case .exists(let p, _): "exists(\(p))"
        case .daysSince(let p, _): "days_since(\(p))"
        case .aggregate(let a, _): "\(a.function.rawValue)(…)"
        case .arithmetic(let op, let l, let r, _): "\(show(l)) \(op.rawValue) \(show(r))"
        case .inSegment(let name, _, _): "in_segment(\"\(name)\")"
        }
    }

    // MARK: - Paths

    /// A profile field (whole rules) or an event prop (filters), each distinct one listed once.
    private mutating func resolve(_ p: RulePath) throws(RuleError) -> FieldRef {
        let (field, key, keyRef) = if inItem { try resolveItemMember(p) }
            else if let eventType { try resolveProp(p, of: eventType) } else { try resolveField(p) }
        // `traits.NAME.MEMBER…`: a member inside an object-valued trait.
        let path = field == .trait && eventType == nil ? Array(p.segments.dropFirst(2)) : []
        if let existing = fields.first(where: { $0.field == field && $0.key == key && $0.path == path }) { return existing }
        let ref = FieldRef(index: fields.count, field: field, key: key, keyRef: keyRef, path: path)
        fields.append(ref)
        dependencies.sections.formUnion(field.section)
        if field == .commerceAgeDays { dependencies.isTimeDependent = true }
        return ref
    }

    private func resolveField(_ p: RulePath) throws(RuleError) -> (ProfileField, String?, UInt32) {
        let s = p.segments
        for n in 1...s.count {
            let prefix = s.prefix(n).joined(separator: ".")
            if let reason = RuleCatalogue.refused[prefix] { throw error(reason, at: p.offsets[0]) }
            guard let field = RuleCatalogue.fields[prefix] else {
                let members = RuleCatalogue.children(of: Array(s.prefix(n)))
                if !members.isEmpty { // a section: `web`, `commerce`, …
                    if n < s.count { continue }
                    throw error("\(prefix) is a section; expected one of \(members.joined(separator: ", ")) after it",
                                at: p.offsets[n - 1])
                }
                let siblings = RuleCatalogue.children(of: Array(s.prefix(n - 1)))
                throw error("unknown field \(p); expected one of \(siblings.joined(separator: ", "))", at: p.offsets[n - 1])
            }
            guard let rule = field.key else {
                guard n == s.count else {
                    throw error("\(prefix) has no member \(s[n]); it is a \(field.type.name)", at: p.offsets[n])
                }
                return (field, nil, 0)
            }
            guard n < s.count else { throw error("\(prefix) needs a key; expected \(rule.expected)", at: p.offsets[n - 1]) }
            guard rule.accepts(s[n]) else {
                throw error("unknown key \(s[n]) of \(prefix); expected \(rule.expected)", at: p.offsets[n])
            }
            guard n + 1 == s.count || field == .trait else {
                throw error("\(prefix).\(s[n]) has no member \(s[n + 1])", at: p.offsets[n + 1])
            }
            return (field, s[n], 0)
        }
        preconditionFailure("a path has at least one segment")
    }

    private func resolveProp(_ p: RulePath, of type: EventType) throws(RuleError) -> (ProfileField, String?, UInt32) {
        let s = p.segments
        let known = RuleCatalogue.props(of: type)
        if s.count == 2, s[0] == "props", !s[1].isEmpty {
            // `props.items` is the same prop as `items`: refused the same way, never silently absent.
            if let reason = RuleCatalogue.refusedProp(s[1], of: type) { throw error(reason, at: p.offsets[0]) }
            return (.prop, s[1], Self.staticRef(s[1]))
        }
        if s.count == 1, known.contains(where: { $0.name == s[0] }) { return (.prop, s[0], Self.staticRef(s[0])) }
        if s.count == 1, let reason = RuleCatalogue.refusedProp(s[0], of: type) { throw error(reason, at: p.offsets[0]) }
        let names = known.map(\.name) + ["props.NAME"]
        let expected = names.count == 1 ? "props.NAME" : "one of " + names.dropLast().joined(separator: ", ") + ", or props.NAME"
        throw error("unknown prop \(p) of \(type.name); expected \(expected)", at: p.offsets[0])
    }

    private func resolveItemMember(_ p: RulePath) throws(RuleError) -> (ProfileField, String?, UInt32) {
        let s = p.segments
        if s.count == 1, Self.itemMembers.contains(where: { $0.name == s[0] }) { return (.prop, s[0], Self.staticRef(s[0])) }
        if s.count == 2, s[0] == "item", !s[1].isEmpty { return (.prop, s[1], Self.staticRef(s[1])) }
        throw error("unknown member \(p) of an order item; expected one of \(Self.itemMembers.map(\.name).joined(separator: ", ")), or item.NAME",
                    at: p.offsets[0])
    }

    /// The declared type of a resolved prop path: the catalogue's for a well-known prop, dynamic for props.NAME.
    private static func propType(_ p: RulePath, of type: EventType) -> ValueType {
        guard p.segments.count == 1 else { return .dynamic }
        return RuleCatalogue.props(of: type).first { $0.name == p.segments[0] }?.type ?? .dynamic
    }

    private static func staticRef(_ name: String) -> UInt32 {
        StaticStrings.table.firstIndex(of: name).map { UInt32($0) } ?? 0
    }

    // MARK: - Aggregates

    private mutating func term(_ a: RuleAggregate, at offset: Int) throws(RuleError) -> Int {
        guard let type = EventType(name: a.eventType), !type.isInternal else {
            throw error("unknown event type \(a.eventType); expected one of \(EventType.allCases.filter { !$0.isInternal }.map(\.name).joined(separator: ", "))",
                        at: a.eventTypeOffset)
        }
        var inner = RuleChecker(text: text, eventType: type, budget: budget)
        var valueProp: FieldRef?
        if let prop = a.prop {
            let ref = try inner.resolve(prop)
            let declared = Self.propType(prop, of: type)
            guard declared == .number || declared == .dynamic else {
                throw error("\(a.function.rawValue) needs a number prop; \(prop) of \(type.name) is a \(declared.name)",
                            at: prop.offsets[0])
            }
            valueProp = ref
        }
        var filter: RuleNode?
        if let f = a.filter { filter = try inner.check(f) }
        let t = AggregateTerm(eventType: type, props: inner.fields, valueProp: valueProp, window: a.window?.micros,
                              filter: filter, extremes: a.function == .min || a.function == .max)
        dependencies.eventTypes.insert(type)
        if let w = t.window {
            dependencies.isTimeDependent = true
            dependencies.longestWindow = max(dependencies.longestWindow ?? 0, w)
        }
        if let i = terms.firstIndex(of: t) { return i }
        guard terms.count < RuleLimits.maxTerms else {
            throw error("the rule has more than \(RuleLimits.maxTerms) distinct aggregates, the maximum (docs/segments.md \"Cost\"); \(RuleLimits.advice)",
                        at: offset)
        }
        if t.window != nil {
            budget.windowedTerms += 1
            guard budget.windowedTerms <= RuleLimits.maxWindowedTerms else {
                throw error("the rule has more than \(RuleLimits.maxWindowedTerms) distinct aggregates with a window, the maximum (docs/segments.md \"Cost\"); \(RuleLimits.advice)",
                            at: offset)
            }
        }
        for p in t.props { budget.filterProps.insert(type.name + "." + (p.key ?? "")) }
        guard budget.filterProps.count <= RuleLimits.maxFilterProps else {
            throw error("the rule's filters read more than \(RuleLimits.maxFilterProps) distinct props, the maximum (docs/segments.md \"Cost\")",
                        at: offset)
        }
        terms.append(t)
        return terms.count - 1
    }
}
