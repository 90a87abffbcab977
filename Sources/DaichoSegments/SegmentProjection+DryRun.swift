import Daicho
import DaichoProjections

// A definition evaluated without defining it (`POST /v1/segments/check`, docs/http-api.md): the same checks and
// the same backfill and evaluation as `define`, but into scratch state the projection never holds — no event is
// appended, no feed record made, no membership, deadline or term store of the projection changes.

extension SegmentProjection {
    /// The number of members segment `rule` would have if it were defined now, at the clock and log position of
    /// this view: what `segment list` would show right after defining it here.
    ///
    /// Checks the rule as `SegmentDefinitions.define` does (with `name`, also the name and that `in_segment` makes
    /// no cycle through it), then evaluates it for every living profile, reading the term stores the projection
    /// already keeps and backfilling, from the log, a scratch store for each aggregate term it does not keep yet.
    /// - Parameters:
    ///   - rule: the rule's text.
    ///   - name: the segment the rule is for, when known (a redefinition is checked against cycles through it).
    /// - Returns: the member count.
    /// - Throws: `RuleError` for a rule that does not check, names a segment that is not defined, or would make a
    ///   cycle; `StoreError` for a bad name, or when the log cannot be read for a backfill.
    /// - Complexity: one evaluation per living profile, plus a read of the log's events in the window of each
    ///   aggregate term no defined segment uses (of the whole log for a term without a window).
    public func membersIfDefined(rule: String, name: String? = nil) throws -> Int {
        if let name, let problem = SegmentDefinitions.problem(withName: name) { throw StoreError(problem) }
        let compiled = try CompiledRule(compiling: rule)
        if !compiled.dependencies.segments.isEmpty {
            try SegmentDefinitions.checkReferences(of: compiled, name: name ?? "", references: segmentReferences)
        }
        let state = SegmentState(sequence: .max, name: name ?? "", text: rule, description: "", definedAt: clock,
                                 definedOffset: nextOffset, symbols: profiles.symbols)
        guard let root = state.root else { return 0 }
        var scratch: [TermStore] = []
        for term in compiled.terms {
            if let id = termIDs[term] {
                scratch.append(stores[id]!)
            } else {
                let store = TermStore(term: term)
                try backfill(store, before: nextOffset)
                scratch.append(store)
            }
        }
        state.referenced = compiled.dependencies.segments.map { target in segments.first { $0.name == target } }
        var count = 0
        for p in profiles.livingProfiles {
            let inputs = DryRunInputs(base: ProfileRuleInputs(segments: self, segment: state, p: p, now: clock), stores: scratch)
            if RuleEvaluator.evaluate(root, inputs) { count += 1 }
        }
        return count
    }
}

/// A profile's inputs for a rule that is not defined: its aggregate terms read from the dry run's own stores (by
/// the rule's term index), everything else as a defined segment reads it.
private struct DryRunInputs: RuleInputs {
    let base: ProfileRuleInputs
    let stores: [TermStore]

    var now: Int64 { base.now }
    var nextBusinessDay: Int64 { base.nextBusinessDay }
    func value(_ field: FieldRef) -> RuleValue { base.value(field) }
    func list(_ field: FieldRef, contains element: UnsafeRawBufferPointer) -> Bool { base.list(field, contains: element) }
    func listIsEmpty(_ field: FieldRef) -> Bool { base.listIsEmpty(field) }
    func aggregate(_ term: Int) -> AggregateValue { stores[term].value(base.p, now: base.now) }
    func nextChange(ofTerm term: Int) -> Int64? { stores[term].nextChange(base.p, now: base.now) }
    func isMember(ofSegment i: Int) -> Bool { base.isMember(ofSegment: i) }
}
