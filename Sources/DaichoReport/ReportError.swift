// Why a dashboard object could not be rendered.

/// A dashboard object that does not follow docs/console.md "The dashboard object".
public struct ReportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where in the object the problem is, e.g. `events.types[2].per_day`; empty for the whole document.
    public var path: String
    /// What was wrong, e.g. "expected 365 entries (one per day of range.days), found 364".
    public var reason: String

    /// Creates an error at `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// For example "dashboard object: events.types[2].per_day: expected 365 entries …".
    public var description: String {
        path.isEmpty ? "dashboard object: \(reason)" : "dashboard object: \(path): \(reason)"
    }
}
