import Foundation

// Encoder of the batch payload. See docs/event-encoding.md.

/// Accumulates binary-encoded events for one frame payload: a record at a time, then `makePayload`.
/// Reused across batches (call `reset`) so the ingest hot path does not allocate per event.
public struct BatchBuilder: Sendable {
    var interner = StringInterner()
    /// Finished records, each `record_length` + body, concatenated.
    private(set) var records: [UInt8] = []
    /// Start of each finished record in `records`, plus its event time, id fingerprint and NDJSON size.
    private(set) var recordStarts: [Int] = []
    private(set) var times: [Int64] = []
    private(set) var fingerprints: [UInt64] = []
    private(set) var sourceSizes: [Int] = []
    private var body: [UInt8] = []
    private var baseTime: Int64 = 0

    public init() {
        records.reserveCapacity(1 << 20)
        body.reserveCapacity(4096)
    }

    /// Number of finished records.
    public var count: Int { recordStarts.count }

    /// The id fingerprint of record `i` (XXH64 of the event id bytes).
    public func fingerprint(_ i: Int) -> UInt64 { fingerprints[i] }

    /// Forgets every record and dynamic string, keeping capacity.
    public mutating func reset() {
        interner.reset()
        records.removeAll(keepingCapacity: true)
        recordStarts.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        fingerprints.removeAll(keepingCapacity: true)
        sourceSizes.removeAll(keepingCapacity: true)
    }

    /// Starts a record: type, time, the producer's id and source ref (0 = none).
    public mutating func beginRecord(type: EventType, at: Int64, utcOffsetMinutes: Int16,
                                     id: UnsafeRawBufferPointer, source: UInt32) {
        if recordStarts.isEmpty { baseTime = at }
        body.removeAll(keepingCapacity: true)
        body.append(type.rawValue)
        appendVarint(zigzag(at &- baseTime), to: &body)
        appendVarint(zigzag(Int64(utcOffsetMinutes)), to: &body)
        appendVarint(UInt64(id.count), to: &body)
        body.append(contentsOf: id)
        appendVarint(UInt64(source), to: &body)
        times.append(at)
        fingerprints.append(XXHash64.hash(id))
    }

    /// The ref of a string in this batch (interning it).
    public mutating func ref(_ bytes: UnsafeRawBufferPointer) -> UInt32 { interner.ref(for: bytes) }

    /// Writes the identifier count; follow with `identifier` calls.
    public mutating func beginIdentifiers(count: Int) { appendVarint(UInt64(count), to: &body) }

    /// Writes one identifier: kind code, normalized value and raw value (stored only when different).
    public mutating func identifier(kind: UInt8, normalized: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer) {
        body.append(kind)
        appendVarint(UInt64(ref(normalized)), to: &body)
        let same = normalized.count == raw.count
            && (raw.count == 0 || memcmp(normalized.baseAddress!, raw.baseAddress!, raw.count) == 0)
        appendVarint(same ? 0 : UInt64(ref(raw)), to: &body)
    }

    // Values (props). Tags per docs/event-encoding.md "value".
    public mutating func writeNull() { body.append(ValueTag.null.rawValue) }
    public mutating func writeBool(_ b: Bool) { body.append(b ? ValueTag.true.rawValue : ValueTag.false.rawValue) }
    public mutating func writeInt(_ v: Int64) { body.append(ValueTag.int.rawValue); appendVarint(zigzag(v), to: &body) }
    public mutating func writeDouble(_ v: Double) {
        body.append(ValueTag.double.rawValue)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) }
    }
    public mutating func writeString(_ bytes: UnsafeRawBufferPointer) {
        body.append(ValueTag.string.rawValue)
        appendVarint(UInt64(ref(bytes)), to: &body)
    }
    public mutating func writeStringRef(_ ref: UInt32) {
        body.append(ValueTag.string.rawValue)
        appendVarint(UInt64(ref), to: &body)
    }
    public mutating func beginArray(count: Int) { body.append(ValueTag.array.rawValue); appendVarint(UInt64(count), to: &body) }
    public mutating func beginObject(count: Int) { body.append(ValueTag.object.rawValue); appendVarint(UInt64(count), to: &body) }
    /// Writes an object member's key; follow with its value.
    /// - Returns: the key's ref.
    @discardableResult
    public mutating func writeKey(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let r = ref(bytes)
        appendVarint(UInt64(r), to: &body)
        return r
    }
    public mutating func writeKeyRef(_ ref: UInt32) { appendVarint(UInt64(ref), to: &body) }

    /// Finishes the current record; `sourceBytes` is the size of the NDJSON line it came from.
    public mutating func endRecord(sourceBytes: Int) {
        recordStarts.append(records.count)
        appendVarint(UInt64(body.count), to: &records)
        records.append(contentsOf: body)
        sourceSizes.append(sourceBytes)
    }

    /// Drops the record begun by `beginRecord` instead of finishing it. Strings it interned stay in the
    /// string table (unreferenced, which the format allows); no record is added.
    public mutating func abandonRecord() {
        times.removeLast()
        fingerprints.removeLast()
    }

    /// What `makePayload` produced besides the bytes.
    public struct PayloadSummary: Sendable, Equatable {
        public var records: Int
        public var firstEventTime: Int64
        public var maxEventTime: Int64
        public var sourceBytes: Int
    }

    /// Writes the payload of the records for which `keep` is true (all by default) into `out` (cleared first).
    /// - Returns: the count and times of the kept records; `records == 0` means there is nothing to append.
    @discardableResult
    public func makePayload(into out: inout [UInt8], keep: (Int) -> Bool = { _ in true }) -> PayloadSummary {
        out.removeAll(keepingCapacity: true)
        var kept = 0, first: Int64 = 0, maxTime = Int64.min, source = 0
        for i in 0..<recordStarts.count where keep(i) {
            if kept == 0 { first = times[i] }
            kept += 1
            maxTime = max(maxTime, times[i])
            source += sourceSizes[i]
        }
        let summary = PayloadSummary(records: kept, firstEventTime: first, maxEventTime: kept == 0 ? 0 : maxTime, sourceBytes: source)
        guard kept > 0 else { return summary }
        out.reserveCapacity(records.count + interner.blob.count + interner.dynamicCount * 2 + 64)
        out.append(BatchFormat.version)
        appendVarint(UInt64(kept), to: &out)
        appendVarint(zigzag(baseTime), to: &out)
        appendVarint(UInt64(source), to: &out)
        appendVarint(UInt64(interner.dynamicCount), to: &out)
        var previous: UInt32 = 0
        for end in interner.ends {
            appendVarint(UInt64(end - previous), to: &out)
            previous = end
        }
        out.append(contentsOf: interner.blob)
        if kept == recordStarts.count {
            out.append(contentsOf: records)
        } else {
            records.withUnsafeBytes { r in
                for i in 0..<recordStarts.count where keep(i) {
                    let end = i + 1 < recordStarts.count ? recordStarts[i + 1] : records.count
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: r[recordStarts[i]..<end]))
                }
            }
        }
        return summary
    }
}

/// Constants of the batch payload format.
public enum BatchFormat {
    /// The payload version written in the first byte.
    public static let version: UInt8 = 1
}

/// Value tags of the batch encoding.
public enum ValueTag: UInt8, Sendable {
    case null = 0, `false` = 1, `true` = 2, int = 3, double = 4, string = 5, array = 6, object = 7
}
