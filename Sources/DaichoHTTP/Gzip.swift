// The containers around DEFLATE data that HTTP bodies use (docs/http-api.md "HTTP/1.1"): gzip (RFC 1952,
// `Content-Encoding: gzip`, what RudderStack's SDK sends by default) and zlib (RFC 1950, which is what
// `Content-Encoding: deflate` means; raw DEFLATE is accepted too, as browsers do, since some senders use it).

/// Decompression of request bodies.
public enum BodyDecoding {
    /// Decompresses a gzip body: one or more members (RFC 1952 §2.2 allows concatenated members), each with its
    /// CRC-32 and size checked.
    /// - Parameter limit: the most decompressed bytes accepted.
    /// - Throws: `InflateError`.
    public static func gunzip(_ data: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(data.count * 4, 256)))
        try withBytes(data) { raw throws(InflateError) in
            var p = 0
            repeat {
                p = try member(raw, at: p, into: &output, limit: limit)
            } while p < raw.count
        }
        return output
    }

    /// Decompresses a `deflate` body: zlib-wrapped (Adler-32 checked), or raw DEFLATE when it has no zlib header.
    public static func inflate(_ data: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(data.count * 4, 256)))
        try withBytes(data) { raw throws(InflateError) in
            let zlib = raw.count >= 2 && raw[0] & 0x0F == 8 && raw[0] >> 4 <= 7 && (Int(raw[0]) << 8 | Int(raw[1])) % 31 == 0
            guard zlib else {
                var reader = BitReader(raw)
                try Inflate.stream(&reader, into: &output, limit: limit)
                guard reader.bytePosition() == raw.count else { throw .malformed("bytes after the compressed data") }
                return
            }
            guard raw[1] & 0x20 == 0 else { throw .malformed("zlib preset dictionaries are not supported") }
            var reader = BitReader(raw, position: 2)
            try Inflate.stream(&reader, into: &output, limit: limit)
            let p = reader.bytePosition()
            guard p + 4 <= raw.count else { throw .truncated }
            let expected = UInt32(raw[p]) << 24 | UInt32(raw[p + 1]) << 16 | UInt32(raw[p + 2]) << 8 | UInt32(raw[p + 3])
            guard Adler32.checksum(output) == expected else { throw .checksumMismatch("zlib Adler-32") }
            guard p + 4 == raw.count else { throw .malformed("bytes after the zlib trailer") }
        }
        return output
    }

    /// `withUnsafeBytes` keeping the typed error (the standard library's is untyped `rethrows`).
    private static func withBytes(_ data: [UInt8], _ body: (UnsafeRawBufferPointer) throws(InflateError) -> Void) throws(InflateError) {
        let result: Result<Void, InflateError> = data.withUnsafeBytes { raw in
            do throws(InflateError) { try body(raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Reads one gzip member at `start`; returns the position after it.
    private static func member(_ raw: UnsafeRawBufferPointer, at start: Int, into output: inout [UInt8],
                               limit: Int) throws(InflateError) -> Int {
        guard raw.count - start >= 10 else { throw .truncated }
        guard raw[start] == 0x1F, raw[start + 1] == 0x8B else { throw .malformed("not gzip data (no 1f 8b magic)") }
        guard raw[start + 2] == 8 else { throw .malformed("gzip compression method \(raw[start + 2]) is not deflate") }
        let flags = raw[start + 3]
        guard flags & 0xE0 == 0 else { throw .malformed("reserved gzip flags are set") }
        var p = start + 10
        if flags & 0x04 != 0 { // FEXTRA
            guard p + 2 <= raw.count else { throw .truncated }
            p += 2 + (Int(raw[p]) | Int(raw[p + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 { // FNAME, FCOMMENT: zero-terminated
            while p < raw.count && raw[p] != 0 { p += 1 }
            p += 1
        }
        if flags & 0x02 != 0 { // FHCRC: the low 16 bits of the header's CRC-32
            guard p + 2 <= raw.count else { throw .truncated }
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<p]))
            guard UInt16(truncatingIfNeeded: crc) == UInt16(raw[p]) | UInt16(raw[p + 1]) << 8 else {
                throw .checksumMismatch("gzip header CRC")
            }
            p += 2
        }
        guard p <= raw.count else { throw .truncated }
        let first = output.count
        var reader = BitReader(raw, position: p)
        try Inflate.stream(&reader, into: &output, limit: limit)
        p = reader.bytePosition()
        guard p + 8 <= raw.count else { throw .truncated }
        func u32(_ at: Int) -> UInt32 { UInt32(raw[at]) | UInt32(raw[at + 1]) << 8 | UInt32(raw[at + 2]) << 16 | UInt32(raw[at + 3]) << 24 }
        let crc = output.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[first...])) }
        guard crc == u32(p) else { throw .checksumMismatch("gzip CRC-32") }
        guard UInt32(truncatingIfNeeded: output.count - first) == u32(p + 4) else { throw .checksumMismatch("gzip size") }
        return p + 8
    }
}

/// CRC-32 of ISO 3309 / ITU-T V.42 (the gzip and PNG checksum; reflected polynomial 0xEDB88320).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }
}

/// Adler-32 (RFC 1950 §8.2), the zlib checksum.
enum Adler32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 5552) // the most bytes before the sums can overflow 32 bits
            while i < end { a &+= UInt32(bytes[i]); b &+= a; i += 1 }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
