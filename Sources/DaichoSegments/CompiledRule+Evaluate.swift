import DaichoJSON

// Evaluation of compiled rules with the missing-value semantics of docs/segments.md "Missing values":
// every test with an absent side is false; `not` negates that result. No allocation: the tree is walked in
// place, strings are compared as UTF-8 bytes.

/// µs in a 24-hour day.
let microsPerDay: Int64 = 86_400_000_000

extension CompiledRule {
    /// Whether the profile seen through `inputs` is a member.
    /// - Complexity: O(size of the rule); allocation-free when `inputs` is.
    public func evaluate<I: RuleInputs>(_ inputs: I) -> Bool {
        RuleEvaluator.evaluate(root, inputs)
    }

    /// The earliest instant after `inputs.now` at which the result could change without new events, or nil when
    /// it cannot (docs/segments.md "Re-evaluation"). Conservative: any time-dependent test's next change counts.
    public func nextDeadline<I: RuleInputs>(_ inputs: I) -> Int64? {
        guard dependencies.isTimeDependent else { return nil }
        var best: Int64?
        RuleEvaluator.deadline(root, inputs, &best)
        return best
    }
}

extension AggregateTerm {
    /// Whether an event's props (seen through `inputs`, whose `value` reads props) pass the term's filter.
    func passes<I: RuleInputs>(_ inputs: I) -> Bool {
        guard let filter else { return true }
        return RuleEvaluator.evaluate(filter, inputs)
    }
}

enum RuleEvaluator {
    static func evaluate<I: RuleInputs>(_ node: RuleNode, _ inputs: I) -> Bool {
        switch node {
        case .and(let a, let b): return evaluate(a, inputs) && evaluate(b, inputs)
        case .or(let a, let b): return evaluate(a, inputs) || evaluate(b, inputs)
        case .not(let a): return !evaluate(a, inputs)
        case .compare(let l, let op, let r): return compare(value(l, inputs), op, value(r, inputs))
        case .member(let l, let constants):
            let v = value(l, inputs)
            for i in constants.indices where compare(v, .equal, constantValue(constants[i])) { return true }
            return false
        case .inList(let element, let list):
            return withBytes(value(element, inputs)) { inputs.list(list, contains: $0) } ?? false
        case .substring(let l, let r):
            let haystack = value(l, inputs), needle = value(r, inputs)
            return withBytes(haystack) { h in withBytes(needle) { n in contains(h, n) } ?? false } ?? false
        case .within(let field, let window):
            guard let t = time(inputs.value(field)) else { return false }
            return t > inputs.now &- window
        case .exists(let field):
            if field.field.type == .stringList { return !inputs.listIsEmpty(field) }
            if case .absent = inputs.value(field) { return false }
            return true
        case .inSegment(let segment): return inputs.isMember(ofSegment: segment)
        case .anyItem(let inner):
            // Only filters hold it, and filters are evaluated over an event's props.
            guard let event = inputs as? any ItemsInputs else { return false }
            return event.anyItem(inner)
        }
    }

    static func value<I: RuleInputs>(_ s: RuleScalar, _ inputs: I) -> RuleValue {
        switch s {
        case .constant(let c): return constantValue(c)
        case .field(let f): return inputs.value(f)
        case .daysSince(let f):
            guard let t = time(inputs.value(f)) else { return .absent }
            return .number(Double(floorDivide(inputs.now &- t, microsPerDay)))
        case .count(let term): return .number(Double(inputs.aggregate(term).count))
        case .sum(let term): return .number(inputs.aggregate(term).sum)
        case .avg(let term):
            let a = inputs.aggregate(term)
            return a.count == 0 ? .absent : .number(a.sum / Double(a.count))
        case .min(let term):
            let a = inputs.aggregate(term)
            return a.count == 0 ? .absent : a.min.map { .number($0) } ?? .absent
        case .max(let term):
            let a = inputs.aggregate(term)
            return a.count == 0 ? .absent : a.max.map { .number($0) } ?? .absent
        case .arithmetic(let op, let l, let r):
            guard case .number(let x) = value(l, inputs), case .number(let y) = value(r, inputs) else { return .absent }
            let result: Double = switch op {
            case .add: x + y
            case .subtract: x - y
            case .multiply: x * y
            case .divide: y == 0 ? .nan : x / y
            }
            return result.isFinite ? .number(result) : .absent
        }
    }

    /// An instant: a time field's value, or a string holding an RFC 3339 time or a date `YYYY-MM-DD` (UTC
    /// midnight) — a trait such as `signup_date`; nil for anything else (absent).
    static func time(_ v: RuleValue) -> Int64? {
        if case .time(let t) = v { return t }
        return withBytes(v) { bytes -> Int64? in
            if bytes.count == 10, let days = date(bytes) { return days &* microsPerDay }
            return RFC3339.parse(bytes)?.micros
        } ?? nil
    }

    /// Days since the epoch of `YYYY-MM-DD`, nil when the bytes are not a valid date of that form.
    private static func date(_ b: UnsafeRawBufferPointer) -> Int64? {
        func digits(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), let y = digits(0..<4), let m = digits(5..<7),
              let d = digits(8..<10), (1...12).contains(m), d >= 1, d <= RFC3339.daysInMonth(m, year: y) else { return nil }
        return Int64(RFC3339.daysFromCivil(year: y, month: m, day: d))
    }

    @inline(__always)
    static func constantValue(_ c: RuleConstant) -> RuleValue {
        switch c {
        case .number(let v): .number(v)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        }
    }

    /// Compares two values of the same kind; false for absent values and mixed kinds.
    static func compare(_ a: RuleValue, _ op: ComparisonOperator, _ b: RuleValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            switch op {
            case .equal: return x == y
            case .notEqual: return x != y && !x.isNaN && !y.isNaN
            case .less: return x < y
            case .lessOrEqual: return x <= y
            case .greater: return x > y
            case .greaterOrEqual: return x >= y
            }
        case (.time(let x), .time(let y)): return op.holds(x < y ? -1 : x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)):
            return op == .equal ? x == y : op == .notEqual ? x != y : false
        default:
            guard let order = withBytes(a, { x in withBytes(b) { y in compareBytes(x, y) } }) ?? nil else { return false }
            return op.holds(order)
        }
    }

    /// Calls `body` with the UTF-8 bytes of a string value; nil for any other value.
    @inline(__always)
    static func withBytes<R>(_ v: RuleValue, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        switch v {
        case .utf8(let bytes): return body(bytes)
        case .string(let s):
            if let r = s.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
            return Array(s.utf8).withUnsafeBytes(body)
        default: return nil
        }
    }

    /// Lexicographic order of bytes: −1, 0 or 1.
    static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count < b.count ? -1 : a.count == b.count ? 0 : 1
    }

    /// Whether `needle` occurs in `haystack` (bytes).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard needle.count <= haystack.count else { return false }
        if needle.isEmpty { return true }
        outer: for start in 0...(haystack.count - needle.count) {
            for j in 0..<needle.count where haystack[start + j] != needle[j] { continue outer }
            return true
        }
        return false
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    // MARK: - Deadlines

    static func deadline<I: RuleInputs>(_ node: RuleNode, _ inputs: I, _ best: inout Int64?) {
        func offer(_ t: Int64?) {
            guard let t, t > inputs.now else { return }
            best = min(best ?? .max, t)
        }
        switch node {
        case .and(let a, let b), .or(let a, let b):
            deadline(a, inputs, &best)
            deadline(b, inputs, &best)
        case .not(let a): deadline(a, inputs, &best)
        case .compare(let l, let op, let r):
            if case .daysSince(let f) = l, case .constant(.number(let c)) = r {
                offer(daysSinceCrossing(f, op, c, inputs))
            } else if case .daysSince(let f) = r, case .constant(.number(let c)) = l {
                offer(daysSinceCrossing(f, op.swapped, c, inputs))
            } else {
                offer(scalarDeadline(l, inputs))
                offer(scalarDeadline(r, inputs))
            }
        case .member(let l, _), .inList(let l, _): offer(scalarDeadline(l, inputs))
        case .substring(let l, let r):
            offer(scalarDeadline(l, inputs))
            offer(scalarDeadline(r, inputs))
        case .within(let f, let window):
            if let t = time(inputs.value(f)) { offer(t &+ window) }
        case .exists, .inSegment, .anyItem: break // a segment's own changes are propagated to its dependents
        }
    }

    /// When a scalar's value next changes with the clock alone.
    static func scalarDeadline<I: RuleInputs>(_ s: RuleScalar, _ inputs: I) -> Int64? {
        switch s {
        case .constant: return nil
        case .field(let f):
            guard f.field == .commerceAgeDays, case .number = inputs.value(f) else { return nil }
            return inputs.nextBusinessDay
        case .daysSince(let f):
            guard let t = time(inputs.value(f)) else { return nil }
            return t &+ (floorDivide(inputs.now &- t, microsPerDay) + 1) * microsPerDay
        case .count(let term), .sum(let term), .avg(let term), .min(let term), .max(let term):
            return inputs.nextChange(ofTerm: term)
        case .arithmetic(_, let l, let r):
            switch (scalarDeadline(l, inputs), scalarDeadline(r, inputs)) {
            case (let a?, let b?): return min(a, b)
            case (let a, let b): return a ?? b
            }
        }
    }

    /// For `days_since(f) op c`: the instant the test's truth next flips, or nil when it never does.
    /// Truth is a step function of the whole number of days d, with steps only next to c.
    static func daysSinceCrossing<I: RuleInputs>(_ f: FieldRef, _ op: ComparisonOperator, _ c: Double,
                                                 _ inputs: I) -> Int64? {
        guard let t = time(inputs.value(f)), c.isFinite, abs(c) < 1e12 else { return nil }
        let d = floorDivide(inputs.now &- t, microsPerDay)
        let truth = { (x: Int64) in compare(.number(Double(x)), op, .number(c)) }
        let now = truth(d)
        let base = Int64(c.rounded(.down))
        for candidate in [base, base + 1, base + 2] where candidate > d && truth(candidate) != now {
            return t &+ candidate * microsPerDay
        }
        return nil
    }
}
