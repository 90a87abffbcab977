// Reading values from a tape. Every accessor takes the same bytes the tape was parsed from; indices must
// name tokens of the kind the accessor documents (checked in debug builds only).

extension JSONTape {
    /// Whether string token `i` equals the ASCII (or UTF-8) literal, after unescaping.
    ///
    /// Fast path when the string has no escapes: a length check and an 8-bytes-at-a-time compare.
    /// - Returns: `false` when token `i` is not a string.
    /// - Complexity: O(length of the string).
    @inlinable
    public func string(_ i: Int, in bytes: UnsafeRawBufferPointer, equals literal: StaticString) -> Bool {
        literal.withUTF8Buffer { string(i, in: bytes, equalsUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// Whether string token `i`, unescaped, is exactly the UTF-8 bytes `utf8` (no allocation).
    public func string(_ i: Int, in bytes: UnsafeRawBufferPointer, equalsUTF8 utf8: UnsafeRawBufferPointer) -> Bool {
        let t = tokens[i]
        guard t.kind == .string else { return false }
        if t.flags & JSONToken.hasEscapes != 0 {
            return JSONUnescape.equals(bytes, Int(t.start), Int(t.length), utf8)
        }
        guard Int(t.length) == utf8.count else { return false }
        guard let l = utf8.baseAddress, let p = bytes.baseAddress else { return utf8.isEmpty }
        return JSONBytes.equal(p + Int(t.start), l, utf8.count)
    }

    /// Appends the unescaped UTF-8 bytes of string token `i` to `out` (no allocation when `out` has capacity).
    /// - Complexity: O(length of the string).
    @inlinable
    public func appendString(_ i: Int, in bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let t = tokens[i]
        assert(t.kind == .string, "token is not a string")
        guard t.length > 0, let p = bytes.baseAddress else { return }
        if t.flags & JSONToken.hasEscapes != 0 {
            JSONUnescape.append(p, Int(t.start), Int(t.start) + Int(t.length), to: &out)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(
                start: (p + Int(t.start)).assumingMemoryBound(to: UInt8.self), count: Int(t.length)))
        }
    }

    /// The unescaped value of string token `i` as a `String` (allocates; for errors and tools, not hot paths).
    public func string(_ i: Int, in bytes: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(Int(tokens[i].length))
        appendString(i, in: bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Integer value of number token `i` if it is an integer literal (or has a zero fraction, e.g. `1.0`, `1e3`)
    /// that fits `Int64`; otherwise nil.
    @inlinable
    public func int64(_ i: Int, in bytes: UnsafeRawBufferPointer) -> Int64? {
        let t = tokens[i]
        guard t.kind == .number, let p = bytes.baseAddress else { return nil }
        let start = Int(t.start), length = Int(t.length)
        if t.flags & JSONToken.isInteger != 0 && length <= 18 {  // at most 18 characters cannot overflow
            let negative = JSONBytes.byte(p, start) == UInt8(ascii: "-")
            var value: Int64 = 0
            for k in (negative ? start + 1 : start)..<(start + length) {
                value = value &* 10 &+ Int64(JSONBytes.byte(p, k) &- 0x30)
            }
            return negative ? -value : value
        }
        return JSONDecimal(p, start, length).int64
    }

    /// Double value of number token `i`, correctly rounded.
    ///
    /// Clinger's fast path when the significand has at most 19 digits and is at most 2^53 with a power of ten
    /// that is exact in a `Double`; otherwise `strtod` (C locale) on a stack copy of the literal. Literals beyond
    /// the `Double` range give ±infinity or ±0 (ingest refuses those: `isZeroLiteral` tells an underflow from a zero).
    @inlinable
    public func double(_ i: Int, in bytes: UnsafeRawBufferPointer) -> Double {
        let t = tokens[i]
        assert(t.kind == .number, "token is not a number")
        guard let p = bytes.baseAddress else { return .nan }
        if let fast = JSONDecimal(p, Int(t.start), Int(t.length)).exactDouble { return fast }
        return JSONDecimal.slowDouble(p + Int(t.start), Int(t.length))
    }

    /// Whether number token `i` is written with only zero digits before any exponent (`0`, `-0.0`, `0e5`): the
    /// literals whose value is exactly zero. A nonzero literal whose `double` is 0 underflowed.
    /// - Complexity: O(length of the literal).
    public func isZeroLiteral(_ i: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        let t = tokens[i]
        guard t.kind == .number else { return false }
        for k in Int(t.start)..<Int(t.start + t.length) {
            switch bytes[k] {
            case UInt8(ascii: "e"), UInt8(ascii: "E"): return true
            case UInt8(ascii: "1")...UInt8(ascii: "9"): return false
            default: continue
            }
        }
        return true
    }

    /// The value of a `true` or `false` token, or nil for any other kind.
    @inlinable
    public func bool(_ i: Int) -> Bool? {
        switch tokens[i].kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    /// Index of the value token for `key` in object token `i`, or nil. Linear over the members; with duplicate
    /// keys the first wins.
    /// - Complexity: O(members + total key length).
    @inlinable
    public func member(_ i: Int, _ key: StaticString, in bytes: UnsafeRawBufferPointer) -> Int? {
        let t = tokens[i]
        guard t.kind == .object else { return nil }
        var k = i + 1
        for _ in 0..<t.length {
            if string(k, in: bytes, equals: key) { return k + 1 }
            k = Int(tokens[k + 1].end)
        }
        return nil
    }
}

/// Unescaping of validated JSON string content.
@usableFromInline
enum JSONUnescape {
    /// Appends the unescaped bytes of raw content `start..<end` to `out`, copying runs between escapes in bulk.
    @usableFromInline
    static func append(_ p: UnsafeRawPointer, _ start: Int, _ end: Int, to out: inout [UInt8]) {
        let base = p.assumingMemoryBound(to: UInt8.self)
        var r = start
        var run = start
        while r < end {
            guard base[r] == UInt8(ascii: "\\") else {
                r += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: r - run))
            let (scalar, width) = JSONBytes.decodeEscape(p, r, end)
            var (packed, count) = JSONBytes.encodeUTF8(scalar)
            for _ in 0..<count {
                out.append(UInt8(truncatingIfNeeded: packed))
                packed >>= 8
            }
            r += width
            run = r
        }
        out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: end - run))
    }

    /// Whether raw content `start..<start+length` unescapes to exactly `literal`.
    @usableFromInline
    static func equals(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int,
                       _ literal: UnsafeRawBufferPointer) -> Bool {
        guard let p = bytes.baseAddress else { return literal.isEmpty }
        let end = start + length
        var r = start
        var l = 0
        while r < end {
            let c = JSONBytes.byte(p, r)
            if c != UInt8(ascii: "\\") {
                guard l < literal.count, literal[l] == c else { return false }
                r += 1
                l += 1
                continue
            }
            let (scalar, width) = JSONBytes.decodeEscape(p, r, end)
            var (packed, count) = JSONBytes.encodeUTF8(scalar)
            guard l + count <= literal.count else { return false }
            for _ in 0..<count {
                if literal[l] != UInt8(truncatingIfNeeded: packed) { return false }
                packed >>= 8
                l += 1
            }
            r += width
        }
        return l == literal.count
    }
}
