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
    /// Projection snapshots (docs/profile.md "Snapshots").
    public var snapshotsPath: String { path + "/snapshots" }
    /// The saved dedup set (docs/ingest.md "The dedup file").
    public var dedupFilePath: String { snapshotsPath + "/" + DedupFile.name }
    /// Identity rules (docs/identity.md "Configuration").
    public var identityConfigPath: String { path + "/identity.json" }
    /// Profile settings (docs/profile.md): session gap, business time zone, RFM currency.
    public var settingsPath: String { path + "/daicho.json" }
    /// Rejected lines of each `append`, one NDJSON file per run.
    public var rejectsPath: String { path + "/rejects" }

    /// True when the directory holds a log.
    public var exists: Bool { FileManager.default.fileExists(atPath: logPath) }
}
