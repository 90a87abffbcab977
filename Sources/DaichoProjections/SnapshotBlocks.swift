import Daicho
import DaichoLog
import Foundation

// Blocked snapshot sections (docs/profile.md "Snapshots", "Blocked sections"): a section cut into blocks of about
// 64 KiB, each compressed on its own, behind a block table, so a query that needs one profile decompresses one
// or two blocks instead of the section.
//
//   0   8          block count n
//   8   32 × n     block table: first key u64, offset of the block from the end of the table u64,
//                  stored length u32, decoded length u32, XXH64 of the stored block u64
//   …              the blocks (each one zstd frame with its content checksum), back to back in table order
//
// Keys ascend from block to block; what a key is and what a block holds belongs to the section.

/// Builds a blocked section: blocks of plain bytes are added in key order and compressed by `encoded()`.
public struct SnapshotBlocksBuilder: Equatable {
    /// Blocks are cut once their plain bytes reach this size.
    public static let blockBytes = 64 << 10
    /// The plain blocks so far: their first keys and bytes.
    public private(set) var keys: [UInt64] = []
    public private(set) var blocks: [[UInt8]] = []

    public init() {}

    /// Whether the block being filled is full (the caller starts the next one with `begin`).
    public var isFull: Bool { blocks.last.map { $0.count >= Self.blockBytes } ?? true }

    /// Starts a new block whose first item has key `key`.
    public mutating func begin(key: UInt64) {
        keys.append(key)
        blocks.append([])
        blocks[blocks.count - 1].reserveCapacity(Self.blockBytes + 4096)
    }

    /// Appends to the block being filled.
    public mutating func append(_ body: (inout [UInt8]) -> Void) {
        precondition(!blocks.isEmpty, "begin a block first")
        body(&blocks[blocks.count - 1])
    }

    /// The section's bytes: the block table, then every block compressed (zstd `level`; level 1 because level 3
    /// took four times as long for 3 % less here, and `replay` writes a snapshot at every checkpoint). Blocks are
    /// compressed on every core (the snapshot write is on `append`'s path, docs/profile.md "When append writes the
    /// snapshot"); each block is compressed on its own, so the bytes do not depend on how many cores did it.
    public func encoded(level: Int32 = 1) -> [UInt8] {
        let stored = Self.compressInParallel(blocks, level: level)
        var w = SnapshotWriter()
        w.u64(UInt64(blocks.count))
        var at: UInt64 = 0
        for (i, s) in stored.enumerated() {
            w.u64(keys[i])
            w.u64(at)
            w.u32(UInt32(s.count))
            w.u32(UInt32(blocks[i].count))
            w.u64(s.withUnsafeBytes { XXHash64.hash($0) })
            at += UInt64(s.count)
        }
        for s in stored { w.bytes.append(contentsOf: s) }
        return w.bytes
    }

    /// Each of `blocks` compressed, in order, by as many threads as there are cores.
    static func compressInParallel(_ blocks: [[UInt8]], level: Int32) -> [[UInt8]] {
        var stored = [[UInt8]](repeating: [], count: blocks.count)
        stored.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out // each iteration writes its own element only
            DispatchQueue.concurrentPerform(iterations: blocks.count) { i in
                out[i] = blocks[i].withUnsafeBytes { ZstdBlob.compress($0, level: level) }
            }
        }
        return stored
    }
}

/// A blocked section of a mapped snapshot: its block table is read (and bounds-checked) at once, each block is
/// checked against its XXH64 and decompressed when asked for.
final class SnapshotBlocks {
    struct Entry {
        var key: UInt64
        var offset: Int
        var stored: Int
        var decoded: Int
        var hash: UInt64
    }

    let entries: [Entry]
    /// The block table's bytes (what the section table's hash covers) and the blocks after it.
    let table: UnsafeRawBufferPointer
    private let body: UnsafeRawBufferPointer
    private let path: String
    /// The block decoded last, kept: lookups often read the same block twice.
    private var cached: (index: Int, bytes: [UInt8])?

    /// Reads the block table of `section`.
    /// - Throws: when the table does not fit the section, a block lies outside it, or keys descend.
    init(_ section: UnsafeRawBufferPointer, path: String) throws(SnapshotError) {
        var r = SnapshotReader(section)
        let n = try r.u64()
        guard n <= UInt64(section.count) / 40 else { throw SnapshotError("block table damaged (count)") }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(n))
        for _ in 0..<Int(n) {
            let e = Entry(key: try r.u64(), offset: Int(clamping: try r.u64()), stored: Int(try r.u32()),
                          decoded: Int(try r.u32()), hash: try r.u64())
            entries.append(e)
        }
        table = UnsafeRawBufferPointer(rebasing: section[..<r.position])
        body = UnsafeRawBufferPointer(rebasing: section[r.position...])
        var end = 0
        for (i, e) in entries.enumerated() {
            guard e.offset == end, e.stored <= body.count - end, i == 0 || entries[i - 1].key <= e.key else {
                throw SnapshotError("block table damaged (block \(i))")
            }
            end += e.stored
        }
        guard end == body.count else { throw SnapshotError("block table damaged (length)") }
        self.entries = entries
        self.path = path
    }

    var count: Int { entries.count }

    /// Whether block `i`'s stored bytes match the hash in the table.
    func isIntact(_ i: Int) -> Bool { XXHash64.hash(stored(i)) == entries[i].hash }

    private func stored(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: body[entries[i].offset..<(entries[i].offset + entries[i].stored)])
    }

    /// The plain bytes of block `i`, after checking its hash.
    /// - Throws: when the block fails its hash or does not decompress to its recorded length.
    func block(_ i: Int) throws(SnapshotError) -> [UInt8] {
        if let cached, cached.index == i { return cached.bytes }
        guard isIntact(i) else { throw SnapshotError("block \(i) fails its checksum") }
        let bytes: [UInt8]
        do { bytes = try ZstdBlob.decompress(stored(i), limit: entries[i].decoded, path: path) }
        catch { throw SnapshotError("block \(i) does not decompress: \(error)") }
        guard bytes.count == entries[i].decoded else { throw SnapshotError("block \(i) has another length than recorded") }
        cached = (i, bytes)
        return bytes
    }

    /// The last block whose first key is <= `key` (0 when every block starts after it), nil when there are none.
    func lastBlock(startingAtOrBefore key: UInt64) -> Int? {
        guard !entries.isEmpty else { return nil }
        var lo = 0, hi = entries.count // first block with key > `key`
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].key <= key { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }
}

extension SnapshotWriter {
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
}

extension SnapshotReader {
    mutating func u32() throws(SnapshotError) -> UInt32 { UInt32(littleEndian: try bytes(4).loadUnaligned(as: UInt32.self)) }
}
