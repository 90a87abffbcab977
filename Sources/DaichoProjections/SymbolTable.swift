import Daicho
import Foundation

/// A string interned for the life of a projection: profiles store symbols, not text.
public struct Symbol: Hashable, Sendable, Comparable {
    public let raw: UInt32
    public init(raw: UInt32) { self.raw = raw }
    public static func < (a: Symbol, b: Symbol) -> Bool { a.raw < b.raw }
}

/// Process-wide interning of the strings projections keep (identifier values, trait keys and values, paths,
/// order ids, sources...). Append-only, so a symbol's number is stable and can be snapshotted.
/// Not thread-safe: owned by one projection worker.
public final class SymbolTable {
    @exclusivity(unchecked) private var blob: [UInt8] = []
    @exclusivity(unchecked) private var ends: [UInt32] = []
    /// Open addressing: 0 empty, else symbol + 1; hashes kept beside for cheap mismatch checks.
    @exclusivity(unchecked) private var slots: [UInt32] = Array(repeating: 0, count: 1 << 12)
    @exclusivity(unchecked) private var hashes: [UInt64] = Array(repeating: 0, count: 1 << 12)

    public init() {}

    /// Number of symbols.
    public var count: Int { ends.count }

    /// Bytes held by the table (for memory reports).
    public var memoryBytes: Int { blob.capacity + ends.capacity * 4 + slots.capacity * 4 + hashes.capacity * 8 }

    /// The symbol of `bytes`, interning it when new.
    public func intern(_ bytes: UnsafeRawBufferPointer) -> Symbol {
        let h = XXHash64.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if hashes[i] == h && equals(Int(s - 1), bytes) { return Symbol(raw: s - 1) }
            i = (i + 1) & mask
        }
        let symbol = UInt32(ends.count)
        blob.append(contentsOf: bytes)
        ends.append(UInt32(blob.count))
        slots[i] = symbol + 1
        hashes[i] = h
        if ends.count * 2 > slots.count { grow() }
        return Symbol(raw: symbol)
    }

    /// The symbol of `string`, interning it when new.
    public func intern(_ string: String) -> Symbol {
        var s = string
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The symbol of `bytes` if it was interned, without adding it.
    public func lookup(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        let h = XXHash64.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if hashes[i] == h && equals(Int(s - 1), bytes) { return Symbol(raw: s - 1) }
            i = (i + 1) & mask
        }
    }

    /// The text of `symbol`.
    public func string(_ symbol: Symbol) -> String {
        let i = Int(symbol.raw)
        let start = i == 0 ? 0 : Int(ends[i - 1])
        return String(decoding: blob[start..<Int(ends[i])], as: UTF8.self)
    }

    /// Calls `body` with the bytes of `symbol`.
    public func withBytes<R>(_ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let i = Int(symbol.raw)
        let start = i == 0 ? 0 : Int(ends[i - 1])
        return try blob.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<Int(ends[i])])) }
    }

    private func equals(_ i: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = i == 0 ? 0 : Int(ends[i - 1])
        let len = Int(ends[i]) - start
        guard len == bytes.count else { return false }
        return blob.withUnsafeBytes { b in len == 0 || memcmp(b.baseAddress! + start, bytes.baseAddress!, len) == 0 }
    }

    private func grow() {
        let capacity = slots.count * 2
        var newSlots = [UInt32](repeating: 0, count: capacity)
        var newHashes = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for j in 0..<slots.count where slots[j] != 0 {
            var i = Int(truncatingIfNeeded: hashes[j]) & mask
            while newSlots[i] != 0 { i = (i + 1) & mask }
            newSlots[i] = slots[j]
            newHashes[i] = hashes[j]
        }
        slots = newSlots
        hashes = newHashes
    }
}

/// Per-batch memo of batch string refs → symbols, so a string repeated in a batch is hashed once.
public struct SymbolCache {
    private var symbols: [UInt32] = []   // 0 = not yet resolved, else symbol + 1
    private var staticSymbols: [UInt32] = []

    public init() {}

    /// Forgets the previous batch's refs.
    public mutating func reset(dynamicCount: Int) {
        symbols.removeAll(keepingCapacity: true)
        symbols.append(contentsOf: repeatElement(0, count: dynamicCount))
    }

    /// The symbol of string `ref` of the batch whose strings are `strings`.
    public mutating func symbol(_ ref: UInt32, in strings: StringTable, table: SymbolTable) -> Symbol {
        if ref < StaticStrings.count {
            let i = Int(ref)
            if i < staticSymbols.count, staticSymbols[i] != 0 { return Symbol(raw: staticSymbols[i] - 1) }
            let s = table.intern(strings.bytes(ref))
            if staticSymbols.count <= i { staticSymbols.append(contentsOf: repeatElement(0, count: i + 1 - staticSymbols.count)) }
            staticSymbols[i] = s.raw + 1
            return s
        }
        let d = Int(ref - StaticStrings.count)
        if d < symbols.count, symbols[d] != 0 { return Symbol(raw: symbols[d] - 1) }
        let s = table.intern(strings.bytes(ref))
        if d < symbols.count { symbols[d] = s.raw + 1 }
        return s
    }
}

extension SymbolTable {
    /// Writes the symbols as the blocked symbols section (docs/profile.md "Snapshots", section 2): a block's key
    /// is its first symbol number and it holds consecutive symbols, each as length:varint then its bytes. The hash
    /// table is not stored: hashing the symbols again on a full restore costs little, storing it doubled the section.
    func write(to b: inout SnapshotBlocksBuilder) {
        blob.withUnsafeBytes { bytes in
            var start = 0
            for (i, end) in ends.enumerated() {
                if b.isFull { b.begin(key: UInt64(i)) }
                b.append { out in
                    AggregateWriter.varint(UInt64(Int(end) - start), &out)
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<Int(end)]))
                }
                start = Int(end)
            }
        }
    }

    /// Appends the symbols of one plain block of the symbols section, whose key must be this table's count.
    /// - Throws: when the block does not continue the table or holds a symbol twice.
    func read(block: UnsafeRawBufferPointer, key: UInt64) throws(SnapshotError) {
        guard key == UInt64(count) else { throw SnapshotError("symbol block out of sequence") }
        var r = AggregateReader(block)
        do {
            while r.position < block.count {
                let n = try r.count()
                let expected = UInt32(count)
                guard intern(UnsafeRawBufferPointer(rebasing: block[r.position..<(r.position + n)])).raw == expected else {
                    throw SnapshotError("symbol table damaged (a symbol twice)")
                }
                r.position += n
            }
        } catch let e as ProfileSnapshotError { throw SnapshotError("symbol block damaged: \(e)") }
        catch let e as SnapshotError { throw e }
        catch { throw SnapshotError("\(error)") }
    }
}

/// Symbol texts by number: the projection's `SymbolTable`, or the blocks of a snapshot's symbols section that one
/// profile's aggregates need (SnapshotProfiles.swift).
public protocol SymbolNames {
    /// The text of `symbol`.
    func string(_ symbol: Symbol) -> String
    /// Calls `body` with the bytes of `symbol`.
    func withBytes<R>(_ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension SymbolTable: SymbolNames {}
