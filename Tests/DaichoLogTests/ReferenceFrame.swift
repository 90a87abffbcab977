// A reference encoder of docs/log-format.md §3, written from the spec's table and independent of `FrameHeader`
// and `CRC32C`, for building damaged or hostile logs and for checking the production encoder.

/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) one bit at a time.
func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }
    return ~c
}

/// The little-endian bytes of `value`.
func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

/// A frame laid out field by field as in docs/log-format.md §3, with a correct CRC over bytes `[8, 64 + stored)`.
/// - Parameters:
///   - time: the first event time; also the max event time and the append time unless those are given.
func rawFrame(base: UInt64, count: UInt32, codec: UInt8, stored: [UInt8], uncompressedLength: UInt32, time: Int64 = 0,
              maxTime: Int64? = nil, appendTime: Int64? = nil) -> [UInt8] {
    var afterCRC: [UInt8] = []
    afterCRC += littleEndianBytes(UInt16(1))                 // version
    afterCRC += [codec, 0]                                   // codec, flags
    afterCRC += littleEndianBytes(count)                     // record count
    afterCRC += littleEndianBytes(base)                      // base offset
    afterCRC += littleEndianBytes(time)                      // first event time
    afterCRC += littleEndianBytes(maxTime ?? time)           // max event time
    afterCRC += littleEndianBytes(appendTime ?? time)        // append time
    afterCRC += littleEndianBytes(UInt32(stored.count))      // stored length
    afterCRC += littleEndianBytes(uncompressedLength)        // uncompressed length
    afterCRC += littleEndianBytes(UInt64(0))                 // reserved
    precondition(afterCRC.count == 56)
    afterCRC += stored
    return Array("DCH1".utf8) + littleEndianBytes(referenceCRC32C(afterCRC)) + afterCRC
}
