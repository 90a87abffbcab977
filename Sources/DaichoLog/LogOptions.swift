// Writer options. See docs/log-format.md §5 and §6.

/// When appended frames are synced to stable storage.
public enum Durability: String, Sendable {
    /// `fdatasync` after every append; `append` returns once the frame is durable (default).
    case batch
    /// No sync per append, only on `sync()` and `close()`. For bulk loads: a crash may lose the
    /// frames appended since the last sync (recovery truncates them cleanly).
    case end
}

/// Options for `LogWriter.open`.
public struct LogOptions: Sendable {
    /// The size at which the writer starts a new segment file.
    public var segmentMaxBytes: Int
    /// When appends are synced.
    public var durability: Durability
    /// The zstd level used by `LogWriter.append(payload:…)`.
    public var compressionLevel: Int32
    /// How long `LogWriter.open` waits for another writer to release `LOCK` before failing (§7).
    public var lockWait: Duration = .zero
    /// The clock frames are stamped with (`appendTime`, µs); nil: the system's real-time clock. Tests set it to
    /// replay a history whose append times they choose.
    public var appendClock: (@Sendable () -> Int64)? = nil

    /// Creates options.
    /// - Parameters:
    ///   - segmentMaxBytes: roll to a new segment when the active one would exceed this (default 128 MiB).
    ///   - durability: `.batch` syncs every append; `.end` only on `sync()`/`close()`.
    ///   - compressionLevel: zstd level for payloads appended through the writer's own compressor (default
    ///     `FrameCompressor.defaultLevel`).
    public init(segmentMaxBytes: Int = 128 << 20, durability: Durability = .batch, compressionLevel: Int32 = FrameCompressor.defaultLevel) {
        self.segmentMaxBytes = segmentMaxBytes
        self.durability = durability
        self.compressionLevel = compressionLevel
    }
}
