// Why a dashboard object could not be rendered.

import DaichoJSON

/// A dashboard object that does not follow docs/console.md "The dashboard object".
///
/// Not a `JSONError`: that one is about bytes (where JSON syntax breaks, as a byte offset), this one about a
/// well-formed document's shape, located by a path in the object (`events.types[2].per_day`), which is what a
/// producer of the object can act on. When the bytes are not JSON at all, the parser's error is the `cause`.
public struct ReportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where in the object the problem is, e.g. `events.types[2].per_day`; empty for the whole document.
    public var path: String
    /// What was wrong, e.g. "expected 365 entries (one per day of range.days), found 364".
    public var reason: String
    /// The parser's error when the document is not JSON (then `path` is empty and `reason` is its description).
    public var cause: JSONError?

    /// Creates an error at `path`, caused by `cause` when the document is not JSON.
    public init(path: String, reason: String, cause: JSONError? = nil) {
        self.path = path
        self.reason = reason
        self.cause = cause
    }

    /// For example "dashboard object: events.types[2].per_day: expected 365 entries …".
    public var description: String {
        path.isEmpty ? "dashboard object: \(reason)" : "dashboard object: \(path): \(reason)"
    }
}
