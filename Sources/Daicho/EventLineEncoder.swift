import Foundation
import DaichoJSON

// Validation and binary encoding of one NDJSON envelope line. Rules: docs/ingest.md "Validation";
// schemas/envelope.schema.json states the same rules for other tools (a test checks they agree).

/// Turns one NDJSON line into one record of a `BatchBuilder`, or says precisely why it cannot.
/// Validates the envelope and identifiers first, then encodes while checking the props in the same walk;
/// a line rejected there is abandoned, so a rejected line never leaves a record in the batch.
/// One per thread; reuses its buffers, so the hot path does not allocate.
public struct EventLineEncoder {
    /// The longest line accepted, in bytes (docs/ingest.md).
    public static let defaultMaxLineBytes = 1 << 20
    /// The longest event id accepted, in bytes.
    public static let maxIDBytes = 1024

    public let maxLineBytes: Int
    /// Accept Daicho's internal types (`EventType.isInternal`); only the library's own writers set it.
    public var acceptsInternalTypes = false
    let normalizer: IdentifierNormalizer
    private let parser = JSONParser(maxDepth: 64)
    private var tape = JSONTape(reservingCapacity: 256)
    private var scratch: [UInt8] = []
    /// Normalized identifier values of the current line, back to back, and where each one is.
    private var normalized: [UInt8] = []
    private var identifiers: [(kind: UInt8, raw: Int, start: Int, end: Int)] = []
    /// By static ref, the token index of the first top-level props value with that key, or -1 (`PropsRules`).
    private var members = [Int32](repeating: -1, count: Int(StaticStrings.count))
    /// The first duplicate key found in the props: the object's token index and the repeated key's token index.
    private var duplicate: (object: Int, key: Int)?
    /// The token index of the first props number that no `Double` holds (docs/ingest.md "Numbers"), or -1.
    private var outOfRange = -1
    /// The latest event time accepted, in µs since the epoch: the arrival time plus the allowed skew
    /// (docs/ingest.md "Time"); `Int64.max` accepts any time. Set by `setArrival(_:maxFutureSkew:)`.
    private var latestAcceptedMicros = Int64.max
    /// The arrival time and skew `latestAcceptedMicros` was computed from, for the reason text.
    private var arrival: (micros: Int64, skew: Int64) = (0, 0)

    public init(normalizer: IdentifierNormalizer = IdentifierNormalizer(), maxLineBytes: Int = defaultMaxLineBytes) {
        self.normalizer = normalizer
        self.maxLineBytes = maxLineBytes
        scratch.reserveCapacity(1024)
        normalized.reserveCapacity(1024)
    }

    /// Rejects from now on every event whose `at` lies more than `maxFutureSkew` µs after `arrivalMicros`
    /// (docs/ingest.md "Time"); nil accepts any time. The ingest calls it once per chunk with the wall clock.
    public mutating func setArrival(_ arrivalMicros: Int64, maxFutureSkew: Int64?) {
        arrival = (arrivalMicros, maxFutureSkew ?? 0)
        latestAcceptedMicros = maxFutureSkew.map { arrivalMicros.addingReportingOverflow($0).overflow ? .max : arrivalMicros + $0 } ?? .max
    }

    /// Validates and encodes `line` (without its newline) as one record of `builder`.
    /// - Returns: nil when encoded, else the reason the line is rejected (no customer data in full).
    public mutating func encode(line: UnsafeRawBufferPointer, into builder: inout BatchBuilder) -> String? {
        if line.count > maxLineBytes {
            return "line is \(line.count) bytes, longer than the maximum of \(maxLineBytes)"
        }
        do throws(JSONError) {
            try parser.parse(line, into: &tape)
        } catch {
            // The parser validates UTF-8 inside strings; say so plainly (docs/ingest.md "Reasons").
            let reason = error.reason.contains("UTF-8") ? "not valid UTF-8 (at byte \(error.position))" : error.description
            return reason + RejectHints.lineShape(line)
        }
        let envelope: Envelope
        switch validate(line) {
        case .success(let e): envelope = e
        case .failure(let reason): return reason.text
        }
        return write(envelope, line: line, into: &builder)?.text
    }

    // MARK: - Validation

    /// Token indices of the envelope's fields and what was parsed from them.
    struct Envelope {
        var id = -1, type = -1, at = -1, source = -1, ids = -1, props = -1
        var eventType = EventType.track
        var micros: Int64 = 0
        var offsetMinutes: Int16 = 0
    }

    /// A rejection reason; built only on the (rare) rejected path.
    struct Reason: Error { var text: String }

    private mutating func validate(_ line: UnsafeRawBufferPointer) -> Result<Envelope, Reason> {
        let root = tape[0]
        guard root.kind == .object else { return .failure(Reason(text: "not a JSON object" + RejectHints.lineShape(line))) }
        var e = Envelope()
        var i = 1
        let end = Int(root.end)
        while i < end {
            let key = i, value = i + 1
            let previous: Int
            if tape.string(key, in: line, equals: "id") { previous = e.id; e.id = value }
            else if tape.string(key, in: line, equals: "type") { previous = e.type; e.type = value }
            else if tape.string(key, in: line, equals: "at") { previous = e.at; e.at = value }
            else if tape.string(key, in: line, equals: "ids") { previous = e.ids; e.ids = value }
            else if tape.string(key, in: line, equals: "props") { previous = e.props; e.props = value }
            else if tape.string(key, in: line, equals: "source") { previous = e.source; e.source = value }
            else if tape.string(key, in: line, equals: "offset") {
                // Export annotations: checked, then ignored, so exported NDJSON can be appended again.
                guard tape[value].kind == .number, let o = tape.int64(value, in: line), o >= 0 else {
                    return .failure(Reason(text: "\"offset\": expected an integer >= 0"))
                }
                previous = -1
            } else if tape.string(key, in: line, equals: "profile") {
                guard tape[value].kind == .string else { return .failure(Reason(text: "\"profile\": expected a string")) }
                previous = -1
            } else {
                return .failure(Reason(text: "unknown field \(quoted(key, line))"
                                       + RejectHints.didYouMean(tape.string(key, in: line), among: RejectHints.envelopeFields)))
            }
            if previous >= 0 { return .failure(Reason(text: "duplicate field \(quoted(key, line))")) }
            i = Int(tape[value].end)
        }
        guard e.id >= 0 else { return .failure(Reason(text: "missing field \"id\"")) }
        guard e.type >= 0 else { return .failure(Reason(text: "missing field \"type\"")) }
        guard e.at >= 0 else { return .failure(Reason(text: "missing field \"at\"")) }
        guard e.ids >= 0 else { return .failure(Reason(text: "missing field \"ids\"")) }

        let idToken = tape[e.id]
        guard idToken.kind == .string, idToken.length > 0 else { return .failure(Reason(text: "\"id\": expected a non-empty string")) }
        let (idBytes, reservedID) = withString(e.id, line) { ($0.count, LostOffsets.isReservedID($0)) }
        guard idBytes <= Self.maxIDBytes else {
            return .failure(Reason(text: "\"id\" is \(idBytes) bytes, longer than the maximum of \(Self.maxIDBytes)"))
        }
        if reservedID && !acceptsInternalTypes {
            return .failure(Reason(text: "\"id\" starts with \"\(LostOffsets.idPrefix)\", which is reserved for the records `daicho repair` keeps in place of lost offsets; give the event another id"))
        }

        guard tape[e.type].kind == .string else { return .failure(Reason(text: "\"type\": expected a string")) }
        guard let type = withString(e.type, line, { EventType.lookup($0) }) else {
            return .failure(Reason(text: "unknown type \(quoted(e.type, line))" + RejectHints.didYouMean(
                tape.string(e.type, in: line), among: EventType.allCases.filter { !$0.isInternal }.map(\.name))))
        }
        if type.isInternal && !acceptsInternalTypes {
            return .failure(Reason(text: "type \(quoted(e.type, line)) is internal: Daicho writes it itself (`daicho segment`), input files cannot"))
        }
        e.eventType = type

        guard tape[e.at].kind == .string else { return .failure(Reason(text: "\"at\": expected a string")) }
        guard let time = withString(e.at, line, { RFC3339.parse($0) }) else {
            return .failure(Reason(text: "\"at\": \(quoted(e.at, line)) is not an RFC 3339 time"
                                   + RejectHints.time(tape.string(e.at, in: line))))
        }
        if time.micros > latestAcceptedMicros {
            return .failure(Reason(text: "\"at\": \(quoted(e.at, line)) is "
                                   + "\(RejectHints.duration(time.micros - arrival.micros)) ahead of arrival "
                                   + "(maximum \(RejectHints.skew(arrival.skew)); daicho.json max_future_skew)"))
        }
        e.micros = time.micros
        e.offsetMinutes = time.offsetMinutes

        if e.source >= 0 {
            let s = tape[e.source]
            guard s.kind == .string, s.length > 0 else { return .failure(Reason(text: "\"source\": expected a non-empty string")) }
        }
        if case .failure(let r) = validateIdentifiers(e.ids, type: type, line) { return .failure(r) }
        if e.props >= 0 {
            guard tape[e.props].kind == .object else {
                return .failure(Reason(text: "\"props\": expected an object"))
            }
        }
        return .success(e)
    }

    private mutating func validateIdentifiers(_ ids: Int, type: EventType, _ line: UnsafeRawBufferPointer) -> Result<Void, Reason> {
        let t = tape[ids]
        guard t.kind == .object else { return .failure(Reason(text: "\"ids\": expected an object")) }
        if type.isInternal {
            identifiers.removeAll(keepingCapacity: true)
            return t.length == 0 ? .success(()) : .failure(Reason(text: "\"ids\": internal events carry no identifiers"))
        }
        guard t.length > 0 else { return .failure(Reason(text: "\"ids\" names no identifier")) }
        if type == .link && t.length < 2 {
            return .failure(Reason(text: "link needs at least 2 identifiers in \"ids\""))
        }
        normalized.removeAll(keepingCapacity: true)
        identifiers.removeAll(keepingCapacity: true)
        var i = ids + 1
        while i < Int(t.end) {
            let key = i, value = i + 1
            guard let kind = withString(key, line, { IdentifierKind.lookup($0) }) else {
                return .failure(Reason(text: "unknown identifier kind \(quoted(key, line))"
                                       + RejectHints.didYouMean(tape.string(key, in: line), among: IdentifierKind.all.map(\.name))))
            }
            if identifiers.contains(where: { $0.kind == kind.code }) {
                return .failure(Reason(text: "duplicate field \"\(kind.name)\" in ids"))
            }
            let v = tape[value]
            guard v.kind == .string, v.length > 0 else {
                return .failure(Reason(text: "\"ids.\(kind.name)\": expected a non-empty string"))
            }
            let start = normalized.count
            let failure: NormalizationFailure?
            if v.flags & JSONToken.hasEscapes == 0 {
                failure = normalizer.normalize(UnsafeRawBufferPointer(rebasing: line[Int(v.start)..<Int(v.start + v.length)]),
                                               kind: kind, into: &normalized)
            } else {
                scratch.removeAll(keepingCapacity: true)
                tape.appendString(value, in: line, to: &scratch)
                failure = scratch.withUnsafeBytes { normalizer.normalize($0, kind: kind, into: &normalized) }
            }
            if let failure {
                return .failure(Reason(text: "\"ids.\(kind.name)\" \(failure.reason)"))
            }
            identifiers.append((kind.code, value, start, normalized.count))
            i = Int(tape[value].end)
        }
        return refusedWhole()
    }

    /// Fails when every identifier is refused (`IdentifierRefusal`, docs/identity.md "Refused identifiers"): the
    /// event would belong to no customer. One refused identifier among others is kept; the graph ignores it.
    private func refusedWhole() -> Result<Void, Reason> {
        var first: (kind: UInt8, reason: RefusalReason)?
        let all = normalized.withUnsafeBytes { n in
            identifiers.allSatisfy { ident in
                let value = UnsafeRawBufferPointer(rebasing: n[ident.start..<ident.end])
                guard let r = IdentifierRefusal.defaultReason(kind: IdentifierKind.all[Int(ident.kind)], normalized: value) else { return false }
                if first == nil { first = (ident.kind, r) }
                return true
            }
        }
        guard all, let first else { return .success(()) }
        let more = identifiers.count > 1 ? " (and so is every other identifier)" : ""
        return .failure(Reason(text: "\"ids.\(IdentifierKind.all[Int(first.kind)].name)\" \(first.reason.reason)\(more); the event names no customer"))
    }

    // MARK: - Encoding

    /// Encodes the validated envelope and checks the props (`PropsRules`, duplicate keys) on the way.
    /// - Returns: nil when the record is finished, else why the props are rejected (the record is abandoned).
    private mutating func write(_ e: Envelope, line: UnsafeRawBufferPointer, into builder: inout BatchBuilder) -> Reason? {
        let source: UInt32 = e.source >= 0 ? withString(e.source, line) { builder.ref($0) } : 0
        withString(e.id, line) { id in
            builder.beginRecord(type: e.eventType, at: e.micros, utcOffsetMinutes: e.offsetMinutes, id: id, source: source)
        }
        builder.beginIdentifiers(count: identifiers.count)
        let values = normalized, identifiers = self.identifiers // locals: withString mutates self's scratch
        values.withUnsafeBytes { n in
            for ident in identifiers {
                withString(ident.raw, line) { raw in
                    builder.identifier(kind: ident.kind, normalized: UnsafeRawBufferPointer(rebasing: n[ident.start..<ident.end]), raw: raw)
                }
            }
        }
        for k in members.indices { members[k] = -1 }
        duplicate = nil
        outOfRange = -1
        if e.props >= 0 { writeValue(e.props, line, &builder, resolvingMembers: true) } else { builder.writeNull() }
        let checked = members.withUnsafeBufferPointer {
            PropsRules.check(type: e.eventType, props: e.props, members: $0, tape: tape, line: line)
        }
        if case .failure(let reason) = checked {
            builder.abandonRecord()
            return reason
        }
        if let duplicate {
            builder.abandonRecord()
            return Reason(text: "\"props\": duplicate key \(quoted(duplicate.key, line))")
        }
        if outOfRange >= 0 {
            builder.abandonRecord()
            return Reason(text: "\"\(path(to: outOfRange, from: e.props, line))\": " + RejectHints.numberOutOfRange(
                tape.double(outOfRange, in: line)))
        }
        builder.endRecord(sourceBytes: line.count + 1)
        return nil
    }

    /// Writes token `i` and its children, noting the first duplicate key of any object (in token order).
    /// - Parameter resolvingMembers: record the first value of each static key in `members` (the props object).
    private mutating func writeValue(_ i: Int, _ line: UnsafeRawBufferPointer, _ builder: inout BatchBuilder,
                                     resolvingMembers: Bool = false) {
        let t = tape[i]
        switch t.kind {
        case .null: builder.writeNull()
        case .true: builder.writeBool(true)
        case .false: builder.writeBool(false)
        case .string: withString(i, line) { builder.writeString($0) }
        case .number:
            if t.flags & JSONToken.isInteger != 0, let v = tape.int64(i, in: line) { builder.writeInt(v) }
            else {
                let v = tape.double(i, in: line)
                // Beyond the Double range (±infinity), or a nonzero literal that rounds to 0: refused.
                if outOfRange < 0 && (!v.isFinite || (v == 0 && !tape.isZeroLiteral(i, in: line))) { outOfRange = i }
                builder.writeDouble(v)
            }
        case .array:
            builder.beginArray(count: Int(t.length))
            var j = i + 1
            while j < Int(t.end) { writeValue(j, line, &builder); j = Int(tape[j].end) }
        case .object:
            let count = Int(t.length)
            builder.beginObject(count: count)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { refs in
                var j = i + 1, n = 0
                while j < Int(t.end) {
                    let ref = withString(j, line) { builder.writeKey($0) }
                    refs[n] = ref
                    n += 1
                    if resolvingMembers && ref < StaticStrings.count && members[Int(ref)] < 0 { members[Int(ref)] = Int32(j + 1) }
                    writeValue(j + 1, line, &builder)
                    j = Int(tape[j + 1].end)
                }
                // Equal refs are equal unescaped keys. A nested object finishes before its parent but comes
                // after it in token order, which decides which duplicate is reported: keep the earliest object's.
                guard count > 1, duplicate.map({ $0.object > i }) ?? true else { return }
                for a in 0..<count {
                    for b in (a + 1)..<count where refs[a] == refs[b] {
                        duplicate = (i, keyToken(object: i, member: b))
                        return
                    }
                }
            }
        }
    }

    /// The token index of member `member`'s key in object token `object`.
    private func keyToken(object: Int, member: Int) -> Int {
        var k = object + 1
        for _ in 0..<member { k = Int(tape[k + 1].end) }
        return k
    }

    /// Calls `body` with the unescaped bytes of string token `i`: a slice of the line when it has no escapes.
    private mutating func withString<R>(_ i: Int, _ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let t = tape[i]
        if t.flags & JSONToken.hasEscapes == 0 {
            return body(UnsafeRawBufferPointer(rebasing: line[Int(t.start)..<Int(t.start + t.length)]))
        }
        scratch.removeAll(keepingCapacity: true)
        tape.appendString(i, in: line, to: &scratch)
        return scratch.withUnsafeBytes(body)
    }

    // MARK: - Messages

    /// The JSON path of token `target` inside the props (token `props`), e.g. `props.items[2].price`.
    private func path(to target: Int, from props: Int, _ line: UnsafeRawBufferPointer) -> String {
        var path = "props"
        var container = props
        var found = true
        while container != target && found {
            let t = tape[container]
            var j = container + 1, n = 0
            found = false
            while j < Int(t.end) {
                let value = t.kind == .object ? j + 1 : j
                if target >= value && target < Int(tape[value].end) {
                    path += t.kind == .object ? "." + tape.string(j, in: line) : "[\(n)]"
                    container = value
                    found = true
                    break
                }
                j = Int(tape[value].end)
                n += 1
            }
        }
        return path
    }

    private func quoted(_ i: Int, _ line: UnsafeRawBufferPointer) -> String {
        var bytes: [UInt8] = []
        tape.appendString(i, in: line, to: &bytes)
        return quotedValue(bytes)
    }
}

/// A value quoted for a message, cut at 64 characters. Only used for non-personal fields (types, times, kinds, keys).
func quotedValue(_ bytes: [UInt8]) -> String {
    let s = String(decoding: bytes, as: UTF8.self)
    let cut = s.count > 64 ? String(s.prefix(64)) + "…" : s
    return "\"" + cut.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
