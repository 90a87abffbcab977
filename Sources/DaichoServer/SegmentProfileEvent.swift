import Daicho
import DaichoJSON

/// A Daicho event in the shape of an item of Segment's Profile API `events` call (docs/http-api.md "Segment's
/// Profile API"): the Segment message it came from, as far as the envelope keeps it.
enum SegmentProfileEvent {
    /// The item: `external_ids` (the event's identifiers, normalized), `context` (`props.segment.context`, else
    /// `{}`), `type`, `source_id`, `message_id`, `timestamp` (UTC), `event`, `properties` (`props` without `event`
    /// and `segment`) and `related` (`{"users": profile}`).
    static func json(_ e: Event, profile: String) -> JSONValue {
        var properties: [JSONMember] = []
        if case .object(let members)? = e.props {
            properties = members.filter { $0.key != "event" && $0.key != "segment" }
        }
        let ids: [JSONValue] = e.identifiers.map { id in
            .object([JSONMember("collection", .string("users")), JSONMember("type", .string(id.kind.name)),
                     JSONMember("id", .string(id.normalized)), JSONMember("encoding", .string("none"))])
        }
        return .object([
            JSONMember("external_ids", .array(ids)),
            JSONMember("context", e.props?["segment"]?["context"] ?? .object([])),
            JSONMember("type", .string(type(of: e))),
            JSONMember("source_id", e.source.map(JSONValue.string) ?? .null),
            JSONMember("message_id", .string(e.id)),
            JSONMember("timestamp", .string(RFC3339.string(micros: e.at, offsetMinutes: 0))),
            JSONMember("event", .string(name(of: e))),
            JSONMember("properties", .object(properties)),
            JSONMember("related", .object([JSONMember("users", .string(profile))])),
        ])
    }

    /// Segment's message type: `page` (`screen` for a page view with `screen: true`), `identify`, `alias` (a
    /// `link`), else `track`.
    static func type(of e: Event) -> String {
        switch e.type {
        case .pageView: e.props?["screen"] == .bool(true) ? "screen" : "page"
        case .identify: "identify"
        case .link: "alias"
        default: "track"
        }
    }

    /// The event's name, what `include` and `exclude` match: `props.event` when it is a string (a track's name),
    /// else `Order Completed` for a purchase, `Page Viewed` or `Screen Viewed` for a page view, and the Daicho
    /// type's name (`identify`, `link`, `inquiry`, `social_mention`) for the others.
    static func name(of e: Event) -> String {
        if let name = e.props?["event"]?.stringValue { return name }
        switch e.type {
        case .purchase: return "Order Completed"
        case .pageView: return type(of: e) == "screen" ? "Screen Viewed" : "Page Viewed"
        default: return e.type.name
        }
    }
}
