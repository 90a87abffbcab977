import Daicho
import DaichoLog
import Foundation

/// An opened snapshot file (docs/profile.md "Snapshots"): the header was checked (magic, format, CRC, settings,
/// the proof that it belongs to the log) and the section table is in bounds. Section hashes are checked by the
/// reader that uses a section: a full restore checks all, a one-customer query only what it reads.
struct SnapshotFile {
    let file: MappedFile
    let path: String
    /// The log offset the snapshot reflects.
    let offset: UInt64
    private let stored: [UnsafeRawBufferPointer]
    private let decoded: [Int]
    private let hashes: [UInt64]

    enum Opened {
        case opened(SnapshotFile)
        case ignored(String)
    }

    /// Maps and checks `directory/name`; removes temporaries of killed writers first.
    static func open(directory: String, name: String, settingsHash: UInt64, proving reader: EventReader) -> Opened {
        typealias S = ProjectionSnapshot
        S.removeAbandonedTemporaries(in: directory)
        let path = directory + "/" + name
        guard let file = MappedFile(path: path) else { return .ignored("no snapshot") }
        let raw = file.bytes
        guard raw.count >= S.headerBytes, Array(raw[0..<8]) == S.magic else { return .ignored("snapshot \(path) is not a Daicho snapshot") }
        var r = SnapshotReader(raw, position: 8)
        do {
            let v = try r.u64()
            guard v == S.version else { return .ignored("snapshot \(path) has format \(v), this build reads \(S.version)") }
            let offset = try r.u64(), hash = try r.u64(), count = try r.u64()
            let recorded = SnapshotProof(frameBase: try r.u64(), frameCRC: UInt32(truncatingIfNeeded: try r.u64()))
            let crc = try r.u64()
            guard count == UInt64(S.sectionCount), raw.count >= S.headerBytes + 32 * S.sectionCount else {
                return .ignored("snapshot \(path) is truncated or damaged (sections)")
            }
            let table = UnsafeRawBufferPointer(rebasing: raw[S.headerBytes..<(S.headerBytes + 32 * S.sectionCount)])
            let actual = CRC32C.checksum(table, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[16..<56])))
            guard UInt64(actual) == crc else { return .ignored("snapshot \(path) fails its checksum") }
            guard hash == settingsHash else { return .ignored("snapshot \(path) was built under other identity or profile settings") }
            if let why = try recorded.mismatch(reader, offset: offset) { return .ignored("snapshot \(path) \(why)") }
            var stored: [UnsafeRawBufferPointer] = [], decoded: [Int] = [], hashes: [UInt64] = []
            var at = S.headerBytes + 32 * S.sectionCount
            for section in S.Section.allCases {
                let length = try r.u64(), size = try r.u64(), sum = try r.u64(), encoding = try r.u64()
                guard length <= UInt64(raw.count - at), size <= UInt64(S.maxSection), encoding == section.encoding,
                      encoding != 0 || size == length else {
                    return .ignored("snapshot \(path) is truncated or damaged (length)")
                }
                stored.append(UnsafeRawBufferPointer(rebasing: raw[at..<(at + Int(length))]))
                decoded.append(Int(size))
                hashes.append(sum)
                at += Int(length)
            }
            guard at == raw.count else { return .ignored("snapshot \(path) is truncated or damaged (length)") }
            return .opened(SnapshotFile(file: file, path: path, offset: offset, stored: stored, decoded: decoded, hashes: hashes))
        } catch {
            return .ignored("snapshot \(path) is damaged: \(error)")
        }
    }

    /// The stored bytes of `section`.
    func section(_ section: ProjectionSnapshot.Section) -> UnsafeRawBufferPointer { stored[section.rawValue] }

    /// Whether `section`'s stored bytes (a blocked section's block table) match the hash in the section table.
    func isIntact(_ section: ProjectionSnapshot.Section) -> Bool {
        let bytes = stored[section.rawValue]
        guard section.encoding == 2 else { return XXHash64.hash(bytes) == hashes[section.rawValue] }
        guard let blocks = try? SnapshotBlocks(bytes, path: path) else { return false }
        return XXHash64.hash(blocks.table) == hashes[section.rawValue]
    }

    /// The blocks of a blocked section (its block table read, not its hash checked: see `isIntact`).
    func blocks(_ section: ProjectionSnapshot.Section) throws(SnapshotError) -> SnapshotBlocks {
        try SnapshotBlocks(stored[section.rawValue], path: path)
    }

    /// A zstd section decompressed into 16-byte aligned memory of its own, so its columns are used in place.
    func decompressedAligned(_ section: ProjectionSnapshot.Section) throws -> MappedFile {
        let bytes = stored[section.rawValue]
        let size = try ZstdBlob.contentSize(bytes, limit: decoded[section.rawValue], path: path)
        guard size == decoded[section.rawValue] else { throw SnapshotError("section \(section) has another length than recorded") }
        return try MappedFile(count: size) { out in try ZstdBlob.decompress(bytes, into: out, path: path) }
    }
}
