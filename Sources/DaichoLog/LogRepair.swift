// The explicit way out of damage below the durable mark: quarantine, keep every intact frame, never reuse an
// offset. See docs/log-format.md §13.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One damaged region that `LogRepair.repair` moved to quarantine (or found cut off).
public struct QuarantinedRegion: Sendable {
    /// The segment file it was in.
    public var segment: String
    /// Its first byte in that file (as it was before the repair).
    public var byte: Int
    /// Its length in bytes (0 when the bytes themselves are gone, e.g. a file cut at a frame boundary).
    public var bytes: Int
    /// The log offsets it held, `[from, to)`; kept used by `offsets_lost` records. Empty for a torn tail.
    public var lostOffsets: Range<UInt64>
    /// The quarantine file holding its bytes verbatim, or nil when there were none.
    public var quarantineFile: String?
    /// Why it is damaged.
    public var reason: String
    /// Whether it lay beyond the durable mark (never acknowledged: a torn tail).
    public var beyondDurableMark: Bool
}

/// What `LogRepair.repair` did.
public struct RepairReport: Sendable {
    /// Every damaged region, in log order.
    public var regions: [QuarantinedRegion]
    /// Frames of `offsets_lost` records written in place of the damaged regions.
    public var fillerFrames: Int
    /// Whether `head` was missing or unreadable and was rebuilt.
    public var rebuiltHead: Bool
    /// The log's end offset after the repair.
    public var endOffset: UInt64
    /// Whether anything was changed.
    public var changed: Bool { !regions.isEmpty || rebuiltHead }
}

/// Repairs a log that recovery refuses to open: see docs/log-format.md §13.
public enum LogRepair {
    /// The most records one filler frame holds.
    static let fillerRecordsPerFrame = 100_000

    /// Moves each damaged region's bytes verbatim to `<quarantine>/<segment>-<byte>.frames` (with a JSON sidecar),
    /// keeps every intact frame before and after it, and puts frames of `offsets_lost` records (built by `filler`)
    /// where the lost offsets were, so no offset is reused and every reader and `verify` accept the log. Bytes
    /// beyond the durable mark (a torn tail) are quarantined too and record no lost offsets. Holds the writer
    /// lock throughout; rewrites each changed segment through a synced temporary and a rename, then `head`.
    /// - Parameters:
    ///   - directory: the log directory.
    ///   - quarantine: the directory for quarantined bytes (created if needed).
    ///   - lockWait: how long to wait for another writer's lock.
    ///   - filler: builds the frame holding `count` lost-offset records starting at `base`, with `time` (the
    ///     largest event time before them, so no clock moves) and the quarantine file of their bytes (if any).
    /// - Returns: what was found and done; `changed` is false for a clean log.
    /// - Throws: `.locked`; `.corrupt` for damage this cannot repair without guessing (offsets going backwards);
    ///   `.io`.
    public static func repair(directory: String, quarantine: String, lockWait: Duration = .zero,
                              filler: (_ base: UInt64, _ count: Int, _ time: Int64, _ file: String?) -> PreparedFrame) throws(LogError) -> RepairReport {
        let lock = try WriterLock.acquire(directory: directory, wait: lockWait)
        defer { withExtendedLifetime(lock) {} }
        LogDirectory.removeTemporaries(in: directory)
        let segments = try LogDirectory.segments(in: directory)
        var report = RepairReport(regions: [], fillerFrames: 0, rebuiltHead: false, endOffset: 0)
        guard !segments.isEmpty else { return report }
        let head = try HeadRecord.read(directory: directory)
        var expected: UInt64 = 0   // the log starts at offset 0: missing first segments lose offsets like middle ones
        var lastTime: Int64?
        var lastSize = 0
        if segments[0].base > 0 {
            // The files holding the log's first offsets are missing: a new first segment keeps those offsets used.
            let region = try createFirstSegment(upTo: segments[0], directory: directory, filler: filler)
            report.fillerFrames += region.frames
            report.regions.append(region.region)
            expected = segments[0].base
        }
        for (number, segment) in segments.enumerated() {
            let isLast = number == segments.count - 1
            // Every byte of an earlier segment was synced before the writer rolled away from it: all acknowledged.
            var end: UInt64?
            var markBytes = Int.max
            if !isLast {
                end = segments[number + 1].base
            } else if case .record(let record) = head {
                end = max(record.nextOffset, expected)
                markBytes = record.durableBytes(ofSegment: segment.base)
            }
            var plan = try planSegment(segment, expected: expected, end: end, markBytes: markBytes, lastTime: lastTime)
            if !plan.regions.isEmpty {
                report.fillerFrames += try rewrite(segment, plan: &plan, directory: directory, quarantine: quarantine, filler: filler)
                report.regions += plan.regions
            }
            expected = plan.endOffset
            lastTime = plan.lastTime
            if isLast { lastSize = try PosixFile.open(segment.path, flags: O_RDONLY).size() }
        }
        report.endOffset = expected
        let published = HeadRecord(nextOffset: expected, activeSegmentBase: segments[segments.count - 1].base, durableBytes: UInt64(lastSize))
        if case .record(let record) = head, record == published, report.regions.isEmpty { return report }
        if case .record = head {} else { report.rebuiltHead = true }
        try published.install(in: directory)
        return report
    }

    /// The intact frames and damaged regions of one segment.
    private struct SegmentPlan {
        /// Byte ranges of intact frames to keep, each with the offsets it holds.
        var pieces: [Piece] = []
        var regions: [QuarantinedRegion] = []
        var endOffset: UInt64 = 0
        /// The largest event time of the last intact frame.
        var lastTime: Int64?

        enum Piece {
            case frame(Range<Int>)
            /// Offsets to keep used, the time their records get, and the region (index) they come from.
            case lost(Range<UInt64>, time: Int64, region: Int)
        }
    }

    private static func planSegment(_ segment: (base: UInt64, path: String), expected start: UInt64, end: UInt64?,
                                    markBytes: Int, lastTime: Int64?) throws(LogError) -> SegmentPlan {
        let file = try PosixFile.open(segment.path, flags: O_RDONLY)
        let size = try file.size()
        let scanner = SegmentScanner(file: file, limit: size)
        var plan = SegmentPlan()
        plan.lastTime = lastTime
        var expected = start
        // Missing files between segments were filled at the end of the previous one (its `end` is this base).
        guard segment.base == expected else {
            throw LogError(.corrupt, "segment \(segment.path) starts at offset \(segment.base), but the previous one ends at \(expected) (overlap): not repairable automatically", path: segment.path)
        }
        var position = 0
        while true {
            switch try scanner.probe(at: position) {
            case .end:
                if let end, end > expected {
                    plan.regions.append(QuarantinedRegion(segment: segment.path, byte: position, bytes: 0, lostOffsets: expected..<end,
                                                          quarantineFile: nil, reason: "the segment ends at byte \(position) but offsets up to \(end) were acknowledged", beyondDurableMark: false))
                    plan.pieces.append(.lost(expected..<end, time: plan.lastTime ?? 0, region: plan.regions.count - 1))
                    expected = end
                }
                plan.endOffset = expected
                return plan
            case .frame(let header, _):
                guard header.baseOffset == expected else {
                    throw LogError(.corrupt, "\(segment.path): frame at byte \(position) has base offset \(header.baseOffset), expected \(expected): not repairable automatically", path: segment.path)
                }
                plan.pieces.append(.frame(position..<(position + header.frameSize)))
                plan.lastTime = max(plan.lastTime ?? .min, header.maxEventTime)
                expected = header.endOffset
                position += header.frameSize
            case .bad(let reason):
                let next = try scanner.nextValidFrame(after: position)
                var until = expected
                var time = plan.lastTime ?? 0
                if let next, case .frame(let header, _) = try scanner.probe(at: next) {
                    guard header.baseOffset >= expected else {
                        throw LogError(.corrupt, "\(segment.path): the valid frame at byte \(next) has base offset \(header.baseOffset), below \(expected): not repairable automatically", path: segment.path)
                    }
                    until = header.baseOffset
                    time = plan.lastTime ?? header.firstEventTime
                } else if position < markBytes, let end {
                    until = max(end, expected)
                }
                let stop = next ?? size
                let beyond = position >= markBytes && next == nil
                plan.regions.append(QuarantinedRegion(segment: segment.path, byte: position, bytes: stop - position,
                                                      lostOffsets: expected..<until, quarantineFile: nil, reason: reason, beyondDurableMark: beyond))
                if until > expected { plan.pieces.append(.lost(expected..<until, time: time, region: plan.regions.count - 1)) }
                expected = until
                guard let next else {
                    plan.endOffset = expected
                    return plan
                }
                position = next
            }
        }
    }

    /// Writes the quarantine files, then the segment without its damaged regions (and with filler frames) through
    /// a synced temporary renamed over it. - Returns: the filler frames written.
    private static func rewrite(_ segment: (base: UInt64, path: String), plan: inout SegmentPlan, directory: String, quarantine: String,
                                filler: (UInt64, Int, Int64, String?) -> PreparedFrame) throws(LogError) -> Int {
        try LogDirectory.create(quarantine)
        let source = try PosixFile.open(segment.path, flags: O_RDONLY)
        let name = (segment.path as NSString).lastPathComponent
        // A failure (a full disk) leaves the segment as it was and removes what this call wrote, so no partial
        // quarantine file or temporary stays behind and running the repair again starts from the same state.
        var created: [String] = []
        do throws(LogError) {
            return try rewrite(segment, source: source, name: name, plan: &plan, directory: directory, quarantine: quarantine,
                               created: &created, filler: filler)
        } catch {
            for path in created { unlink(path) }
            throw error
        }
    }

    /// The body of `rewrite`, recording in `created` each file it creates until the rename makes them part of the log.
    private static func rewrite(_ segment: (base: UInt64, path: String), source: PosixFile, name: String, plan: inout SegmentPlan,
                                directory: String, quarantine: String, created: inout [String],
                                filler: (UInt64, Int, Int64, String?) -> PreparedFrame) throws(LogError) -> Int {
        for i in plan.regions.indices where plan.regions[i].bytes > 0 {
            let region = plan.regions[i]
            let bytes = try read(source, region.byte..<(region.byte + region.bytes))
            let (base, frames) = try createQuarantineFile(quarantine + "/\(name)-\(region.byte)")
            created += [base + ".frames", base + ".json"]
            try frames.write(bytes, at: 0)
            try frames.syncData()
            let sidecar: [String: Any] = [
                "segment": segment.path, "byte": region.byte, "bytes": region.bytes,
                "offsets": [region.lostOffsets.lowerBound, region.lostOffsets.upperBound],
                "reason": region.reason, "beyond_durable_mark": region.beyondDurableMark,
            ]
            let json = (try? JSONSerialization.data(withJSONObject: sidecar, options: [.sortedKeys])) ?? Data()
            let side = try PosixFile.open(base + ".json", flags: O_RDWR | O_CREAT | O_TRUNC)
            try side.write(Array(json) + [0x0A], at: 0)
            try side.syncData()
            plan.regions[i].quarantineFile = base + ".frames"
        }
        try LogDirectory.sync(quarantine)
        let temp = segment.path + ".repair"
        let out = try PosixFile.open(temp, flags: O_RDWR | O_CREAT | O_TRUNC)
        created.append(temp)
        var at = 0
        var fillers = 0
        for piece in plan.pieces {
            switch piece {
            case .frame(let range):
                try out.write(try read(source, range), at: at)
                at += range.count
            case .lost(let offsets, let time, let region):
                let written = try writeFillers(offsets, time: time, file: plan.regions[region].quarantineFile, to: out, at: at, filler: filler)
                at = written.end
                fillers += written.frames
            }
        }
        try out.syncData()
        guard rename(temp, segment.path) == 0 else { throw out.failure("rename to \(segment.path)", at: nil) }
        created.removeAll()   // the segment now holds the filler frames naming the quarantine files: keep them
        try LogDirectory.sync(directory)
        return fillers
    }

    /// Writes frames of `offsets_lost` records for `offsets` (at most `fillerRecordsPerFrame` each) to `out` from byte `at`.
    /// - Returns: the frames written and the byte after them.
    private static func writeFillers(_ offsets: Range<UInt64>, time: Int64, file: String?, to out: PosixFile, at start: Int,
                                     filler: (UInt64, Int, Int64, String?) -> PreparedFrame) throws(LogError) -> (frames: Int, end: Int) {
        var at = start
        var frames = 0
        var base = offsets.lowerBound
        while base < offsets.upperBound {
            let count = Int(min(UInt64(fillerRecordsPerFrame), offsets.upperBound - base))
            let frame = encode(filler(base, count, time, file), base: base)
            try out.write(frame, at: at)
            at += frame.count
            base += UInt64(count)
            frames += 1
        }
        return (frames, at)
    }

    /// Writes segment `00000000000000000000.seg` holding only `offsets_lost` records for the offsets below `first`,
    /// the first segment that is there, through a synced temporary and a rename. Their event time is that of
    /// `first`'s first frame (so no clock moves), or 0 when it has none.
    private static func createFirstSegment(upTo first: (base: UInt64, path: String), directory: String,
                                           filler: (UInt64, Int, Int64, String?) -> PreparedFrame) throws(LogError) -> (region: QuarantinedRegion, frames: Int) {
        let source = try PosixFile.open(first.path, flags: O_RDONLY)
        let time = switch try SegmentScanner(file: source, limit: try source.size()).probeHeader(at: 0) {
        case .success(let header): header.firstEventTime
        case .failure: Int64(0)
        }
        let path = directory + "/" + LogFormat.segmentFileName(base: 0)
        let frames = try LogDirectory.replace(path, through: path + ".repair", in: directory) { (out) throws(LogError) in
            try writeFillers(0..<first.base, time: time, file: nil, to: out, at: 0, filler: filler).frames
        }
        let region = QuarantinedRegion(segment: path, byte: 0, bytes: 0, lostOffsets: 0..<first.base, quarantineFile: nil,
                                       reason: "segment files holding offsets 0..<\(first.base) are missing", beyondDurableMark: false)
        return (region, frames)
    }

    /// Creates `<stem>.frames`, or `<stem>-2.frames`, `<stem>-3.frames`, … when an earlier repair quarantined a
    /// region at the same byte (its bytes may be the only copy of lost events: never overwritten).
    /// - Returns: the name chosen (without `.frames`) and the new, empty file.
    private static func createQuarantineFile(_ stem: String) throws(LogError) -> (String, PosixFile) {
        var attempt = 1
        while true {
            let base = attempt == 1 ? stem : "\(stem)-\(attempt)"
            if access(base + ".json", F_OK) != 0 {
                do throws(LogError) {
                    return (base, try PosixFile.open(base + ".frames", flags: O_RDWR | O_CREAT | O_EXCL))
                } catch where error.errno == EEXIST {}
            }
            attempt += 1
        }
    }

    /// Bytes `range` of `file`, which must all be there.
    private static func read(_ file: PosixFile, _ range: Range<Int>) throws(LogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: range.count)
        let got = bytes.withUnsafeMutableBytes { b in Result { () throws(LogError) -> Int in try file.read(into: b, at: range.lowerBound) } }
        guard try got.get() == range.count else {
            throw LogError(.io, "\(file.path) changed during the repair: bytes \(range) are no longer there", path: file.path)
        }
        return bytes
    }

    /// The bytes of a complete frame: `prepared` at `base`, appended now.
    static func encode(_ prepared: PreparedFrame, base: UInt64) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: LogFormat.headerSize) + prepared.stored
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        frame.withUnsafeMutableBytes { raw in
            var header = FrameHeader(
                crc: 0, codec: prepared.codec, recordCount: UInt32(prepared.recordCount), baseOffset: base,
                firstEventTime: prepared.firstEventTime, maxEventTime: prepared.maxEventTime,
                appendTime: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000,
                storedLength: UInt32(prepared.storedBytes), uncompressedLength: UInt32(prepared.uncompressedBytes))
            header.encode(into: raw)
            header.crc = FrameHeader.computeCRC(header: UnsafeRawBufferPointer(raw), payload: UnsafeRawBufferPointer(rebasing: raw[LogFormat.headerSize...]))
            raw.storeBytes(of: header.crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
        return frame
    }
}
