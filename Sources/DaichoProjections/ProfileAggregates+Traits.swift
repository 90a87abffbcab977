import Daicho

// `traits`: per key, the value of the identify event with the latest (at, offset) (docs/profile.md).

/// A trait value stored compactly: scalars inline, strings as symbols, arrays and objects as an interned
/// self-contained encoding (`NestedValue`).
enum TraitValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(Symbol)
    /// An array or object: the symbol of its `NestedValue` encoding.
    case nested(Symbol)
}

/// One trait: the value and the (at, offset) of the identify that set it.
///
/// The key comes last so it fills the tail padding of `value` (32-byte stride instead of 40); the memberwise
/// initializer keeps the (key, value, at, offset) order.
struct TraitEntry: Equatable, Sendable {
    var at: Int64
    var offset: UInt64
    var value: TraitValue
    var key: Symbol

    init(key: Symbol, value: TraitValue, at: Int64, offset: UInt64) {
        self.at = at
        self.offset = offset
        self.value = value
        self.key = key
    }
}

extension ContiguousArray where Element == TraitEntry {
    /// Keeps `entry` when its key is new or it is later than the stored one; sorted by key.
    mutating func set(_ entry: TraitEntry) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid].key < entry.key { lo = mid + 1 } else { hi = mid }
        }
        if lo < count, self[lo].key == entry.key {
            if isLater(entry.at, entry.offset, than: self[lo].at, self[lo].offset) { self[lo] = entry }
        } else {
            // Profiles hold a handful of traits for good: grow one entry at a time up to `exactGrowthLimit` (no
            // doubling slack), then amortised.
            if count == capacity && count < exactGrowthLimit { reserveCapacity(count + 1) }
            insert(entry, at: lo)
        }
    }
}

/// Up to this many elements, a per-profile list (traits, channels) grows to its exact size rather than doubling.
let exactGrowthLimit = 16

/// A self-contained binary encoding of a JSON value, for nested trait values interned in the `SymbolTable`.
///
/// `value := tag:u8 body` with the tags of docs/event-encoding.md; ints zigzag varints, doubles 8 bytes
/// little-endian, strings (and object keys) `length:varint bytes` instead of batch refs.
enum NestedValue {
    static func encode(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(ValueTag.null.rawValue)
        case .bool(let b): out.append(b ? ValueTag.true.rawValue : ValueTag.false.rawValue)
        case .int(let i): out.append(ValueTag.int.rawValue); AggregateWriter.varint(zigzag(i), &out)
        case .double(let d): out.append(ValueTag.double.rawValue); AggregateWriter.fixed64(d.bitPattern, &out)
        case .string(let s): out.append(ValueTag.string.rawValue); encodeString(s, &out)
        case .array(let a):
            out.append(ValueTag.array.rawValue)
            AggregateWriter.varint(UInt64(a.count), &out)
            for e in a { encode(e, into: &out) }
        case .object(let members):
            out.append(ValueTag.object.rawValue)
            AggregateWriter.varint(UInt64(members.count), &out)
            for m in members { encodeString(m.key, &out); encode(m.value, into: &out) }
        }
    }

    private static func encodeString(_ s: String, _ out: inout [UInt8]) {
        AggregateWriter.varint(UInt64(s.utf8.count), &out)
        out.append(contentsOf: s.utf8)
    }

    /// Decodes a value written by `encode`.
    /// - Throws: `ProfileSnapshotError` when the bytes are not such a value.
    static func decode(_ r: inout AggregateReader) throws(ProfileSnapshotError) -> JSONValue {
        let tag = try r.byte()
        switch ValueTag(rawValue: tag) {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .int: return .int(unzigzag(try r.varint()))
        case .double: return .double(Double(bitPattern: try r.fixed64()))
        case .string: return .string(try r.string())
        case .array:
            let n = try r.count()
            var a: [JSONValue] = []
            for _ in 0..<n { a.append(try decode(&r)) }
            return .array(a)
        case .object:
            let n = try r.count()
            var members: [JSONMember] = []
            for _ in 0..<n {
                let key = try r.string()
                members.append(JSONMember(key, try decode(&r)))
            }
            return .object(members)
        case nil: throw ProfileSnapshotError(message: "unknown nested value tag \(tag)")
        }
    }
}

extension ProfileAggregates {
    /// Applies the `traits` object of an identify's props.
    /// - Returns: whether it set a trait.
    mutating func applyIdentify(_ e: EventView, offset: UInt64, symbols: inout SymbolCache, table: SymbolTable) -> Bool {
        var set = false
        e.readProps { props throws(BatchError) in try props.forEachMember { key, value throws(BatchError) in
            guard key == Key.traits else { return }
            try value.forEachMember { traitKey, traitValue throws(BatchError) in
                let stored: TraitValue
                if let ref = traitValue.stringValue {
                    stored = .string(symbols.symbol(ref, in: e.strings, table: table))
                } else {
                    // ValueReader has no public tag accessor; scalars materialize without allocating.
                    switch try traitValue.materialize() {
                    case .null: stored = .null
                    case .bool(let b): stored = .bool(b)
                    case .int(let i): stored = .int(i)
                    case .double(let d): stored = .double(d)
                    case let nested:
                        var bytes: [UInt8] = []
                        NestedValue.encode(nested, into: &bytes)
                        stored = .nested(bytes.withUnsafeBytes { table.intern($0) })
                    }
                }
                let k = symbols.symbol(traitKey, in: e.strings, table: table)
                traits.set(TraitEntry(key: k, value: stored, at: e.at, offset: offset))
                set = true
            }
        } }
        return set
    }
}

/// The JSON value of a stored trait.
func traitJSON(_ v: TraitValue, table: some SymbolNames) -> JSONValue {
    switch v {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .double(let d): return .double(d)
    case .string(let s): return .string(table.string(s))
    case .nested(let s):
        return table.withBytes(s) { bytes in
            // The bytes are NestedValue.encode's, in this process or from a snapshot section whose checksum
            // passed (docs/profile.md "Snapshots"): failing to decode them is a bug, never a null trait.
            var r = AggregateReader(bytes)
            do { return try NestedValue.decode(&r) } catch { preconditionFailure("stored nested trait does not decode: \(error)") }
        }
    }
}
