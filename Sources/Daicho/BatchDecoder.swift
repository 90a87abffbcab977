import Foundation

// Decoder of the batch payload. See docs/event-encoding.md.

/// A batch payload that does not follow docs/event-encoding.md.
public struct BatchError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "corrupt event batch: \(message)" }
}

/// One identifier of a decoded event, as string refs into its batch.
public struct DecodedIdentifier: Sendable, Equatable {
    public var kind: UInt8
    public var normalized: UInt32
    /// 0 when the raw value equals the normalized one.
    public var raw: UInt32
}

/// Resolves string refs of one batch to bytes. Valid only while the payload is.
public struct StringTable {
    let blob: UnsafeRawPointer
    let ends: UnsafePointer<UInt32>
    /// Number of dynamic entries.
    public let dynamicCount: Int

    /// True when `ref` names an entry of this batch or the static table (0 included).
    @inline(__always)
    public func isValid(_ ref: UInt64) -> Bool { ref < UInt64(StaticStrings.count) + UInt64(dynamicCount) }

    /// The bytes of `ref` (empty for 0).
    @inline(__always)
    public func bytes(_ ref: UInt32) -> UnsafeRawBufferPointer {
        if ref < StaticStrings.count { return StaticStringStore.bytes(Int(ref)) }
        let d = Int(ref - StaticStrings.count)
        let start = d == 0 ? 0 : Int(ends[d - 1])
        return UnsafeRawBufferPointer(start: blob + start, count: Int(ends[d]) - start)
    }

    /// The text of `ref` (allocates; for export and queries, not replay).
    public func string(_ ref: UInt32) -> String { String(decoding: bytes(ref), as: UTF8.self) }
}

/// The static strings in one contiguous, never-freed block, so refs resolve without allocation.
enum StaticStringStore {
    nonisolated(unsafe) static let storage: (base: UnsafeMutableRawPointer, ends: [Int]) = {
        let total = StaticStrings.utf8.reduce(0) { $0 + $1.count }
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 8)
        var ends: [Int] = []
        var at = 0
        for s in StaticStrings.utf8 {
            s.withUnsafeBytes { (base + at).copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(base), byteCount: $0.count) }
            at += s.count
            ends.append(at)
        }
        return (base, ends)
    }()

    @inline(__always)
    static func bytes(_ i: Int) -> UnsafeRawBufferPointer {
        let start = i == 0 ? 0 : storage.ends[i - 1]
        return UnsafeRawBufferPointer(start: storage.base + start, count: storage.ends[i] - start)
    }
}

/// A decoded event inside a batch: fixed fields decoded, props left in place until asked for.
/// Valid only inside the `BatchDecoder.forEach` callback.
public struct EventView {
    public let type: EventType
    /// Event time, µs since the Unix epoch.
    public let at: Int64
    public let utcOffsetMinutes: Int16
    /// The producer's event id bytes.
    public let id: UnsafeRawBufferPointer
    /// String ref of the source, 0 when absent.
    public let source: UInt32
    public let identifiers: UnsafeBufferPointer<DecodedIdentifier>
    /// The batch's strings.
    public let strings: StringTable
    /// Position of the props value in the payload.
    let props: UnsafeRawBufferPointer

    /// True when the event has props (anything but a null value).
    public var hasProps: Bool { props.count > 0 && props[0] != ValueTag.null.rawValue }

    /// A cursor at the props value, for projections that read well-known keys.
    public var propsReader: ValueReader { ValueReader(props, strings: strings) }

    /// Calls `body` with a cursor at the props value. `BatchDecoder` checked the whole value when it decoded the
    /// record, so reads that follow its structure cannot fail: one that does is a bug, and traps with the error
    /// rather than leaving a prop silently unread.
    public func readProps(_ body: (inout ValueReader) throws(BatchError) -> Void) {
        var reader = propsReader
        do { try body(&reader) } catch { preconditionFailure("props that BatchDecoder checked did not read: \(error)") }
    }

    /// Materializes the whole event (allocates; for export and tests).
    public func materialize() throws(BatchError) -> Event {
        var ids: [Identifier] = []
        for d in identifiers {
            guard Int(d.kind) < IdentifierKind.all.count else { throw BatchError(message: "unknown identifier kind code \(d.kind)") }
            let normalized = strings.string(d.normalized)
            ids.append(Identifier(kind: IdentifierKind.all[Int(d.kind)], normalized: normalized,
                                  raw: d.raw == 0 ? normalized : strings.string(d.raw)))
        }
        var reader = propsReader
        let value = try reader.materialize()
        return Event(id: String(decoding: id, as: UTF8.self), type: type, at: at, utcOffsetMinutes: utcOffsetMinutes,
                     source: source == 0 ? nil : strings.string(source), identifiers: ids,
                     props: value == .null ? nil : value)
    }
}

/// Decodes batch payloads into `EventView`s, reusing its buffers across batches. Not thread-safe: one per thread.
public final class BatchDecoder {
    private var ends: [UInt32] = []
    /// Identifiers of the current record; a raw buffer so views can point into it without copying.
    private var identifierStorage = UnsafeMutablePointer<DecodedIdentifier>.allocate(capacity: 16)
    private var identifierCapacity = 16

    public init() {}

    deinit { identifierStorage.deallocate() }

    /// Facts from a payload header.
    public struct Header: Sendable {
        public var records: Int
        public var baseTime: Int64
        public var sourceBytes: Int
    }

    /// Calls `onBatch` with the batch's strings, then `body` for each event of `payload`, in order.
    /// - Throws: `BatchError` when the payload is malformed; whatever `body` throws.
    /// - Complexity: O(payload size); no allocation once the buffers have grown.
    @discardableResult
    public func forEach(in payload: UnsafeRawBufferPointer, onBatch: (StringTable) throws -> Void = { _ in },
                        _ body: (EventView) throws -> Void) throws -> Header {
        try forEach(in: payload, checkingProps: true, onBatch: onBatch, body)
    }

    /// `forEach`, optionally without checking each record's props whole. Only for callers that read props solely
    /// through `EventView.materialize` (which throws on malformed props): `readProps` relies on the check.
    /// - Parameter selecting: which records (by index in the batch) to decode and pass to `body`; the others are
    ///   passed over by their length, unread (their bytes are checked only to lie inside the payload).
    @discardableResult
    func forEach(in payload: UnsafeRawBufferPointer, checkingProps: Bool, selecting: (Int) -> Bool = { _ in true },
                 onBatch: (StringTable) throws -> Void = { _ in }, _ body: (EventView) throws -> Void) throws -> Header {
        var c = ByteCursor(payload)
        let version = c.byte()
        guard !c.failed, version == BatchFormat.version else {
            throw BatchError(message: "unsupported batch version \(version)")
        }
        let count = Int(clamping: c.varint())
        let baseTime = c.signed()
        let sourceBytes = Int(clamping: c.varint())
        let stringCount = Int(clamping: c.varint())
        guard !c.failed, stringCount <= c.remaining, count <= c.remaining else {
            throw BatchError(message: "header does not fit the payload")
        }
        ends.removeAll(keepingCapacity: true)
        ends.reserveCapacity(stringCount)
        var total: UInt64 = 0
        for _ in 0..<stringCount {
            total += c.varint()
            guard total <= UInt64(UInt32.max) else { c.failed = true; break }
            ends.append(UInt32(total))
        }
        let blob = c.bytes(Int(clamping: total))
        guard !c.failed else { throw BatchError(message: "string table does not fit the payload") }
        return try ends.withUnsafeBufferPointer { endsBuffer in
            let strings = StringTable(blob: blob.baseAddress ?? payload.baseAddress!, ends: endsBuffer.baseAddress ?? UnsafePointer(bitPattern: 4)!,
                                      dynamicCount: stringCount)
            try onBatch(strings)
            for index in 0..<count {
                let length = Int(clamping: c.varint())
                let start = c.position
                c.skip(length)
                guard !c.failed else { throw BatchError(message: "record \(index) runs past the payload") }
                guard selecting(index) else { continue }
                var r = ByteCursor(UnsafeRawBufferPointer(rebasing: payload[start..<(start + length)]))
                let view = try decodeRecord(&r, index: index, baseTime: baseTime, strings: strings, checkingProps: checkingProps)
                try body(view)
            }
            guard c.remaining == 0 else { throw BatchError(message: "\(c.remaining) bytes after the last record") }
            return Header(records: count, baseTime: baseTime, sourceBytes: sourceBytes)
        }
    }

    @inline(__always)
    private func decodeRecord(_ r: inout ByteCursor, index: Int, baseTime: Int64, strings: StringTable,
                              checkingProps: Bool) throws(BatchError) -> EventView {
        let typeCode = r.byte()
        let at = baseTime &+ r.signed()
        let offset = r.signed()
        let id = r.bytes(Int(clamping: r.varint()))
        let source = r.varint()
        let idCount = Int(clamping: r.varint())
        guard let type = EventType(rawValue: typeCode), !r.failed, strings.isValid(source),
              offset >= -1440, offset <= 1440, idCount <= r.remaining
        else { throw BatchError(message: "record \(index) has a malformed header") }
        if idCount > identifierCapacity {
            identifierStorage.deallocate()
            identifierCapacity = max(idCount, identifierCapacity * 2)
            identifierStorage = .allocate(capacity: identifierCapacity)
        }
        for i in 0..<idCount {
            let kind = r.byte()
            let normalized = r.varint()
            let raw = r.varint()
            guard strings.isValid(normalized), strings.isValid(raw) else { r.failed = true; break }
            (identifierStorage + i).initialize(to: DecodedIdentifier(kind: kind, normalized: UInt32(normalized), raw: UInt32(raw)))
        }
        guard !r.failed else { throw BatchError(message: "record \(index) has a malformed identifier") }
        let props = UnsafeRawBufferPointer(start: r.base + r.position, count: r.remaining)
        // Check the props value whole (tags, counts, string refs, depth) so every later read of it (projections,
        // segments, export) cannot fail: a damaged record is an error here, never a silently skipped prop.
        if checkingProps {
            var check = ValueReader(props, strings: strings)
            do throws(BatchError) {
                try check.skipValue()
            } catch {
                throw BatchError(message: "record \(index) has malformed props: \(error.message)")
            }
            guard check.isAtEnd else { throw BatchError(message: "record \(index) has bytes after its props") }
        }
        return EventView(type: type, at: at, utcOffsetMinutes: Int16(offset), id: id, source: UInt32(source),
                         identifiers: UnsafeBufferPointer(start: identifierStorage, count: idCount),
                         strings: strings, props: props)
    }
}
