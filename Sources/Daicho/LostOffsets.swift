import DaichoLog

/// The `offsets_lost` records `daicho repair` writes where a quarantined frame was, so that its offsets stay used
/// and every reader sees a dense log (docs/log-format.md §13, docs/event-encoding.md).
public enum LostOffsets {
    /// The prefix of every `offsets_lost` record's id; input events cannot use it (docs/ingest.md "Validation"),
    /// so an input event is never taken for a duplicate of such a record.
    public static let idPrefix = "offsets_lost:"
    private static let idPrefixBytes = Array(idPrefix.utf8)

    /// Whether an event id (UTF-8) starts with `idPrefix`.
    static func isReservedID(_ id: UnsafeRawBufferPointer) -> Bool {
        id.count >= idPrefixBytes.count && id.starts(with: idPrefixBytes)
    }

    /// A frame of `count` `offsets_lost` records for offsets `base..<base+count`: no identifiers, id
    /// `offsets_lost:<offset>`, time `at` (the largest event time before them, so no clock moves), props
    /// `{"quarantine": FILE}` (null when no bytes were left, e.g. a file cut at a frame boundary).
    public static func frame(base: UInt64, count: Int, at: Int64, quarantine: String?, compressor: FrameCompressor) -> PreparedFrame {
        var builder = BatchBuilder()
        var encoder = EventValueEncoder(normalizer: IdentifierNormalizer(), acceptsInternalTypes: true)
        let props = JSONValue.object([JSONMember("quarantine", quarantine.map { .string($0) } ?? .null)])
        for i in 0..<count {
            let event = Event(id: "\(idPrefix)\(base + UInt64(i))", type: .offsetsLost, at: at, source: "daicho",
                              identifiers: [], props: props)
            if let reason = encoder.encode(event, into: &builder) {
                preconditionFailure("an offsets_lost record does not encode: \(reason)")
            }
        }
        var payload: [UInt8] = []
        let summary = builder.makePayload(into: &payload)
        return payload.withUnsafeBytes {
            compressor.prepare(payload: $0, recordCount: summary.records,
                               firstEventTime: summary.firstEventTime, maxEventTime: summary.maxEventTime)
        }
    }
}
