import Foundation
import Daicho
import DaichoLog
import DaichoServer

// The one place where an error that ends a command becomes an exit status and a message (README "Exit status").
// Library errors carry their kind and cause (StoreError: path, errno, offset); the CLI adds what to do.

/// The exit status and the stderr text for `error`, which ended `daicho <command>`.
/// - Returns: the status (README "Exit status") and the message: what went wrong, then a `hint:` line saying
///   what to do when the kind has a remedy the message does not already give.
func failure(_ error: any Error, command: String) -> (status: Int32, message: String) {
    if let e = error as? UsageError { return (ExitStatus.usageOrIO, "daicho \(command): \(e.message)\nUsage: \(e.usage)") }
    let store: StoreError? = switch error {
    case let e as StoreError: e
    case let e as IngestError: e.storeError
    case let e as LogError: StoreError(e)
    default: nil
    }
    guard let store else { return (ExitStatus.usageOrIO, "daicho \(command): \(error)") }
    if let served = servedDirectory(store, command: command) { return (ExitStatus.usageOrIO, served) }
    var text = "daicho \(command): \(store.message)"
    if let hint = hint(for: store) { text += "\nhint: \(hint)" }
    return (exitStatus(for: store.kind), text)
}

/// The message for a writer lock held by `daicho serve`: the server's address and how to reach the directory
/// through it (docs/http-api.md "`daicho append` while a server holds the directory"); nil when the lock is
/// not a server's (or the error is no lock error).
func servedDirectory(_ e: StoreError, command: String) -> String? {
    // A locked log names its log directory, DIR/log.
    guard e.kind == .locked, let logPath = e.path else { return nil }
    let dir = DataDirectory((logPath as NSString).deletingLastPathComponent)
    guard let server = ServeProcessFile.running(in: dir) else { return nil }
    let what = "daicho \(command): \(dir.path) is held by `daicho serve` (pid \(server.pid)) listening at \(server.url)"
    switch command {
    case "append":
        return what + "\nhint: send the lines to the server: daicho append --server \(server.url) FILE (the write key from --write-key or DAICHO_WRITE_KEY; `daicho serve keys` prints it)"
    case "segment":
        return what + "\nhint: define or drop segments through the server: PUT or DELETE \(server.url)/v1/segments/NAME with the read token (docs/http-api.md)"
    case "serve":
        return what + "; it is served already"
    default:
        return what + "\nhint: stop the server first (SIGTERM to pid \(server.pid))"
    }
}

/// Prints the message of `failure(error, command:)` on stderr and returns its exit status.
func report(_ error: any Error, command: String) -> Int32 {
    let (status, message) = failure(error, command: command)
    printError(message)
    return status
}

/// The exit status of a store error's kind. Every kind is a status-2 error today ("usage or I/O error": the
/// command did nothing it was asked); the hint tells them apart.
func exitStatus(for kind: StoreError.Kind) -> Int32 {
    switch kind {
    case .noLog, .locked, .io, .corrupt, .invalidSettings, .invalidArgument, .unavailable: ExitStatus.usageOrIO
    }
}

/// What to do about a store error, by kind and cause; nil when the message says it all (`noLog` and `locked`
/// messages name their remedy; so do most corruption messages of the log engine).
func hint(for e: StoreError) -> String? {
    switch e.kind {
    case .noLog, .locked: return nil
    case .corrupt: return e.message.contains("daicho verify") ? nil : "run `daicho verify` on this data directory to list every damaged frame"
    case .invalidSettings: return "fix \(e.path ?? "the settings file") (docs/identity.md, docs/profile.md) or remove it to use the defaults"
    case .unavailable: return "run the command again: opening the log recovers it"
    case .invalidArgument: return nil
    case .io:
        switch e.errno {
        case ENOSPC?, EDQUOT?: return "free some disk space and run the command again"
        case EACCES?, EPERM?, EROFS?: return "check that \(e.path ?? "the file") can be written by this user"
        case ENOENT?: return "check the path \(e.path ?? "")"
        default: return nil
        }
    }
}
