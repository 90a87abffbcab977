// Decoding frame payloads into one reused buffer. See docs/log-format.md §3 (codec rules).
import CZstd

/// Decodes stored payloads; owns a `ZSTD_DCtx` and one output buffer reused across frames.
final class FrameDecoder {
    private let context: OpaquePointer
    private var output: UnsafeMutableRawBufferPointer

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        self.context = context
        output = .allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(context)
        output.deallocate()
    }

    /// Returns the uncompressed payload of a frame; valid until the next call.
    /// - Parameters:
    ///   - header: the frame's header (its declared uncompressed length is the hard size limit).
    ///   - stored: the stored payload bytes.
    ///   - path: the file, for error messages.
    ///   - position: the frame's byte position, for error messages.
    /// - Throws: `.corrupt` when the size exceeds 64 MiB, zstd fails (including its checksum), or
    ///   the decoded size differs from the header.
    func decode(_ header: FrameHeader, stored: UnsafeRawBufferPointer, path: String, position: Int) throws(LogError) -> UnsafeRawBufferPointer {
        let size = Int(header.uncompressedLength)
        guard size <= LogFormat.maxUncompressedBytes else {
            throw LogError(.corrupt, "frame at byte \(position) (offset \(header.baseOffset)) declares \(size) uncompressed bytes, above the 64 MiB limit; refusing to decompress", path: path)
        }
        if header.codec == LogFormat.codecNone { return stored }
        if output.count < size {
            output.deallocate()
            output = .allocate(byteCount: max(size, output.count * 2), alignment: 16)
        }
        let result = ZSTD_decompressDCtx(context, output.baseAddress, size, stored.baseAddress, stored.count)
        if daicho_zstd_is_error(result) != 0 {
            let reason = String(cString: ZSTD_getErrorName(result))
            throw LogError(.corrupt, "zstd cannot decode frame at byte \(position) (offset \(header.baseOffset)): \(reason)", path: path)
        }
        guard result == size else {
            throw LogError(.corrupt, "frame at byte \(position) (offset \(header.baseOffset)) decodes to \(result) bytes, header says \(size)", path: path)
        }
        return UnsafeRawBufferPointer(rebasing: output[0..<size])
    }
}
