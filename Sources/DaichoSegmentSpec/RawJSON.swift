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

/// Builds one JSON object member by member.
struct ObjectWriter {
    var out: [UInt8] = [0x7B]
    /// The keys written: a list while short (most objects: comparing a few strings beats hashing each), a set
    /// once longer.
    private var keys: [String] = []
    private var manyKeys: Set<String>?

    /// Whether `key` was written.
    func has(_ key: String) -> Bool { manyKeys?.contains(key) ?? keys.contains(key) }

    private mutating func key(_ k: String) {
        if !keys.isEmpty || manyKeys != nil { out.append(0x2C) }
        if manyKeys != nil { manyKeys!.insert(k) }
        else {
            keys.append(k)
            if keys.count > 16 { manyKeys = Set(keys); keys = [] }
        }
        JSONWriter.appendString(k, to: &out)
        out.append(0x3A)
    }

    mutating func raw(_ k: String, _ json: RawJSON, _ i: Int) { key(k); json.append(i, to: &out) }
    mutating func string(_ k: String, _ v: String) { key(k); JSONWriter.appendString(v, to: &out) }
    mutating func bytes(_ k: String, _ v: [UInt8]) { key(k); out.append(contentsOf: v) }
    mutating func bool(_ k: String, _ v: Bool) { key(k); out.append(contentsOf: Array((v ? "true" : "false").utf8)) }
    mutating func double(_ k: String, _ v: Double) { key(k); JSONWriter.appendDouble(v, to: &out) }

    /// The object's bytes.
    mutating func finish() -> [UInt8] {
        out.append(0x7D)
        return out
    }
}
