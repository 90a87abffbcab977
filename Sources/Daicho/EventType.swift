// Event types and their wire codes. See docs/event-encoding.md "Event type codes".
import Foundation

/// The kinds of touchpoint Daicho accepts, and the internal types Daicho itself writes (segment definitions,
/// docs/segments.md). Any other `type`, and the internal ones, are rejected at ingest so typos are caught.
public enum EventType: UInt8, CaseIterable, Sendable, Hashable {
    case pageView = 1
    case purchase = 2
    case inquiry = 3
    case socialMention = 4
    case identify = 5
    case link = 6
    case track = 7
    /// Internal: a segment was defined (props `name`, `rule`, `description`); no identifiers.
    case segmentDefined = 8
    /// Internal: a segment was dropped (props `name`); no identifiers.
    case segmentDropped = 9
    /// Internal: `daicho repair` moved a damaged frame to quarantine; one such record keeps each of its offsets
    /// used (props `quarantine`, the file; docs/log-format.md §13). No identifiers, time the epoch.
    case offsetsLost = 10

    /// Written by Daicho itself, never accepted from input files; carries no identifiers.
    public var isInternal: Bool { rawValue >= EventType.segmentDefined.rawValue }

    /// The name used in the JSON envelope, e.g. `page_view`.
    public var name: String {
        switch self {
        case .pageView: "page_view"
        case .purchase: "purchase"
        case .inquiry: "inquiry"
        case .socialMention: "social_mention"
        case .identify: "identify"
        case .link: "link"
        case .track: "track"
        case .segmentDefined: "segment_defined"
        case .segmentDropped: "segment_dropped"
        case .offsetsLost: "offsets_lost"
        }
    }

    /// Looks a type up by its envelope name.
    public init?(name: String) {
        guard let t = EventType.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }

    /// The envelope name as UTF-8 bytes, precomputed for the export hot path.
    static let utf8Names: [[UInt8]] = [[]] + EventType.allCases.map { Array($0.name.utf8) }

    /// Looks a type up by the UTF-8 bytes of its name without creating a String.

    static func lookup(_ bytes: UnsafeRawBufferPointer) -> EventType? {
        for t in EventType.allCases where bytesEqual(bytes, utf8Names[Int(t.rawValue)]) { return t }
        return nil
    }
}

/// Byte-wise equality of a buffer and an array.
@inline(__always)
func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return b.withUnsafeBytes { bb in
        a.count == 0 || memcmp(a.baseAddress!, bb.baseAddress!, a.count) == 0
    }
}
