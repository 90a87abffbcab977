/// A syntax or encoding error found by ``JSONParser``.
public struct JSONError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Byte offset (0-based) where the problem was found; equals the input length for an unexpected end.
    public var position: Int
    /// What was wrong, e.g. "expected ',' or '}' after object member".
    public var reason: String

    /// Creates an error at `position` with a reason.
    public init(position: Int, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// For example "invalid JSON at byte 17: expected ',' or '}' after object member".
    public var description: String {
        "invalid JSON at byte \(position): \(reason)"
    }
}
