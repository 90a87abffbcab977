import DaichoJSON
import Foundation

/// `DIR/mapping.json` (docs/segment-compatibility.md "DIR/mapping.json"): further `track` event names mapped to
/// Daicho types with property renames, the default currency and the kind `alias`'s `previousId` links.
public struct SegmentMapping: Sendable, Equatable {
    /// How one `track` event name becomes a Daicho event.
    public struct EventRule: Sendable, Equatable {
        /// A Daicho type name: `inquiry`, `social_mention`, `identify`, `page_view`, `purchase`, `track`.
        public var type: String
        /// Property renames, applied before the type's props rules.
        public var rename: [String: String]
        /// For `identify`: the properties become the traits.
        public var traitsFromProperties: Bool
    }

    /// Currency of an `Order Completed` without one (Segment's rule: US dollars).
    public var defaultCurrency = "USD"
    /// The identifier kind of `alias`'s `previousId`.
    public var aliasPreviousKind = "anonymous_id"
    /// By `track` event name (exact, case-sensitive).
    public var events: [String: EventRule] = [:]

    public init() {}

    static let types: Set<String> = ["page_view", "purchase", "inquiry", "social_mention", "identify", "track"]
    static let previousKinds: Set<String> = ["anonymous_id", "user_id", "device_id", "email", "phone"]

    /// Reads a mapping file's JSON.
    /// - Throws: `MappingFileError` naming the path of the first bad key or value (unknown keys are refused: a
    ///   typo must not silently do nothing).
    public init(json bytes: [UInt8]) throws(MappingFileError) {
        let json: RawJSON
        do { json = try RawJSON(bytes) } catch { throw MappingFileError(path: "", reason: "not JSON: \(error)") }
        guard json.kind(0) == .object else { throw MappingFileError(path: "", reason: "expected an object") }
        for (key, v) in json.members(0) {
            switch key {
            case "default_currency":
                guard let c = json.text(v), c.utf8.count == 3, c.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                    throw MappingFileError(path: key, reason: "expected three letters A–Z (ISO 4217)")
                }
                defaultCurrency = c
            case "alias_previous_kind":
                guard let k = json.text(v), Self.previousKinds.contains(k) else {
                    throw MappingFileError(path: key, reason: "expected one of \(Self.previousKinds.sorted().joined(separator: ", "))")
                }
                aliasPreviousKind = k
            case "events":
                guard json.kind(v) == .object else { throw MappingFileError(path: key, reason: "expected an object") }
                for (name, r) in json.members(v) { events[name] = try Self.rule(json, r, path: "events.\(name)") }
            default:
                throw MappingFileError(path: key, reason: "unknown key (known: default_currency, alias_previous_kind, events)")
            }
        }
    }

    private static func rule(_ json: RawJSON, _ i: Int, path: String) throws(MappingFileError) -> EventRule {
        guard json.kind(i) == .object else { throw MappingFileError(path: path, reason: "expected an object") }
        var rule = EventRule(type: "", rename: [:], traitsFromProperties: false)
        for (key, v) in json.members(i) {
            switch key {
            case "type":
                guard let t = json.text(v), types.contains(t) else {
                    throw MappingFileError(path: "\(path).type", reason: "expected one of \(types.sorted().joined(separator: ", "))")
                }
                rule.type = t
            case "rename":
                guard json.kind(v) == .object else { throw MappingFileError(path: "\(path).rename", reason: "expected an object") }
                for (from, to) in json.members(v) {
                    guard let t = json.text(to) else { throw MappingFileError(path: "\(path).rename.\(from)", reason: "expected a non-empty string") }
                    rule.rename[from] = t
                }
            case "traits_from":
                guard json.text(v) == "properties" else { throw MappingFileError(path: "\(path).traits_from", reason: "expected \"properties\"") }
                rule.traitsFromProperties = true
            default:
                throw MappingFileError(path: "\(path).\(key)", reason: "unknown key (known: type, rename, traits_from)")
            }
        }
        guard !rule.type.isEmpty else { throw MappingFileError(path: "\(path).type", reason: "missing") }
        if rule.traitsFromProperties && rule.type != "identify" {
            throw MappingFileError(path: "\(path).traits_from", reason: "only for type identify")
        }
        return rule
    }

    /// Reads `path`; the default mapping when the file does not exist.
    public static func load(path: String) throws(MappingFileError) -> SegmentMapping {
        guard FileManager.default.fileExists(atPath: path) else { return SegmentMapping() }
        guard let data = FileManager.default.contents(atPath: path) else { throw MappingFileError(path: "", reason: "cannot read \(path)") }
        return try SegmentMapping(json: [UInt8](data))
    }
}

/// A mapping file that cannot be used.
public struct MappingFileError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The JSON path of the bad key (empty: the whole file).
    public var path: String
    public var reason: String
    public var description: String { path.isEmpty ? "mapping.json: \(reason)" : "mapping.json \"\(path)\": \(reason)" }
}
