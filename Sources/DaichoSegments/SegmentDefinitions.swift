import Daicho
import DaichoJSON

/// Writes segment definitions to the log as internal events (docs/segments.md "Stored definitions";
/// schemas/segment.schema.json). Rules are type-checked before anything is appended.
public enum SegmentDefinitions {
    /// The rule language version recorded with each definition.
    public static let language = 1
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
    /// - Returns: the offset of the `segment_defined` event.
    /// - Throws: `RuleError` for a rule that does not check; `StoreError` for a bad name or description, or the log.
    @discardableResult
    public static func define(name: String, rule: String, description: String = "", in store: EventStore,
                              at time: Int64 = wallClockMicros()) throws -> UInt64 {
        if let problem = problem(withName: name) { throw StoreError(problem) }
        guard description.utf8.count <= maxDescriptionBytes else {
            throw StoreError("description is \(description.utf8.count) bytes, longer than the maximum of \(maxDescriptionBytes)")
        }
        _ = try CompiledRule(compiling: rule)
        var props = [JSONMember("name", .string(name)), JSONMember("rule", .string(rule))]
        if !description.isEmpty { props.append(JSONMember("description", .string(description))) }
        props += [JSONMember("defined_at", .string(RFC3339.string(micros: time, offsetMinutes: 0))),
                  JSONMember("language", .int(Int64(language)))]
        return try append(.segmentDefined, name: name, props: props, at: time, store: store)
    }

    /// Appends a drop of segment `name` (every member exits).
    /// - Returns: the offset of the `segment_dropped` event.
    @discardableResult
    public static func drop(name: String, in store: EventStore, at time: Int64 = wallClockMicros()) throws -> UInt64 {
        if let problem = problem(withName: name) { throw StoreError(problem) }
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
