// The materialized event: the envelope of docs/event-encoding.md as Swift values.

/// One identifier of an event: its kind, normalized value (what identity resolution uses) and the raw
/// value as the producer wrote it.
public struct Identifier: Sendable, Equatable {
    public var kind: IdentifierKind
    public var normalized: String
    public var raw: String
    public init(kind: IdentifierKind, normalized: String, raw: String) {
        self.kind = kind; self.normalized = normalized; self.raw = raw
    }
}

/// A touchpoint event, decoded from the log. Hot paths use `EventView` instead.
public struct Event: Sendable, Equatable {
    /// The producer's unique id (the dedup key).
    public var id: String
    public var type: EventType
    /// Event time, microseconds since the Unix epoch (UTC).
    public var at: Int64
    /// The UTC offset the producer wrote, in minutes (kept so export reproduces the local time).
    public var utcOffsetMinutes: Int16
    public var source: String?
    public var identifiers: [Identifier]
    /// The props object, or nil when the event had none.
    public var props: JSONValue?

    public init(id: String, type: EventType, at: Int64, utcOffsetMinutes: Int16 = 0, source: String? = nil,
                identifiers: [Identifier], props: JSONValue? = nil) {
        self.id = id; self.type = type; self.at = at; self.utcOffsetMinutes = utcOffsetMinutes
        self.source = source; self.identifiers = identifiers; self.props = props
    }
}
