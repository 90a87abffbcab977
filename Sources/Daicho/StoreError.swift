import Foundation
import DaichoLog

/// An error of the event store or of a view over it that is not a bad input line: what went wrong (`message`),
/// its class (`kind`, which the CLI maps to an exit status and a remedy in one place) and its cause (`path`,
/// `errno`, `offset`), kept as values rather than folded into one string. docs/architecture.md "Errors".
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of failure.
    public enum Kind: String, Sendable {
        /// The data directory holds no event log.
        case noLog
        /// Another process holds the writer lock of the log.
        case locked
        /// A system call failed (open, read, write, sync, …); `errno` says why.
        case io
        /// The data on disk is damaged or inconsistent (a frame, a batch, the head); `offset` says where.
        case corrupt
        /// A settings file (`identity.json`, `daicho.json`) is malformed; `path` names it.
        case invalidSettings
        /// The caller passed something the store refuses: an invalid event, a bad name, an internal type.
        case invalidArgument
        /// The store was closed or failed earlier and refuses further work (reopen to recover).
        case unavailable
    }

    /// The class of failure.
    public var kind: Kind
    /// What went wrong, including the remedy where there is one; never a whole e-mail address or phone number.
    public var message: String
    /// The file or directory concerned, when there is one.
    public var path: String?
    /// The `errno` behind an `.io` error, when there is one.
    public var errno: Int32?
    /// The log offset concerned, when there is one.
    public var offset: UInt64?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, path: String? = nil, errno: Int32? = nil, offset: UInt64? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.errno = errno
        self.offset = offset
    }

    /// An `.invalidArgument` error: the caller passed something the store refuses.
    public init(_ message: String) { self.init(.invalidArgument, message) }

    /// The store error for a log engine error, keeping its kind, file and errno.
    public init(_ error: LogError, offset: UInt64? = nil) {
        let kind: Kind = switch error.kind {
        case .locked: .locked
        case .io: .io
        case .corrupt: .corrupt
        case .writerFailed, .closed: .unavailable
        case .invalidArgument: .invalidArgument
        }
        self.init(kind, "\(error.message) [\(error.path)]", path: error.path, errno: error.errno, offset: offset)
    }

    /// An `.io` error for the failed system call `what` (e.g. "cannot open FILE") with its errno.
    public static func system(_ what: String, path: String, errno code: Int32) -> StoreError {
        StoreError(.io, "\(what): \(String(cString: strerror(code)))", path: path, errno: code)
    }

    /// The data directory `path` holds no event log.
    public static func noLog(in path: String) -> StoreError {
        StoreError(.noLog, "no event log in \(path) (run `daicho append` first, or pass --data)", path: path)
    }

    public var description: String { message }
}
