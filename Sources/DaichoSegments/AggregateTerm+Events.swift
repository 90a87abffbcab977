import Daicho

// Matching events against aggregate terms: the filter and the summed prop read the event's props in place.
// docs/segments.md "Aggregates over events".

extension AggregateTerm {
    /// What `event` adds to this term: nil when it does not count (another type, the filter is false, or a
    /// summing term whose prop is not a number); else the summed value (0 for a counting term).
    /// - Complexity: O(props × tests); no allocation unless a filter compares a prop whose value is an array or
    ///   object (it is read to tell it from a bool).
    public func contribution(of event: EventView) -> Double? {
        guard event.type == eventType else { return nil }
        return contribution(EventPropsInputs(event: event))
    }

    /// What the event whose props `inputs` reads adds to this term (the event is of the term's type).
    func contribution<I: PropsOnlyInputs>(_ inputs: I) -> Double? {
        guard passes(inputs) else { return nil }
        guard let valueProp else { return 0 }
        guard case .number(let v) = inputs.value(valueProp) else { return nil }
        return v
    }
}

/// Rule inputs inside a filter (`where …`): only `value` reads anything; a filter has no clock, lists,
/// aggregates or segment memberships (the checker refuses them there).
protocol PropsOnlyInputs: RuleInputs {}

extension PropsOnlyInputs {
    var now: Int64 { 0 }
    var nextBusinessDay: Int64 { 0 }
    func list(_ field: FieldRef, contains element: UnsafeRawBufferPointer) -> Bool { false }
    func listIsEmpty(_ field: FieldRef) -> Bool { true }
    func aggregate(_ term: Int) -> AggregateValue { AggregateValue(count: 0, sum: 0) }
    func nextChange(ofTerm term: Int) -> Int64? { nil }
    func isMember(ofSegment segment: Int) -> Bool { false }
}

/// Filter inputs over a whole event, which can test its order items (`any item where`, RuleNode.anyItem).
protocol ItemsInputs {
    /// Whether `filter` holds for at least one object element of the event's `items` prop.
    func anyItem(_ filter: RuleNode) -> Bool
}

/// One element of a purchase's `items` as rule inputs (`any item where …`): `value` reads its members.
struct ItemInputs: PropsOnlyInputs {
    let item: ValueReader
    func value(_ field: FieldRef) -> RuleValue { EventPropsInputs.member(field, of: item) }
}

/// An event's top-level props as rule inputs (only `value` is meaningful inside a filter).
struct EventPropsInputs: PropsOnlyInputs, ItemsInputs {
    let event: EventView

    func value(_ field: FieldRef) -> RuleValue { Self.member(field, of: event.propsReader) }

    /// Whether `filter` holds for at least one object element of the event's `items` prop.
    func anyItem(_ filter: RuleNode) -> Bool {
        var props = event.propsReader
        var found = false
        try? props.forEachMember { key, value throws(BatchError) in
            guard !found, key == StaticStrings.items else { return }
            try value.forEachElement { element throws(BatchError) in
                if !found, RuleEvaluator.evaluate(filter, ItemInputs(item: element)) { found = true }
            }
        }
        return found
    }

    /// The member `field` names of the object at `reader`: a number, string or bool; absent otherwise.
    static func member(_ field: FieldRef, of object: ValueReader) -> RuleValue {
        var reader = object
        var result = RuleValue.absent
        var found = false
        let strings = object.strings
        try? reader.forEachMember { key, value throws(BatchError) in
            guard !found, Self.key(key, strings, matches: field) else { return }
            found = true
            result = try scalar(value, strings)
        }
        return result
    }

    /// A member's value as a rule reads it: a number, string or bool; absent otherwise.
    @inline(__always)
    static func scalar(_ value: ValueReader, _ strings: StringTable) throws(BatchError) -> RuleValue {
        if let n = value.number { return .number(n) }
        if let s = value.stringValue { return .utf8(strings.bytes(s)) }
        var scalar = value
        if case .bool(let b) = try scalar.materialize() { return .bool(b) }
        return .absent
    }

    /// Whether the member key `ref` is the field's prop name.
    @inline(__always)
    static func key(_ ref: UInt32, _ strings: StringTable, matches field: FieldRef) -> Bool {
        if field.keyRef != 0, ref == field.keyRef { return true }
        if ref < StaticStrings.count, field.keyRef != 0 { return false }
        let bytes = strings.bytes(ref)
        return RuleEvaluator.withBytes(.string(field.key ?? "")) { RuleEvaluator.compareBytes($0, bytes) == 0 } ?? false
    }
}
