import Daicho
import DaichoLog
import Foundation

// The oldest event time of each frame (docs/profile.md "Checkpoints", "Skipping frames"), kept beside the
// checkpoints in `DIR/snapshots/checkpoints/frame-times` (little-endian):
//
//   0   8       magic "DCHFTIM1"
//   8   8       covered: the frames listed hold offsets [0, covered)
//   16  8       proof: base offset of the log frame holding covered − 1
//   24  8       proof: that frame's CRC32C (docs/log-format.md §3)
//   32  8       n: frames listed
//   40  8       CRC32C of bytes [8, 40) and of the entries
//   48  16 × n  per frame, in offset order: its end offset (the next frame's base), its oldest event time (µs)
//
// A frame header holds a frame's first and newest event time but not its oldest; with this list an as-of query
// passes over a frame whose oldest event is after TIME without reading it (every event of it is filtered out).

/// The frames a projection applied whole, each with its end offset and oldest event time: contiguous from
/// `start` to `ends.last`.
struct FrameTimes: Sendable {
    /// Where the first listed frame starts; nil before a whole frame was seen.
    private(set) var start: UInt64?
    /// Per frame: the offset after it.
    private(set) var ends: [UInt64] = []
    /// Per frame: its oldest event time, µs (`Int64.max` while it has none).
    private(set) var oldest: [Int64] = []
    /// Whether the frame being applied is listed (it was seen from its first event).
    private var open = false

    init() {}

    init(start: UInt64, ends: [UInt64], oldest: [Int64]) {
        self.start = start
        self.ends = ends
        self.oldest = oldest
    }

    /// Notes the frame `[base, base + count)` about to be applied from `next`.
    mutating func begin(base: UInt64, count: Int, next: UInt64) {
        let end = base + UInt64(count)
        if ends.last == end { return } // the same frame again (a replay in chunks resumes inside it)
        guard next == base, ends.isEmpty || ends.last == base else {
            // Seen from its middle (after a snapshot taken inside a frame): list the frames from the next one.
            start = nil
            ends.removeAll()
            oldest.removeAll()
            open = false
            return
        }
        if ends.isEmpty { start = base }
        ends.append(end)
        oldest.append(.max)
        open = true
    }

    /// Forgets the frames that end at or before `offset` (they were written), keeping the list contiguous.
    mutating func forget(through offset: UInt64) {
        guard let k = ends.lastIndex(where: { $0 <= offset }) else { return }
        start = ends[k]
        ends.removeFirst(k + 1)
        oldest.removeFirst(k + 1)
    }

    /// Notes an event time of the frame being applied.
    @inline(__always)
    mutating func note(_ at: Int64) {
        if open && at < oldest[oldest.count - 1] { oldest[oldest.count - 1] = at }
    }
}

/// Reading, extending and writing `frame-times`.
enum FrameTimesFile {
    static let name = "frame-times"
    static let magic = Array("DCHFTIM1".utf8)

    /// The list in `dir` (a checkpoints directory) when it is intact and proves it belongs to the log `reader`
    /// reads (the frame holding its last offset has the recorded base and checksum); nil otherwise.
    static func read(_ dir: String, proving reader: (UInt64) throws -> (base: UInt64, crc: UInt32)?) -> FrameTimes? {
        guard let data = FileManager.default.contents(atPath: dir + "/" + name), data.count >= 48 else { return nil }
        let bytes = [UInt8](data)
        func u64(_ at: Int) -> UInt64 { bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        let covered = u64(8), n = u64(32)
        guard Array(bytes[0..<8]) == magic, n <= UInt64((bytes.count - 48) / 16), bytes.count == 48 + 16 * Int(n), n > 0 else { return nil }
        let crc = bytes.withUnsafeBytes { b in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[48...]), continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[8..<40])))
        }
        guard UInt64(crc) == u64(40) else { return nil }
        var ends: [UInt64] = [], oldest: [Int64] = []
        ends.reserveCapacity(Int(n))
        oldest.reserveCapacity(Int(n))
        var previous: UInt64 = 0
        for i in 0..<Int(n) {
            let end = u64(48 + 16 * i)
            guard end > previous else { return nil }
            ends.append(end)
            oldest.append(Int64(bitPattern: u64(56 + 16 * i)))
            previous = end
        }
        guard previous == covered, let frame = try? reader(covered - 1), frame.base == u64(16), UInt64(frame.crc) == u64(24) else { return nil }
        return FrameTimes(start: 0, ends: ends, oldest: oldest)
    }

    /// Extends the list in `dir` with the frames `tracked` lists beyond it up to `offset` (where the projection
    /// stands: a frame it applied only in part is not listed), when they continue it (a list that starts at 0
    /// replaces one that does not prove it belongs to the log). Written atomically; a failure leaves the old
    /// list (it only costs frames read in vain).
    /// - Returns: whether the list in `dir` now covers every frame `tracked` lists up to `offset`.
    @discardableResult
    static func extend(_ dir: String, with tracked: FrameTimes, through offset: UInt64, log: LogReader) -> Bool {
        guard let start = tracked.start, let trackedEnd = tracked.ends.last(where: { $0 <= offset }) else { return false }
        let existing = read(dir, proving: { try log.frameChecksum(containing: $0) }) ?? FrameTimes(start: 0, ends: [], oldest: [])
        let covered = existing.ends.last ?? 0
        if trackedEnd <= covered { return true }
        guard start <= covered, start == covered || tracked.ends.contains(covered),
              let frame = try? log.frameChecksum(containing: trackedEnd - 1) else { return false }
        var entries: [UInt8] = []
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { entries.append(contentsOf: $0) } }
        var count: UInt64 = 0
        for (end, at) in zip(existing.ends, existing.oldest) {
            u64(end)
            u64(UInt64(bitPattern: at))
            count += 1
        }
        for (end, at) in zip(tracked.ends, tracked.oldest) where end > covered && end <= trackedEnd {
            u64(end)
            u64(UInt64(bitPattern: at))
            count += 1
        }
        var head: [UInt8] = []
        func h64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { head.append(contentsOf: $0) } }
        head.append(contentsOf: magic)
        h64(trackedEnd)
        h64(frame.base)
        h64(UInt64(frame.crc))
        h64(count)
        let crc = entries.withUnsafeBytes { e in head.withUnsafeBytes { h in
            CRC32C.checksum(e, continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: h[8..<40])))
        } }
        h64(UInt64(crc))
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try AtomicFile.write([head, entries], to: dir + "/" + name, directory: dir)
            return true
        } catch {
            return false
        }
    }
}
