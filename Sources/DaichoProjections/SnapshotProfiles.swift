import Daicho
import DaichoJSON
import DaichoLog

/// One customer read from a snapshot without loading the projection (docs/profile.md "Snapshots", "One customer"):
/// an identifier or profile id is looked up in the lookup section's block, the profile's record read from its
/// block of the profiles section, and the symbols its aggregates name from their blocks. Only the header, the
/// three block tables and those blocks are read; each block is checked against its hash when read.
///
/// It answers only for the log the snapshot covers: a caller checks `nextOffset` against the log's end (a tail
/// to apply needs the full projection).
public final class SnapshotProfiles {
    /// The log offset the snapshot reflects.
    public let nextOffset: UInt64
    /// Internal events (segment definitions and drops) the snapshot saw: views beside the profiles exist when > 0.
    public let internalEvents: Int
    private let file: SnapshotFile
    private let profiles: SnapshotBlocks
    private let lookupBlocks: SnapshotBlocks
    let names: BlockSymbolNames
    private let config: ProfileConfig

    /// Why the snapshot cannot answer, or the opened snapshot.
    public enum Opened {
        case opened(SnapshotProfiles)
        case unavailable(String)
    }

    private init(file: SnapshotFile, summary: SnapshotSummary, config: ProfileConfig) throws(SnapshotError) {
        self.file = file
        nextOffset = summary.nextOffset
        internalEvents = summary.internalEvents
        profiles = try file.blocks(.profiles)
        lookupBlocks = try file.blocks(.lookup)
        names = BlockSymbolNames(try file.blocks(.symbols))
        self.config = config
    }

    /// Opens the snapshot of `dir` for one-customer queries: header, proof and the hashes of the summary and the
    /// block tables it reads are checked now; blocks when read.
    public static func open(_ dir: DataDirectory, settings: ProjectionSettings, proving reader: EventReader) -> Opened {
        open(directory: dir.snapshotsPath, name: ProjectionSnapshot.fileName, settings: settings, proving: reader)
    }

    /// Opens the snapshot file `name` in `directory` (an as-of checkpoint's: CheckpointCustomer.swift) the same way.
    static func open(directory: String, name: String, settings: ProjectionSettings, proving reader: EventReader) -> Opened {
        switch SnapshotFile.open(directory: directory, name: name, settingsHash: settings.hash, proving: reader) {
        case .ignored(let why): return .unavailable(why)
        case .opened(let file):
            for section in [ProjectionSnapshot.Section.summary, .symbols, .profiles, .lookup] where !file.isIntact(section) {
                return .unavailable("snapshot \(file.path) fails its checksum")
            }
            do {
                let summary = try SnapshotSummary(file.section(.summary))
                guard summary.nextOffset == file.offset else { return .unavailable("snapshot \(file.path) is inconsistent (offset)") }
                return .opened(try SnapshotProfiles(file: file, summary: summary, config: settings.profile))
            } catch {
                return .unavailable("snapshot \(file.path) is damaged: \(error)")
            }
        }
    }

    /// The living profile holding the identifier given as the producer wrote it (normalized as ingest does).
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    public func profile(kind: IdentifierKind, raw: String) throws(SnapshotError) -> UInt32? {
        guard case .success(var value) = IdentifierNormalizer().normalize(raw, kind: kind) else { return nil }
        let found = value.withUTF8 { v in
            Result<UInt32?, SnapshotError> { () throws(SnapshotError) in try profile(kind: kind.code, normalized: UnsafeRawBufferPointer(v)) }
        }
        return try found.get()
    }

    /// The living profile holding the identifier of kind code `kind` whose normalized value is `normalized`.
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    func profile(kind: UInt8, normalized: UnsafeRawBufferPointer) throws(SnapshotError) -> UInt32? {
        let value = String(decoding: normalized, as: UTF8.self)
        for p in try candidates(LookupKey.identifier(kind: kind, value: normalized)) {
            guard let record = try record(of: p) else { continue }
            if record.identifiers.contains(where: { $0.kind == kind && $0.value == value }) { return p }
        }
        return nil
    }

    /// The living profiles holding an identifier whose `IdentityGraph.hash` is `hash` (one, or more only when two
    /// identifiers share the hash).
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    func profiles(holdingIdentifierHash hash: UInt64) throws(SnapshotError) -> [UInt32] {
        var out: [UInt32] = []
        for p in try candidates(UInt32(truncatingIfNeeded: hash >> 32)) where !out.contains(p) {
            guard let record = try record(of: p) else { continue }
            let holds = record.identifiers.contains { id in
                var value = id.value
                return value.withUTF8 { IdentityGraph.hash(kind: id.kind, value: UnsafeRawBufferPointer($0)) } == hash
            }
            if holds { out.append(p) }
        }
        return out
    }

    /// The living profile of a profile id, absorbed ids included (as `IdentityGraph.profile(id:)`).
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    public func profile(id: String) throws(SnapshotError) -> UInt32? {
        guard id.hasPrefix("p-"), id.count == 18, let h = UInt64(id.dropFirst(2), radix: 16) else { return nil }
        var found: UInt32?
        for p in try candidates(LookupKey.profileID(h)) {
            guard let record = try record(of: p) else { continue }
            // A profile's own id wins over an id it absorbed, as in the graph (where each number has one id).
            if record.idHash == h { return p }
            if found == nil && record.mergedIDs.contains(h) { found = p }
        }
        return found
    }

    /// The id of living profile `p` (`p-` + 16 hex digits).
    public func id(of p: UInt32) throws(SnapshotError) -> String {
        guard let record = try record(of: p) else { throw SnapshotError("profile \(p) has no record") }
        return IdentityGraph.format(record.idHash)
    }

    /// The offsets of `p`'s events, ascending.
    public func eventOffsets(of p: UInt32) throws(SnapshotError) -> [UInt64] {
        guard let record = try record(of: p) else { throw SnapshotError("profile \(p) has no record") }
        return record.events
    }

    /// The profile JSON of docs/profile.md, as `ProfileProjection.json(of:now:)` prints it.
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    public func json(of p: UInt32, now: Int64) throws(SnapshotError) -> JSONValue {
        let (bytes, range) = try recordBytes(of: p)
        guard !range.isEmpty else { throw SnapshotError("profile \(p) has no record") }
        let result = bytes.withUnsafeBytes { b in Result { try decodeJSON(UnsafeRawBufferPointer(rebasing: b[range]), now: now) } }
        switch result {
        case .success(let json): return json
        case .failure(let e as SnapshotError): throw e
        case .failure(let e): throw SnapshotError("record of profile \(p) damaged: \(e)")
        }
    }

    private func decodeJSON(_ bytes: UnsafeRawBufferPointer, now: Int64) throws -> JSONValue {
        let record = try ProfileRecord.read(bytes)
        var position = record.aggregates.lowerBound
        let aggregates = try ProfileAggregates.deserialize(bytes, at: &position)
        guard position == bytes.count else { throw SnapshotError("bytes after the aggregates") }
        let json = ProfileProjection.json(id: record.idHash, mergedIDs: record.mergedIDs, identifiers: record.identifiers,
                                          conflicts: record.conflicts, aggregates: aggregates, names: names, config: config, now: now)
        if let failure = names.failure { throw failure }
        return json
    }

    /// The profiles whose lookup entries have `key` (a key's entries lie in one block).
    private func candidates(_ key: UInt32) throws(SnapshotError) -> [UInt32] {
        guard let i = lookupBlocks.lastBlock(startingAtOrBefore: UInt64(key)) else { return [] }
        let block = try lookupBlocks.block(i)
        var out: [UInt32] = []
        do {
            try block.withUnsafeBytes { b in
                var r = AggregateReader(b)
                var k = lookupBlocks.entries[i].key
                while r.position < b.count {
                    k += try r.varint()
                    let p = try r.u32()
                    if k == UInt64(key) { out.append(p) } else if k > UInt64(key) { break }
                }
            }
        } catch {
            throw SnapshotError("lookup block \(i) damaged: \(error)")
        }
        return out
    }

    /// The block holding `p`'s record and the record's range in it (empty for an absorbed profile).
    func recordBytes(of p: UInt32) throws(SnapshotError) -> ([UInt8], Range<Int>) {
        guard let i = profiles.lastBlock(startingAtOrBefore: UInt64(p)), profiles.entries[i].key <= UInt64(p) else {
            throw SnapshotError("no record of profile \(p)")
        }
        let block = try profiles.block(i)
        let ranges: [Range<Int>]
        do { ranges = try block.withUnsafeBytes { try ProfileRecord.ranges(in: $0) } }
        catch { throw SnapshotError("profile block \(i) damaged: \(error)") }
        let index = Int(UInt64(p) - profiles.entries[i].key)
        guard index < ranges.count else { throw SnapshotError("no record of profile \(p)") }
        return (block, ranges[index])
    }

    /// `p`'s record, nil for an absorbed profile.
    func record(of p: UInt32) throws(SnapshotError) -> ProfileRecord? {
        let (bytes, range) = try recordBytes(of: p)
        guard !range.isEmpty else { return nil }
        do { return try bytes.withUnsafeBytes { try ProfileRecord.read(UnsafeRawBufferPointer(rebasing: $0[range])) } }
        catch { throw SnapshotError("record of profile \(p) damaged: \(error)") }
    }
}

/// Symbol texts read from the blocks of a snapshot's symbols section as they are asked for. `SymbolNames` cannot
/// throw, so a damaged block gives empty text and is kept in `failure`, which the caller checks before using what
/// it printed.
final class BlockSymbolNames: SymbolNames {
    private let blocks: SnapshotBlocks
    /// Per block read: its bytes and each symbol's range in them.
    private var decoded: [Int: (bytes: [UInt8], ranges: [Range<Int>])] = [:]
    private(set) var failure: SnapshotError?

    init(_ blocks: SnapshotBlocks) { self.blocks = blocks }

    func string(_ symbol: Symbol) -> String { withBytes(symbol) { String(decoding: $0, as: UTF8.self) } }

    func withBytes<R>(_ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let (bytes, range) = locate(symbol) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    private func locate(_ symbol: Symbol) -> ([UInt8], Range<Int>)? {
        do {
            guard let i = blocks.lastBlock(startingAtOrBefore: UInt64(symbol.raw)) else { throw SnapshotError("no symbol \(symbol.raw)") }
            if decoded[i] == nil {
                let bytes = try blocks.block(i)
                var ranges: [Range<Int>] = []
                try bytes.withUnsafeBytes { b in
                    var r = AggregateReader(b)
                    while r.position < b.count {
                        let n = try r.count()
                        ranges.append(r.position..<(r.position + n))
                        r.position += n
                    }
                }
                decoded[i] = (bytes, ranges)
            }
            let (bytes, ranges) = decoded[i]!
            let key = blocks.entries[i].key
            guard UInt64(symbol.raw) >= key, UInt64(symbol.raw) - key < UInt64(ranges.count) else { throw SnapshotError("no symbol \(symbol.raw)") }
            return (bytes, ranges[Int(UInt64(symbol.raw) - key)])
        } catch {
            if failure == nil { failure = error as? SnapshotError ?? SnapshotError("symbol block damaged: \(error)") }
            return nil
        }
    }
}
