// One-shot zstd for whole files other than the log (projection snapshots). Frames use FrameCompressor.
import CZstd

/// Compresses and decompresses whole byte blobs with zstd (content size and checksum included).
public enum ZstdBlob {
    /// The compressed form of `bytes`.
    public static func compress(_ bytes: UnsafeRawBufferPointer, level: Int32 = 3) -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        defer { ZSTD_freeCCtx(context) }
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        let bound = ZSTD_compressBound(bytes.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBytes { ZSTD_compress2(context, $0.baseAddress, $0.count, bytes.baseAddress, bytes.count) }
        precondition(daicho_zstd_is_error(written) == 0, "zstd compression of an in-memory buffer failed")
        out.removeSubrange(written...)
        return out
    }

    /// The original bytes of a blob made by `compress`.
    /// - Parameter limit: the largest decompressed size accepted (a guard against a damaged or hostile file).
    /// - Throws: `LogError` (`.corrupt`) when the blob is not a complete zstd frame, fails its checksum, or is too large.
    public static func decompress(_ bytes: UnsafeRawBufferPointer, limit: Int, path: String) throws(LogError) -> [UInt8] {
        let size = ZSTD_getFrameContentSize(bytes.baseAddress, bytes.count)
        guard size != daicho_zstd_contentsize_error(), size != daicho_zstd_contentsize_unknown() else {
            throw LogError(.corrupt, "not a zstd blob with a known size", path: path)
        }
        guard size <= UInt64(limit) else { throw LogError(.corrupt, "blob declares \(size) bytes, more than the limit of \(limit)", path: path) }
        var out = [UInt8](repeating: 0, count: Int(size))
        let n = out.withUnsafeMutableBytes { ZSTD_decompress($0.baseAddress, $0.count, bytes.baseAddress, bytes.count) }
        guard daicho_zstd_is_error(n) == 0, n == Int(size) else {
            throw LogError(.corrupt, "zstd blob does not decompress (damaged or truncated)", path: path)
        }
        return out
    }
}

extension ZstdBlob {
    /// The decompressed size a blob made by `compress` declares.
    /// - Throws: `LogError` (`.corrupt`) when it is not a zstd frame with a known size, or declares more than `limit`.
    public static func contentSize(_ bytes: UnsafeRawBufferPointer, limit: Int, path: String) throws(LogError) -> Int {
        let size = ZSTD_getFrameContentSize(bytes.baseAddress, bytes.count)
        guard size != daicho_zstd_contentsize_error(), size != daicho_zstd_contentsize_unknown() else {
            throw LogError(.corrupt, "not a zstd blob with a known size", path: path)
        }
        guard size <= UInt64(limit) else { throw LogError(.corrupt, "blob declares \(size) bytes, more than the limit of \(limit)", path: path) }
        return Int(size)
    }

    /// Decompresses a blob made by `compress` into `out`, which must be exactly its `contentSize` (so the caller
    /// chooses the memory: aligned, or mapped).
    /// - Throws: `LogError` (`.corrupt`) when the blob does not decompress to exactly `out.count` bytes.
    public static func decompress(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, path: String) throws(LogError) {
        let n = ZSTD_decompress(out.baseAddress, out.count, bytes.baseAddress, bytes.count)
        guard daicho_zstd_is_error(n) == 0, n == out.count else {
            throw LogError(.corrupt, "zstd blob does not decompress (damaged or truncated)", path: path)
        }
    }
}
