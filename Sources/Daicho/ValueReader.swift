// Reader of encoded values (props). See docs/event-encoding.md "value".

/// A cursor over one encoded value and what follows it. Checks bounds and refs; never traps on bad bytes.
public struct ValueReader {
    var c: ByteCursor
    public let strings: StringTable

    init(_ bytes: UnsafeRawBufferPointer, strings: StringTable) {
        c = ByteCursor(bytes)
        self.strings = strings
    }

    /// Whether the cursor has consumed every byte it was given.
    var isAtEnd: Bool { c.remaining == 0 }

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

// Typed access for projections: read the value at the cursor without materializing it.
extension ValueReader {
    /// Skips the value at the cursor (and its children).
    public mutating func skipValue() throws(BatchError) {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws(BatchError) {
        guard depth < Self.maxDepth else { throw BatchError(message: "value nested too deeply") }
        let tag = c.byte()
        switch ValueTag(rawValue: tag) {
        case .null, .false, .true: break
        case .int: _ = c.varint()
        case .double: c.skip(8)
        case .string: _ = try stringRef()
        case .array:
            for _ in 0..<(try count()) { try skipValue(depth: depth + 1) }
        case .object:
            for _ in 0..<(try count()) { _ = try stringRef(); try skipValue(depth: depth + 1) }
        case nil: throw BatchError(message: "unknown value tag \(tag)")
        }
        guard !c.failed else { throw BatchError(message: "value runs past its record") }
    }

    /// Calls `body` with each member's key ref and a reader at its value, when the value at the cursor is an
    /// object; then moves past the object. Does nothing but skip for any other value.
    public mutating func forEachMember(_ body: (UInt32, inout ValueReader) throws(BatchError) -> Void) throws(BatchError) {
        guard c.remaining > 0, c.base.load(fromByteOffset: c.position, as: UInt8.self) == ValueTag.object.rawValue else {
            return try skipValue()
        }
        _ = c.byte()
        for _ in 0..<(try count()) {
            let key = try stringRef()
            var value = self
            try body(key, &value)
            try skipValue() // self still points at the member's value
        }
    }

    /// Calls `body` with a reader at each element when the value at the cursor is an array; then moves past it.
    public mutating func forEachElement(_ body: (inout ValueReader) throws(BatchError) -> Void) throws(BatchError) {
        guard c.remaining > 0, c.base.load(fromByteOffset: c.position, as: UInt8.self) == ValueTag.array.rawValue else {
            return try skipValue()
        }
        _ = c.byte()
        for _ in 0..<(try count()) {
            var element = self
            try body(&element)
            try skipValue()
        }
    }

    /// The number at the cursor (an int or a double), or nil for any other value. Does not move the cursor.
    public var number: Double? {
        var r = self
        switch ValueTag(rawValue: r.c.byte()) {
        case .int: let v = r.c.signed(); return r.c.failed ? nil : Double(v)
        case .double: let v = r.c.f64(); return r.c.failed ? nil : v
        default: return nil
        }
    }

    /// The integer at the cursor (an int, or a double with no fraction), or nil. Does not move the cursor.
    public var integer: Int64? {
        var r = self
        switch ValueTag(rawValue: r.c.byte()) {
        case .int: let v = r.c.signed(); return r.c.failed ? nil : v
        case .double:
            let v = r.c.f64()
            return !r.c.failed && v.rounded() == v && abs(v) < 9.2e18 ? Int64(v) : nil
        default: return nil
        }
    }

    /// The string ref at the cursor, or nil for any other value. Does not move the cursor.
    public var stringValue: UInt32? {
        var r = self
        guard ValueTag(rawValue: r.c.byte()) == .string else { return nil }
        let ref = r.c.varint()
        return !r.c.failed && strings.isValid(ref) ? UInt32(ref) : nil
    }
}
