// Errors of the log engine. See docs/log-format.md §6–§8.

/// An error from the log engine: what went wrong, where, and how to remedy it.
public struct LogError: Error, CustomStringConvertible, Sendable {
    /// The class of failure.
    public enum Kind: String, Sendable {
        /// Another writer holds the log's `LOCK`.
        case locked
        /// A system call failed (open, read, write, sync, truncate, …).
        case io
        /// The data on disk is damaged or inconsistent.
        case corrupt
        /// The writer failed earlier and refuses further work; reopen to recover.
        case writerFailed
        /// The writer was closed.
        case closed
        /// The caller passed a value the format cannot hold.
        case invalidArgument
    }

    /// The class of failure.
    public var kind: Kind
    /// A human-readable explanation, including the remedy where there is one.
    public var message: String
    /// The file or directory concerned.
    public var path: String
    /// The `errno` value behind an `.io` error, if any.
    public var errno: Int32?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, path: String, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.errno = errno
    }

    public var description: String { "\(kind.rawValue): \(message) [\(path)]" }
}
