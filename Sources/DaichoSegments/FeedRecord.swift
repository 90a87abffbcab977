import Daicho
import DaichoJSON
import DaichoProjections

/// One change of a segment's membership: the feed record of docs/segments.md "Feed".
public struct FeedRecord: Sendable, Equatable {
    /// `entered` or `exited`.
    public enum Change: String, Sendable {
        case entered, exited
    }

    /// The record's 1-based position in the feed (resume after it with `watch --from`).
    public var cursor: UInt64
    public var segment: String
    /// The profile id.
    public var profile: String
    public var change: Change
    /// The segment clock when the change happened (a time-driven change: its deadline), µs.
    public var at: Int64
    /// The offset of the event that caused it; for a time-driven change, the last offset applied before it.
    public var offset: UInt64

    public init(cursor: UInt64, segment: String, profile: String, change: Change, at: Int64, offset: UInt64) {
        self.cursor = cursor
        self.segment = segment
        self.profile = profile
        self.change = change
        self.at = at
        self.offset = offset
    }

    /// `{"segment":…,"profile":…,"change":…,"at":…,"offset":…,"cursor":…}` without a newline.
    public func appendJSON(to out: inout [UInt8]) {
        EventJSONWriter.appendValue(.object([
            JSONMember("segment", .string(segment)),
            JSONMember("profile", .string(profile)),
            JSONMember("change", .string(change.rawValue)),
            JSONMember("at", .string(RFC3339.string(micros: at, offsetMinutes: 0))),
            JSONMember("offset", .int(Int64(offset))),
            JSONMember("cursor", .int(Int64(cursor))),
        ]), to: &out)
    }
}

/// What subscribers of a segment worker receive after each frame (or clock advance).
public struct SegmentChanges: Sendable {
    /// The profiles the frame changed (when profile changes are tracked too).
    public var profiles: ProfileChanges?
    /// The feed records produced, in feed order.
    public var records: [FeedRecord]
}
