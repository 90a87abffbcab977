import Daicho
import DaichoJSON

/// Writes segment definitions to the log as internal events (docs/segments.md "Stored definitions";
/// schemas/segment.schema.json). Rules are type-checked before anything is appended.
public enum SegmentDefinitions {
    /// The rule language version recorded with each definition: 2 since issue 8 (`min`, `max`, `in_segment`,
    /// arithmetic, `w`/`y` durations, dates in traits, the cost limits); 1 before.
    public static let language = 2
    /// The longest description accepted, in bytes.
    public static let maxDescriptionBytes = 4096

    /// Why `name` is not a valid segment name, or nil when it is (`^[a-z][a-z0-9_]{0,63}$`).
    public static func problem(withName name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first >= 0x61, first <= 0x7A else {
            return "segment name \"\(name)\" must start with a lower-case letter a-z"
        }
        guard bytes.count <= 64 else { return "segment name is \(bytes.count) bytes, longer than the maximum of 64" }
        guard bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
            return "segment name \"\(name)\" may hold only a-z, 0-9 and _"
        }
        return nil
    }

    /// Checks and appends a definition (a redefinition when `name` exists: members are re-evaluated).
    /// - Parameters:
    ///   - references: each defined segment's `in_segment` names (`SegmentProjection.segmentReferences`), to
    ///     check a rule that reads other segments; nil: read from the store's directory when needed.
    /// - Returns: the offset of the `segment_defined` event.
    /// - Throws: `RuleError` for a rule that does not check, names a segment that is not defined, or would make
    ///   a cycle of `in_segment`; `StoreError` for a bad name or description, or the log.
    @discardableResult
    public static func define(name: String, rule: String, description: String = "", in store: EventStore,
                              at time: Int64 = wallClockMicros(), references: [String: [String]]? = nil) throws -> UInt64 {
        if let problem = problem(withName: name) { throw StoreError(problem) }
        guard description.utf8.count <= maxDescriptionBytes else {
            throw StoreError("description is \(description.utf8.count) bytes, longer than the maximum of \(maxDescriptionBytes)")
        }
        let compiled = try CompiledRule(compiling: rule)
        if !compiled.dependencies.segments.isEmpty {
            try checkReferences(of: compiled, name: name, references: references ?? SegmentLoader.load(store.directory, now: nil).0.segmentReferences)
        }
        var props = [JSONMember("name", .string(name)), JSONMember("rule", .string(rule))]
        if !description.isEmpty { props.append(JSONMember("description", .string(description))) }
        props += [JSONMember("defined_at", .string(RFC3339.string(micros: time, offsetMinutes: 0))),
                  JSONMember("language", .int(Int64(language)))]
        return try append(.segmentDefined, name: name, props: props, at: time, store: store)
    }

    /// The segment names `rule` (of segment `name`) reads must be defined and must not lead back to `name`.
    static func checkReferences(of rule: CompiledRule, name: String, references: [String: [String]]) throws(RuleError) {
        let text = rule.rule.text
        for (i, target) in rule.dependencies.segments.enumerated() {
            let at = rule.dependencies.segmentOffsets[i]
            if target == name { throw RuleError("segment \(name) cannot contain itself (in_segment(\"\(name)\"))", at: at, in: text) }
            guard references[target] != nil else {
                let known = references.keys.sorted()
                throw RuleError("no segment named \"\(target)\"" + (known.isEmpty ? "; none is defined" : "; defined: \(known.joined(separator: ", "))"),
                                at: at, in: text)
            }
            // A path target → … → name would close a cycle once `name` reads `target`.
            var path = [target]
            var seen: Set<String> = []
            func reaches(_ s: String) -> Bool {
                guard seen.insert(s).inserted else { return false }
                for next in references[s] ?? [] {
                    path.append(next)
                    if next == name || reaches(next) { return true }
                    path.removeLast()
                }
                return false
            }
            if reaches(target) {
                throw RuleError("in_segment(\"\(target)\") would make a cycle: \(([name] + path).joined(separator: " → "))",
                                at: at, in: text)
            }
        }
    }

    /// Appends a drop of segment `name` (every member exits).
    /// - Parameters:
    ///   - references: as for `define`; nil: read from the store's directory.
    /// - Returns: the offset of the `segment_dropped` event.
    /// - Throws: `StoreError` when other segments read it with `in_segment` (drop or redefine them first), for a
    ///   bad name, or the log.
    @discardableResult
    public static func drop(name: String, in store: EventStore, at time: Int64 = wallClockMicros(),
                            references: [String: [String]]? = nil) throws -> UInt64 {
        if let problem = problem(withName: name) { throw StoreError(problem) }
        let readers = try (references ?? SegmentLoader.load(store.directory, now: nil).0.segmentReferences)
            .filter { $0.key != name && $0.value.contains(name) }.keys.sorted()
        guard readers.isEmpty else {
            throw StoreError("segment \"\(name)\" is read by in_segment in \(readers.joined(separator: ", ")); drop or redefine \(readers.count == 1 ? "it" : "them") first")
        }
        let props = [JSONMember("name", .string(name)),
                     JSONMember("dropped_at", .string(RFC3339.string(micros: time, offsetMinutes: 0)))]
        return try append(.segmentDropped, name: name, props: props, at: time, store: store)
    }

    private static func append(_ type: EventType, name: String, props: [JSONMember], at time: Int64,
                               store: EventStore) throws -> UInt64 {
        let event = Event(id: "\(type.name):\(name):\(time):\(store.nextOffset)", type: type, at: time, source: "daicho",
                          identifiers: [], props: .object(props))
        guard let offset = try store.appendInternal([event]).first ?? nil else {
            throw StoreError("the \(type.name) event for \"\(name)\" was a duplicate; try again")
        }
        return offset
    }
}
