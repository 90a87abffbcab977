import DaichoJSON

// The canonical NDJSON form of an event, as `daicho export` writes it (docs/ingest.md "Export").

/// Writes events as canonical envelope JSON: fields in the order offset, id, type, at, source, ids, props;
/// `at` in the producer's UTC offset; identifiers with their raw values (so appending the output again
/// reproduces the same events) unless `normalizedIdentifiers` is set.
public struct EventJSONWriter: Sendable {
    public var normalizedIdentifiers: Bool

    public init(normalizedIdentifiers: Bool = false) { self.normalizedIdentifiers = normalizedIdentifiers }

    /// Appends one line (with "\n") for `event`, with `"offset"` first when given.
    public func append(_ event: Event, offset: UInt64?, extra: [(String, String)] = [], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if let offset {
            key("offset", &out)
            JSONWriter.appendInt(Int64(offset), to: &out)
            out.append(UInt8(ascii: ","))
        }
        key("id", &out); string(event.id, &out)
        out.append(UInt8(ascii: ","))
        key("type", &out); string(event.type.name, &out)
        out.append(UInt8(ascii: ","))
        key("at", &out)
        out.append(UInt8(ascii: "\""))
        RFC3339.format(micros: event.at, offsetMinutes: event.utcOffsetMinutes, into: &out)
        out.append(UInt8(ascii: "\""))
        if let source = event.source {
            out.append(UInt8(ascii: ","))
            key("source", &out); string(source, &out)
        }
        out.append(UInt8(ascii: ","))
        key("ids", &out)
        out.append(UInt8(ascii: "{"))
        for (i, id) in event.identifiers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            key(id.kind.name, &out)
            string(normalizedIdentifiers ? id.normalized : id.raw, &out)
        }
        out.append(UInt8(ascii: "}"))
        if let props = event.props {
            out.append(UInt8(ascii: ","))
            key("props", &out)
            Self.appendValue(props, to: &out)
        }
        for (k, v) in extra {
            out.append(UInt8(ascii: ","))
            key(k, &out); string(v, &out)
        }
        out.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
    }

    /// One line for `event` as a String (convenience).
    public func line(_ event: Event, offset: UInt64? = nil) -> String {
        var out: [UInt8] = []
        append(event, offset: offset, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a JSON value.
    public static func appendValue(_ v: JSONValue, to out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONWriter.appendInt(i, to: &out)
        case .double(let d): JSONWriter.appendDouble(d, to: &out)
        case .string(let s): var s = s; s.withUTF8 { JSONWriter.appendString(UnsafeRawBufferPointer($0), to: &out) }
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                var k = m.key
                k.withUTF8 { JSONWriter.appendString(UnsafeRawBufferPointer($0), to: &out) }
                out.append(UInt8(ascii: ":"))
                appendValue(m.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func key(_ k: String, _ out: inout [UInt8]) {
        string(k, &out)
        out.append(UInt8(ascii: ":"))
    }

    private func string(_ s: String, _ out: inout [UInt8]) {
        var s = s
        s.withUTF8 { JSONWriter.appendString(UnsafeRawBufferPointer($0), to: &out) }
    }
}

/// Encodes `Event` values (library appends) through the same validation and normalization as NDJSON ingest,
/// by writing their canonical JSON and encoding that: one rule set, never two.
struct EventValueEncoder {
    private var lineEncoder: EventLineEncoder
    private let writer = EventJSONWriter()
    private var line: [UInt8] = []

    init(normalizer: IdentifierNormalizer, acceptsInternalTypes: Bool = false) {
        lineEncoder = EventLineEncoder(normalizer: normalizer)
        lineEncoder.acceptsInternalTypes = acceptsInternalTypes
    }

    /// Encodes `event` into `builder`; returns the rejection reason instead when it is invalid.
    mutating func encode(_ event: Event, into builder: inout BatchBuilder) -> String? {
        // JSON has no form for NaN or ±infinity (the writer would print null): refuse them as ingest refuses 1e400.
        if let props = event.props, let (path, value) = Self.firstNonFinite(props) {
            return "\"props\(path)\": " + (value.isNaN ? "not a number (NaN), which JSON cannot hold" : RejectHints.numberOutOfRange(value))
        }
        line.removeAll(keepingCapacity: true)
        writer.append(event, offset: nil, to: &line)
        line.removeLast() // the newline
        return line.withUnsafeBytes { lineEncoder.encode(line: $0, into: &builder) }
    }

    /// The path (below `value`, e.g. `.items[2].price`) and value of the first NaN or infinite double in `value`,
    /// depth first. The path is built only for a hit, so checking finite props allocates nothing.
    static func firstNonFinite(_ value: JSONValue) -> (String, Double)? {
        switch value {
        case .double(let d) where !d.isFinite: return ("", d)
        case .array(let elements):
            for (i, e) in elements.enumerated() { if let (path, d) = firstNonFinite(e) { return ("[\(i)]" + path, d) } }
        case .object(let members):
            for m in members { if let (path, d) = firstNonFinite(m.value) { return ("." + m.key + path, d) } }
        default: break
        }
        return nil
    }
}
