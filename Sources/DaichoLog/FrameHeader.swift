// The 64-byte frame header. See docs/log-format.md §3.

/// Format constants of the frame and head records.
enum LogFormat {
    /// `"DCH1"` read as a little-endian u32.
    static let frameMagic: UInt32 = 0x3148_4344
    /// `"DCHH"` read as a little-endian u32.
    static let headMagic: UInt32 = 0x4848_4344
    static let version: UInt16 = 1
    static let headerSize = 64
    static let headSize = 40
    /// The largest uncompressed payload of one frame (decompression-bomb guard).
    static let maxUncompressedBytes = 64 << 20
    static let codecNone: UInt8 = 0
    static let codecZstd: UInt8 = 1
    static let segmentSuffix = ".seg"
    static let headFileName = "head"
    /// Where the writer builds `head` before renaming it into place (§6).
    static let headTemporaryName = "head.new"
    static let lockFileName = "LOCK"

    /// `<20-digit zero-padded base>.seg`.
    static func segmentFileName(base: UInt64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: 20 - digits.count) + digits + segmentSuffix
    }

    /// The base offset encoded in a segment file name, or nil if `name` is not a segment name.
    static func segmentBase(fileName name: String) -> UInt64? {
        guard name.utf8.count == 20 + segmentSuffix.utf8.count, name.hasSuffix(segmentSuffix) else { return nil }
        let digits = name.utf8.prefix(20)
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(Substring(name.prefix(20)))
    }
}

/// A decoded frame header (all fields of docs/log-format.md §3 except magic and reserved).
struct FrameHeader: Equatable, Sendable {
    var crc: UInt32
    var codec: UInt8
    var recordCount: UInt32
    var baseOffset: UInt64
    var firstEventTime: Int64
    var maxEventTime: Int64
    var appendTime: Int64
    var storedLength: UInt32
    var uncompressedLength: UInt32

    /// Bytes of the whole frame, header included.
    var frameSize: Int { LogFormat.headerSize + Int(storedLength) }
    /// The offset after the frame's last record.
    var endOffset: UInt64 { baseOffset + UInt64(recordCount) }

    /// Decodes a header, or returns nil if it is not plausible (magic, version, codec, flags,
    /// count, times, lengths, reserved; docs/log-format.md §3). The CRC is not checked here.
    /// - Parameter raw: at least 64 bytes starting at the frame.
    static func parse(_ raw: UnsafeRawBufferPointer) -> FrameHeader? {
        precondition(raw.count >= LogFormat.headerSize)
        func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        guard u32(0) == LogFormat.frameMagic, u16(8) == LogFormat.version, raw[11] == 0, u64(56) == 0 else { return nil }
        let header = FrameHeader(
            crc: u32(4), codec: raw[10], recordCount: u32(12), baseOffset: u64(16),
            firstEventTime: Int64(bitPattern: u64(24)), maxEventTime: Int64(bitPattern: u64(32)),
            appendTime: Int64(bitPattern: u64(40)), storedLength: u32(48), uncompressedLength: u32(52))
        guard header.codec <= LogFormat.codecZstd, header.recordCount >= 1,
              header.firstEventTime <= header.maxEventTime,
              Int(header.uncompressedLength) <= LogFormat.maxUncompressedBytes,
              header.codec != LogFormat.codecNone || header.storedLength == header.uncompressedLength,
              header.baseOffset <= UInt64.max - UInt64(header.recordCount)
        else { return nil }
        return header
    }

    /// Writes the header into `raw[0..<64]` with the given CRC field.
    func encode(into raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= LogFormat.headerSize)
        raw.storeBytes(of: LogFormat.frameMagic.littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: LogFormat.version.littleEndian, toByteOffset: 8, as: UInt16.self)
        raw[10] = codec
        raw[11] = 0
        raw.storeBytes(of: recordCount.littleEndian, toByteOffset: 12, as: UInt32.self)
        raw.storeBytes(of: baseOffset.littleEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: firstEventTime.littleEndian, toByteOffset: 24, as: Int64.self)
        raw.storeBytes(of: maxEventTime.littleEndian, toByteOffset: 32, as: Int64.self)
        raw.storeBytes(of: appendTime.littleEndian, toByteOffset: 40, as: Int64.self)
        raw.storeBytes(of: storedLength.littleEndian, toByteOffset: 48, as: UInt32.self)
        raw.storeBytes(of: uncompressedLength.littleEndian, toByteOffset: 52, as: UInt32.self)
        raw.storeBytes(of: UInt64(0), toByteOffset: 56, as: UInt64.self)
    }

    /// The CRC of a frame: header bytes `[8, 64)` then the stored payload.
    static func computeCRC(header raw: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt32 {
        let rest = UnsafeRawBufferPointer(rebasing: raw[8..<LogFormat.headerSize])
        return CRC32C.checksum(payload, continuing: CRC32C.checksum(rest))
    }

    /// Whether the complete frame at the start of `raw` (header + stored payload) has a matching CRC.
    func crcMatches(frame raw: UnsafeRawBufferPointer) -> Bool {
        let payload = UnsafeRawBufferPointer(rebasing: raw[LogFormat.headerSize..<frameSize])
        return FrameHeader.computeCRC(header: raw, payload: payload) == crc
    }
}
