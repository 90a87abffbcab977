import DaichoLog
import Foundation

// The dedup set saved beside the log. See docs/ingest.md "The dedup file".

/// Reads and writes `snapshots/event-ids.dedup`: the `DedupSet` of the log's first `covered` offsets, so opening a
/// large log for writing reads only the event ids appended after it instead of every id. The file proves it
/// belongs to the log (the base offset and chained CRC of the frame holding offset `covered - 1`) and is
/// checksummed; anything else — absent, damaged, of another log, covering more than the log holds — is ignored
/// and the set is rebuilt from the log, as it always was.
enum DedupFile {
    static let name = "event-ids.dedup"
    static let magic = Array("DCHDEDUP".utf8)
    static let version: UInt64 = 1
    static let headerSize = 64

    /// The saved set and the offsets it covers, when the file at `path` is intact and proves it belongs to the log
    /// `reader` reads; nil otherwise.
    static func read(_ path: String, reader: EventReader) -> (set: DedupSet, covered: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: headerSize)
        guard readFully(fd, &header) else { return nil }
        func u64(_ at: Int) -> UInt64 {
            header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        }
        let covered = u64(16), base = u64(24), chain = u64(32), slotCount = u64(40), count = u64(48)
        var st = stat()
        guard Array(header[0..<8]) == magic, u64(8) == version, covered > 0, covered <= reader.endOffset,
              slotCount >= 16, slotCount <= UInt64(Int.max / 16), count <= slotCount,
              fstat(fd, &st) == 0, UInt64(st.st_size) == UInt64(headerSize) + slotCount * 8 else { return nil }
        var slots = [UInt64](repeating: 0, count: Int(slotCount))
        let complete = slots.withUnsafeMutableBytes { b in readFully(fd, b) }
        guard complete else { return nil }
        let crc = slots.withUnsafeBytes { s in
            header.withUnsafeBytes { h in CRC32C.checksum(s, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[8..<56]))) }
        }
        guard UInt64(crc) == u64(56), let frame = try? reader.frameChecksum(containing: covered - 1),
              frame.base == base, UInt64(frame.crc) == chain,
              let set = DedupSet(slots: slots, count: Int(count)) else { return nil }
        return (set, covered)
    }

    /// Writes `set`, which holds the ids of the log's offsets below `covered`, to `path` atomically.
    /// - Parameter frame: the base offset and chained CRC of the frame holding offset `covered - 1`.
    /// - Throws: `StoreError` (`.io`) when the file cannot be written; the previous file, if any, stays.
    static func write(_ set: DedupSet, covered: UInt64, frame: (base: UInt64, crc: UInt32), to path: String,
                      directory: String) throws(StoreError) {
        var header: [UInt8] = []
        header.reserveCapacity(headerSize)
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        header.append(contentsOf: magic)
        u64(version)
        u64(covered)
        u64(frame.base)
        u64(UInt64(frame.crc))
        u64(UInt64(set.slotCount))
        u64(UInt64(set.count))
        let slots = set.withSlotBytes { Array($0) }
        let crc = slots.withUnsafeBytes { s in
            header.withUnsafeBytes { h in CRC32C.checksum(s, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[8..<56]))) }
        }
        u64(UInt64(crc))
        try AtomicFile.write([header, slots], to: path, directory: directory)
    }

    /// Removes `event-ids.dedup.tmp-<pid>` files whose writer process is gone.
    static func removeAbandonedTemporaries(in directory: String) {
        let prefix = name + ".tmp-"
        AbandonedTemporaries.remove(in: directory) { $0.hasPrefix(prefix) ? Int32($0.dropFirst(prefix.count)) : nil }
    }

    /// Reads exactly `buffer.count` bytes; false on a short file or an error.
    private static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    private static func readFully(_ fd: Int32, _ bytes: inout [UInt8]) -> Bool {
        bytes.withUnsafeMutableBytes { readFully(fd, $0) }
    }
}
