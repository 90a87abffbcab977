// The sparse in-memory index of a reader. See docs/log-format.md §8 (last part).

/// One entry per frame: where it is, which offsets it holds, and the running maximum event time.
struct IndexEntry {
    var baseOffset: UInt64
    var recordCount: UInt32
    var segment: Int32
    var position: Int
    var frameSize: Int
    /// Maximum of `max event time` over this frame and every earlier one.
    var runningMaxTime: Int64
    /// CRC32C over the CRCs (little-endian u32) of every frame up to and including this one: what a file derived
    /// from the log up to here records to prove it belongs to this log (any earlier frame changed changes it).
    var chainCRC: UInt32
}

/// Frames in offset order; binary searches by offset and by running-max time.
struct FrameIndex {
    private(set) var entries = ContiguousArray<IndexEntry>()

    mutating func append(_ header: FrameHeader, segment: Int, position: Int) {
        let previous = entries.last?.runningMaxTime ?? .min
        let chain = withUnsafeBytes(of: header.crc.littleEndian) { CRC32C.checksum($0, continuing: entries.last?.chainCRC ?? 0) }
        entries.append(IndexEntry(
            baseOffset: header.baseOffset, recordCount: header.recordCount, segment: Int32(segment),
            position: position, frameSize: header.frameSize, runningMaxTime: max(previous, header.maxEventTime),
            chainCRC: chain))
    }

    /// The index of the first frame whose records reach `offset` or beyond (`base + count > offset`).
    /// - Complexity: O(log n).
    func firstFrame(reaching offset: UInt64) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let e = entries[mid]
            if e.baseOffset + UInt64(e.recordCount) > offset { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The index of the first frame whose running-max event time is `>= micros`.
    /// - Complexity: O(log n).
    func firstFrame(atOrAfterTime micros: Int64) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].runningMaxTime >= micros { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
