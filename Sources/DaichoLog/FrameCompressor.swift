// Building frame payloads with zstd. See docs/log-format.md §3 (codec rules).
import CZstd

/// A batch payload ready to append: compressed (or stored raw when zstd does not help), with its
/// record count and times. The log offset is assigned by `LogWriter.append`.
public struct PreparedFrame: Sendable {
    /// The bytes stored after the header.
    let stored: [UInt8]
    /// `LogFormat.codecNone` or `LogFormat.codecZstd`.
    let codec: UInt8
    /// Records in the batch.
    public var recordCount: Int
    /// Bytes stored on disk after the header.
    public var storedBytes: Int { stored.count }
    /// Bytes of the batch before compression.
    public var uncompressedBytes: Int
    /// Event time (µs) of the first record.
    public var firstEventTime: Int64
    /// Largest event time (µs) over the records.
    public var maxEventTime: Int64
}

/// Compresses payloads into frames; one per thread (owns a `ZSTD_CCtx`, freed in `deinit`).
public final class FrameCompressor {
    private let context: OpaquePointer
    private var scratch: [UInt8] = []

    /// The levels a log accepts: zstd's 1…19 (`compression_level` in `daicho.json`, docs/log-format.md §3).
    public static let levels: ClosedRange<Int32> = 1...19
    /// The default level: 2 compresses frames about 1.5× faster than zstd's default 3 for about 2.5 % more bytes
    /// (docs/benchmarks.md "Frame compression level").
    public static let defaultLevel: Int32 = 2

    /// Creates a compressor.
    /// - Parameter level: the zstd compression level (`levels`; `defaultLevel` when not given).
    public init(level: Int32 = FrameCompressor.defaultLevel) {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        self.context = context
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
    }

    /// Compresses the next frames at `level` (clamped to `levels`). Call it between frames, from the thread
    /// that compresses.
    public func setLevel(_ level: Int32) {
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, min(max(level, Self.levels.lowerBound), Self.levels.upperBound))
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses a batch into a frame payload; stores it raw (codec 0) when zstd does not shrink it.
    /// - Parameters:
    ///   - payload: the binary-encoded batch (at most 64 MiB; `LogWriter.append` refuses larger).
    ///   - recordCount: the number of records in the batch (>= 1).
    ///   - firstEventTime: event time (µs since the epoch) of the first record.
    ///   - maxEventTime: largest event time (µs) over the records.
    /// - Returns: the prepared frame.
    /// - Complexity: O(n) in the payload size.
    public func prepare(payload: UnsafeRawBufferPointer, recordCount: Int, firstEventTime: Int64, maxEventTime: Int64) -> PreparedFrame {
        // Stored raw only when zstd does not help (the copy is made then, not on every call).
        func raw() -> PreparedFrame {
            PreparedFrame(stored: Array(payload), codec: LogFormat.codecNone, recordCount: recordCount,
                          uncompressedBytes: payload.count, firstEventTime: firstEventTime, maxEventTime: maxEventTime)
        }
        guard payload.count > 0, payload.count <= LogFormat.maxUncompressedBytes else { return raw() }
        let bound = ZSTD_compressBound(payload.count)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let written = scratch.withUnsafeMutableBytes { dst in
            ZSTD_compress2(context, dst.baseAddress, dst.count, payload.baseAddress, payload.count)
        }
        guard daicho_zstd_is_error(written) == 0, written < payload.count else { return raw() }
        return PreparedFrame(stored: Array(scratch[0..<written]), codec: LogFormat.codecZstd, recordCount: recordCount,
                             uncompressedBytes: payload.count, firstEventTime: firstEventTime, maxEventTime: maxEventTime)
    }
}
