import Daicho

// One pass over an event's props for every aggregate term of its type (docs/segments.md "Cost"): the props the
// terms' filters and summed values read are collected per event type, read from the event once, and the terms'
// filters then read them by slot instead of each scanning the props again.

/// The distinct props the terms of one event type read, and their values in the event last read.
struct PropsScan {
    /// One ref per distinct prop name (the first term's), by slot.
    private(set) var props: [FieldRef] = []
    /// By slot: the prop's value in the event last `read` (`.utf8` bytes valid while that event is applied).
    private(set) var values: [RuleValue] = []
    private var found: [Bool] = []

    /// The slot of `ref`'s prop, added when new.
    mutating func slot(of ref: FieldRef) -> Int {
        if let i = props.firstIndex(where: { $0.key == ref.key }) { return i }
        props.append(ref)
        values.append(.absent)
        found.append(false)
        return props.count - 1
    }

    /// Reads every prop's value from `event` in one pass over its members: as `EventPropsInputs.value` reads it
    /// (the first member of the name; a number, string or bool, else absent).
    mutating func read(_ event: EventView) {
        guard !props.isEmpty else { return }
        for i in values.indices {
            values[i] = .absent
            found[i] = false
        }
        var remaining = props.count
        var reader = event.propsReader
        let strings = event.strings
        try? reader.forEachMember { key, value throws(BatchError) in
            guard remaining > 0 else { return }
            for i in props.indices where !found[i] && EventPropsInputs.key(key, strings, matches: props[i]) {
                found[i] = true
                remaining -= 1
                values[i] = (try? EventPropsInputs.scalar(value, strings)) ?? .absent
                return
            }
        }
    }
}

/// A term's filter inputs over a `PropsScan`: `value` reads the scanned value by the term's slot for the prop.
struct ScannedPropsInputs: PropsOnlyInputs, ItemsInputs {
    let event: EventView
    let values: [RuleValue]
    /// By `AggregateTerm.props` index: the scan slot.
    let slots: [Int]

    func value(_ field: FieldRef) -> RuleValue { values[slots[field.index]] }

    func anyItem(_ filter: RuleNode) -> Bool { EventPropsInputs(event: event).anyItem(filter) }
}
