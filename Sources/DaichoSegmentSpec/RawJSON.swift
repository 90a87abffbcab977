import DaichoJSON

/// A parsed JSON document and the bytes it came from: values are copied into the envelope as their original
/// text (numbers keep their literal, so ingest applies its own number rules to exactly what the sender wrote).
struct RawJSON {
    let bytes: [UInt8]
    let tape: JSONTape

    /// - Throws: `JSONError` when `bytes` is not one JSON value.
    init(_ bytes: [UInt8]) throws(JSONError) {
        self.bytes = bytes
        var tape = JSONTape()
        let parser = JSONParser()
        let result: Result<Void, JSONError> = bytes.withUnsafeBytes { raw in
            do throws(JSONError) { try parser.parse(raw, into: &tape); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
        self.tape = tape
    }

    func kind(_ i: Int) -> JSONKind { tape[i].kind }

    /// The members of object token `i`: (key, value token).
    func members(_ i: Int) -> [(key: String, value: Int)] {
        guard tape[i].kind == .object else { return [] }
        var out: [(key: String, value: Int)] = []
        out.reserveCapacity(Int(tape[i].length))
        var k = i + 1
        for _ in 0..<tape[i].length {
            out.append((string(k), k + 1))
            k = Int(tape[k + 1].end)
        }
        return out
    }

    /// The members of object token `i`: (key token, value token). The keys stay in the bytes: `key(_:isIn:)`
    /// compares one and `ObjectWriter` writes one without making a `String` of a plain key.
    func memberTokens(_ i: Int) -> [(key: Int, value: Int)] {
        guard tape[i].kind == .object else { return [] }
        var out: [(key: Int, value: Int)] = []
        out.reserveCapacity(Int(tape[i].length))
        var k = i + 1
        for _ in 0..<tape[i].length {
            out.append((k, k + 1))
            k = Int(tape[k + 1].end)
        }
        return out
    }

    /// Whether string token `k` is plain: ASCII without escapes, so its bytes are its text, and two plain keys
    /// are equal as `String`s exactly when their bytes are (other keys: Swift compares `String`s canonically —
    /// `é` equals `e` + U+0301, U+212A KELVIN SIGN equals `K` —, so those are compared as `String`s).
    func isPlain(_ k: Int) -> Bool { tape[k].flags & (JSONToken.hasEscapes | JSONToken.nonASCII) == 0 }

    /// The bytes of plain string token `k`, without its quotes.
    func plainBytes(_ k: Int) -> Range<Int> { Int(tape[k].start)..<(Int(tape[k].start) + Int(tape[k].length)) }

    /// Whether key token `k` is one of `names`, compared as the `String`s would be.
    func key(_ k: Int, isIn names: some Collection<String>) -> Bool {
        guard isPlain(k) else { return names.contains(string(k)) }
        return bytes.withUnsafeBytes { raw in
            names.contains { name in
                var name = name
                return name.withUTF8 { tape.string(k, in: raw, equalsUTF8: UnsafeRawBufferPointer($0)) }
            }
        }
    }

    /// The elements of array token `i`.
    func elements(_ i: Int) -> [Int] {
        guard tape[i].kind == .array else { return [] }
        var out: [Int] = []
        var k = i + 1
        for _ in 0..<tape[i].length {
            out.append(k)
            k = Int(tape[k].end)
        }
        return out
    }

    /// The value of `key` in object token `i` (the first, if repeated).
    func member(_ i: Int?, _ key: String) -> Int? {
        guard let i, tape[i].kind == .object else { return nil }
        var key = key
        return key.withUTF8 { k in
            bytes.withUnsafeBytes { raw -> Int? in
                var t = i + 1
                for _ in 0..<tape[i].length {
                    if tape.string(t, in: raw, equalsUTF8: UnsafeRawBufferPointer(k)) { return t + 1 }
                    t = Int(tape[t + 1].end)
                }
                return nil
            }
        }
    }

    /// The unescaped text of string token `i`.
    func string(_ i: Int) -> String { bytes.withUnsafeBytes { tape.string(i, in: $0) } }

    /// The string at token `i` when it is a non-empty string; a number's literal text when `numbers`.
    func text(_ i: Int?, numbers: Bool = false) -> String? {
        guard let i else { return nil }
        switch tape[i].kind {
        case .string:
            let s = string(i)
            return s.isEmpty ? nil : s
        case .number where numbers:
            return String(decoding: bytes[raw(i)], as: UTF8.self)
        default:
            return nil
        }
    }

    func double(_ i: Int?) -> Double? {
        guard let i, tape[i].kind == .number else { return nil }
        return bytes.withUnsafeBytes { tape.double(i, in: $0) }
    }

    /// The byte range of token `i`'s whole value as written.
    func raw(_ i: Int) -> Range<Int> {
        let t = tape[i]
        switch t.kind {
        case .string: return (Int(t.start) - 1)..<(Int(t.start) + Int(t.length) + 1)
        case .number, .true, .false, .null: return Int(t.start)..<(Int(t.start) + Int(t.length))
        case .object, .array:
            // Validated JSON: the matching bracket is found by counting, skipping strings.
            var depth = 0, p = Int(t.start), inString = false
            while p < bytes.count {
                let b = bytes[p]
                if inString {
                    if b == 0x5C { p += 1 } else if b == 0x22 { inString = false }
                } else if b == 0x22 {
                    inString = true
                } else if b == 0x7B || b == 0x5B {
                    depth += 1
                } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return Int(t.start)..<(p + 1) }
                }
                p += 1
            }
            return Int(t.start)..<bytes.count
        }
    }

    /// Appends token `i`'s value as written.
    func append(_ i: Int, to out: inout [UInt8]) { out.append(contentsOf: bytes[raw(i)]) }
}
