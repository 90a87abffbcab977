// Reader of encoded values (props). See docs/event-encoding.md "value".

/// A cursor over one encoded value and what follows it. Checks bounds and refs; never traps on bad bytes.
public struct ValueReader {
    var c: ByteCursor
    public let strings: StringTable

    init(_ bytes: UnsafeRawBufferPointer, strings: StringTable) {
        c = ByteCursor(bytes)
        self.strings = strings
    }

    /// Nesting bound for materializing (the ingest parser bounds depth at 64).
    static let maxDepth = 128

    /// Reads the next value as a `JSONValue` (allocates).
    public mutating func materialize() throws(BatchError) -> JSONValue {
        try materialize(depth: 0)
    }

    private mutating func materialize(depth: Int) throws(BatchError) -> JSONValue {
        guard depth < Self.maxDepth else { throw BatchError(message: "value nested too deeply") }
        let tag = c.byte()
        let value: JSONValue
        switch ValueTag(rawValue: tag) {
        case .null: value = .null
        case .false: value = .bool(false)
        case .true: value = .bool(true)
        case .int: value = .int(c.signed())
        case .double: value = .double(c.f64())
        case .string: value = .string(strings.string(try stringRef()))
        case .array:
            let n = try count()
            var elements: [JSONValue] = []
            elements.reserveCapacity(n)
            for _ in 0..<n { elements.append(try materialize(depth: depth + 1)) }
            value = .array(elements)
        case .object:
            let n = try count()
            var members: [JSONMember] = []
            members.reserveCapacity(n)
            for _ in 0..<n {
                let key = strings.string(try stringRef())
                members.append(JSONMember(key, try materialize(depth: depth + 1)))
            }
            value = .object(members)
        case nil: throw BatchError(message: "unknown value tag \(tag)")
        }
        guard !c.failed else { throw BatchError(message: "value runs past its record") }
        return value
    }

    /// Reads a string ref and checks it.
    mutating func stringRef() throws(BatchError) -> UInt32 {
        let r = c.varint()
        guard !c.failed, strings.isValid(r) else { throw BatchError(message: "bad string ref") }
        return UInt32(r)
    }

    /// Reads an element or member count and checks it against the bytes left (each needs ≥ 1 byte).
    mutating func count() throws(BatchError) -> Int {
        let n = c.varint()
        guard !c.failed, n <= UInt64(c.remaining) else { throw BatchError(message: "bad count") }
        return Int(n)
    }
}
