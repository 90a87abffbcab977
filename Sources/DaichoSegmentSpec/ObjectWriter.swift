import DaichoJSON

/// Builds one JSON object member by member.
///
/// Keys are compared as `String`s compare (canonically), as the mapping always compared them, but without making
/// a `String` while every key is plain: ASCII with nothing to escape, so its bytes in `out` are its text and byte
/// equality is `String` equality. Most objects are all plain and small: their keys are found in `out` and compared
/// in place. The first key that is not plain, or the 17th, turns the writer to a list (then a set) of `String`s.
struct ObjectWriter {
    var out: [UInt8] = [0x7B]
    /// Where each key's text is in `out`, while every key is plain and there are at most 16; nil after.
    private var plain: [Range<Int>]? = []
    /// The keys written, once `plain` is nil: a list while short, a set once longer.
    private var keys: [String] = []
    private var manyKeys: Set<String>?
    private var isEmpty = true

    /// Whether the next key may be written in `plain` mode (when it is plain).
    private var takesPlain: Bool { (plain?.count ?? 16) < 16 }

    /// Whether the bytes of `text` are a plain key.
    private static func isPlain(_ text: UnsafeRawBufferPointer) -> Bool {
        !text.contains { $0 >= 0x80 || $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
    }

    /// Whether a plain key with the bytes `text` was written (`plain` mode).
    private func hasPlain(_ text: UnsafeRawBufferPointer, _ plain: [Range<Int>]) -> Bool {
        out.withUnsafeBytes { o in
            plain.contains { r in r.count == text.count && UnsafeRawBufferPointer(rebasing: o[r]).elementsEqual(text) }
        }
    }

    /// Whether `key` was written.
    func has(_ key: String) -> Bool {
        guard let plain else { return manyKeys?.contains(key) ?? keys.contains(key) }
        var utf8 = key
        return utf8.withUTF8 { k in
            let text = UnsafeRawBufferPointer(k)
            if Self.isPlain(text) { return hasPlain(text, plain) }
            return plain.contains { String(decoding: out[$0], as: UTF8.self) == key }
        }
    }

    /// Whether key token `k` of `json` was written.
    func has(key k: Int, of json: RawJSON) -> Bool {
        guard let plain, json.isPlain(k) else { return has(json.string(k)) }
        return json.bytes.withUnsafeBytes { hasPlain(UnsafeRawBufferPointer(rebasing: $0[json.plainBytes(k)]), plain) }
    }

    /// Leaves `plain` mode: the keys written become `String`s.
    private mutating func keepStrings() {
        guard let ranges = plain else { return }
        plain = nil
        keys = ranges.map { String(decoding: out[$0], as: UTF8.self) }
    }

    /// Writes the separator and the key `prefix` + `text` (the bytes of a plain key), recording it in `plain` mode.
    private mutating func plainKey(_ prefix: String, _ text: UnsafeRawBufferPointer) {
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        out.append(0x22)
        let start = out.count
        out.append(contentsOf: prefix.utf8)
        out.append(contentsOf: text)
        plain!.append(start..<out.count)
        out.append(contentsOf: [0x22, 0x3A])
    }

    private mutating func key(_ k: String) {
        if takesPlain {
            var k = k
            let done = k.withUTF8 { text -> Bool in
                guard Self.isPlain(UnsafeRawBufferPointer(text)) else { return false }
                plainKey("", UnsafeRawBufferPointer(text))
                return true
            }
            if done { return }
        }
        keepStrings()
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        if manyKeys != nil { manyKeys!.insert(k) }
        else {
            keys.append(k)
            if keys.count > 16 { manyKeys = Set(keys); keys = [] }
        }
        JSONWriter.appendString(k, to: &out)
        out.append(0x3A)
    }

    /// Writes member `k` of `json` (its key token) with value token `v`, the key as `prefix` + key when `prefix`
    /// is given and the key was written already.
    mutating func member(_ json: RawJSON, key k: Int, value v: Int, prefixWhenTaken prefix: String? = nil) {
        let taken = prefix != nil && has(key: k, of: json)
        if takesPlain && json.isPlain(k) {
            json.bytes.withUnsafeBytes { plainKey(taken ? prefix! : "", UnsafeRawBufferPointer(rebasing: $0[json.plainBytes(k)])) }
        } else {
            let name = json.string(k)
            key(taken ? prefix! + name : name)
        }
        json.append(v, to: &out)
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
