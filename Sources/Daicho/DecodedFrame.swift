import DaichoLog

/// One frame read, decompressed and decoded ahead of the thread that applies it (`EventReader.forEachFrameAhead`,
/// docs/architecture.md "Replay on two threads"): a copy of the frame's payload, its string table and every
/// record's decoded fixed fields, so its `EventView`s stay valid until the frame is handed back and refilled.
/// Frames are recycled: once their buffers have grown to the largest frame, filling one allocates nothing. One
/// thread at a time owns a frame (the pipeline hands it over), so its fields skip dynamic exclusivity checks.
public final class DecodedFrame {
    /// Which of the pipeline's frames this is (0 ..< `EventReader.framesAhead`): per-frame side buffers of a
    /// caller (e.g. identity resolved ahead) are indexed by it.
    public let slot: Int
    /// The frame's description.
    @exclusivity(unchecked) public private(set) var context = FrameContext(baseOffset: 0, recordCount: 0, maxEventTime: 0, appendTime: 0)
    /// The batch's strings (valid while the frame is not refilled).
    @exclusivity(unchecked) public private(set) var strings: StringTable
    /// The indices of the records to deliver: a frame that starts below the first offset asked for, or ends past
    /// the last, is decoded whole and delivers only these.
    @exclusivity(unchecked) public private(set) var records: Range<Int> = 0..<0

    private let decoder = BatchDecoder()
    @exclusivity(unchecked) private var payload: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var payloadCapacity = 0
    @exclusivity(unchecked) private var ends: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var endsCapacity = 0
    @exclusivity(unchecked) private var identifiers: UnsafeMutablePointer<DecodedIdentifier>
    @exclusivity(unchecked) private var identifierCapacity = 0
    @exclusivity(unchecked) private var identifierCount = 0
    /// The decoded records; their `identifiers` point into the decoder's scratch and are replaced by `view(_:)`
    /// with the copy at `identifierStart`.
    @exclusivity(unchecked) private var views: [EventView] = []
    @exclusivity(unchecked) private var identifierStart: [Int32] = []

    init(slot: Int) {
        self.slot = slot
        payload = .allocate(byteCount: 16, alignment: 16)
        ends = .allocate(capacity: 1)
        identifiers = .allocate(capacity: 1)
        strings = StringTable(blob: UnsafeRawPointer(payload), ends: UnsafePointer(ends), dynamicCount: 0)
    }

    deinit {
        payload.deallocate()
        ends.deallocate()
        identifiers.deallocate()
    }

    /// The offset of record `index`.
    @inline(__always)
    public func offset(of index: Int) -> UInt64 { context.baseOffset + UInt64(index) }

    /// The event of record `index` (in `records`); valid until the frame is refilled.
    @inline(__always)
    public func view(_ index: Int) -> EventView {
        let v = views[index]
        return EventView(type: v.type, at: v.at, utcOffsetMinutes: v.utcOffsetMinutes, id: v.id, source: v.source,
                         identifiers: UnsafeBufferPointer(start: identifiers + Int(identifierStart[index]),
                                                          count: v.identifiers.count),
                         strings: strings, props: v.props)
    }

    /// Copies `frame`'s payload, decodes it whole (checking every record as `BatchDecoder` does) and keeps the
    /// records in `[from, to)` for delivery.
    /// - Throws: `BatchError` when the payload is malformed; the returned header's record count is the caller's
    ///   to check against the frame's.
    func fill(_ frame: FrameView, from: UInt64, to: UInt64) throws(BatchError) -> BatchDecoder.Header {
        context = FrameContext(baseOffset: frame.baseOffset, recordCount: frame.recordCount,
                               maxEventTime: frame.maxEventTime, appendTime: frame.appendTime)
        let size = frame.payload.count
        if size > payloadCapacity {
            payload.deallocate()
            payloadCapacity = max(size, payloadCapacity * 2)
            payload = .allocate(byteCount: payloadCapacity, alignment: 16)
        }
        if size > 0 { payload.copyMemory(from: frame.payload.baseAddress!, byteCount: size) }
        views.removeAll(keepingCapacity: true)
        identifierStart.removeAll(keepingCapacity: true)
        identifierCount = 0
        let header: BatchDecoder.Header
        do {
            header = try decoder.forEach(in: UnsafeRawBufferPointer(start: payload, count: size), onBatch: { table in
                keepStrings(table)
            }) { view in
                keep(view)
            }
        } catch let error as BatchError {
            throw error
        } catch {
            preconditionFailure("DecodedFrame.fill: the decoder's callbacks do not throw: \(error)")
        }
        let first = from > frame.baseOffset ? Int(min(from - frame.baseOffset, UInt64(views.count))) : 0
        let last = to > frame.baseOffset ? Int(min(to - frame.baseOffset, UInt64(views.count))) : 0
        records = first..<max(first, last)
        return header
    }

    /// Copies the batch's string ends so the table outlives the decoder's next batch.
    private func keepStrings(_ table: StringTable) {
        let count = table.dynamicCount
        if count > endsCapacity {
            ends.deallocate()
            endsCapacity = max(count, endsCapacity * 2)
            ends = .allocate(capacity: endsCapacity)
        }
        if count > 0 { ends.update(from: table.ends, count: count) }
        strings = StringTable(blob: table.blob, ends: UnsafePointer(ends), dynamicCount: count)
    }

    private func keep(_ view: EventView) {
        let n = view.identifiers.count
        if identifierCount + n > identifierCapacity {
            let capacity = max(identifierCount + n, identifierCapacity * 2, 64)
            let grown = UnsafeMutablePointer<DecodedIdentifier>.allocate(capacity: capacity)
            grown.moveInitialize(from: identifiers, count: identifierCount)
            identifiers.deallocate()
            identifiers = grown
            identifierCapacity = capacity
        }
        if n > 0 { (identifiers + identifierCount).initialize(from: view.identifiers.baseAddress!, count: n) }
        identifierStart.append(Int32(identifierCount))
        identifierCount += n
        views.append(view)
    }
}
