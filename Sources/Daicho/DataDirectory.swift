import Foundation

/// The layout of a Daicho data directory (docs/architecture.md "Data directory").
public struct DataDirectory: Sendable {
    /// The data directory itself.
    public let path: String

    public init(_ path: String) { self.path = path }

    /// The default: `$DAICHO_DATA`, else `./daicho-data`.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["DAICHO_DATA"], !env.isEmpty { return env }
        return "./daicho-data"
    }

    /// The event log's directory (segments, LOCK, head: docs/log-format.md).
    public var logPath: String { path + "/log" }
    /// Rejected lines of each `append`, one NDJSON file per run.
    public var rejectsPath: String { path + "/rejects" }

    /// True when the directory holds a log.
    public var exists: Bool { FileManager.default.fileExists(atPath: logPath) }
}
