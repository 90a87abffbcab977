// Sequential frame access within one segment file with large buffered reads.
// See docs/log-format.md §2–§4 (frame layout, completeness) and §8 (resynchronisation).

/// What lies at a byte position of a segment.
enum FrameProbe {
    /// A complete frame: its header and all its bytes (valid until the scanner reads again).
    case frame(FrameHeader, UnsafeRawBufferPointer)
    /// The position is exactly the end of the readable range.
    case end
    /// Not a complete frame; the reason is for messages.
    case bad(String)
}

/// Reads frames of one segment file up to a byte limit, several frames per `pread`.
final class SegmentScanner {
    /// The default read size: large enough to amortise system calls, small enough to stay in cache.
    static let chunkBytes = 4 << 20

    let file: PosixFile
    /// Bytes `[0, limit)` of the file are considered; the rest is ignored.
    var limit: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var bufferStart = 0
    private var bufferCount = 0

    init(file: PosixFile, limit: Int) {
        self.file = file
        self.limit = limit
        buffer = .allocate(byteCount: 0, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Bytes `[position, position + count)`, which must lie below `limit`; valid until the next read.
    /// - Parameter readAhead: read up to `chunkBytes` beyond them when they are not buffered (sequential scans);
    ///   false reads exactly them (one frame picked out of a segment: `daicho timeline`).
    func bytes(at position: Int, count: Int, readAhead: Bool = true) throws(LogError) -> UnsafeRawBufferPointer {
        precondition(position >= 0 && position + count <= limit)
        if position < bufferStart || position + count > bufferStart + bufferCount {
            let want = readAhead ? max(count, min(Self.chunkBytes, limit - position)) : count
            if buffer.count < want {
                buffer.deallocate()
                buffer = .allocate(byteCount: want, alignment: 16)
            }
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position)
            bufferStart = position
            bufferCount = got
            guard got >= count else {
                throw LogError(.io, "\(file.path) is shorter than expected: \(position + got) bytes, needed \(position + count)", path: file.path)
            }
        }
        let start = position - bufferStart
        return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
    }

    /// Decodes only the header at `position` and checks that the frame fits below `limit`; reads
    /// 64 bytes directly, so walking headers does not read payloads.
    func probeHeader(at position: Int) throws(LogError) -> Result<FrameHeader, ProbeFailure> {
        if position == limit { return .failure(.end) }
        guard limit - position >= LogFormat.headerSize else {
            return .failure(.bad("only \(limit - position) bytes left, a header needs 64"))
        }
        var raw = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let header = try withUnsafeMutableBytes(of: &raw) { (buf) throws(LogError) -> FrameHeader? in
            guard try file.read(into: buf, at: position) == LogFormat.headerSize else { return nil }
            return FrameHeader.parse(UnsafeRawBufferPointer(buf))
        }
        guard let header else { return .failure(.bad("no valid frame header")) }
        guard header.frameSize <= limit - position else {
            return .failure(.bad("frame of \(header.frameSize) bytes is cut off after \(limit - position) bytes"))
        }
        return .success(header)
    }

    /// The frame at `position`, checking header plausibility, completeness and CRC.
    func probe(at position: Int) throws(LogError) -> FrameProbe {
        if position == limit { return .end }
        guard limit - position >= LogFormat.headerSize else {
            return .bad("only \(limit - position) bytes left, a header needs 64")
        }
        guard let header = FrameHeader.parse(try bytes(at: position, count: LogFormat.headerSize)) else {
            return .bad("no valid frame header")
        }
        guard header.frameSize <= limit - position else {
            return .bad("frame of \(header.frameSize) bytes is cut off after \(limit - position) bytes")
        }
        let frame = try bytes(at: position, count: header.frameSize)
        guard header.crcMatches(frame: frame) else { return .bad("CRC mismatch") }
        return .frame(header, frame)
    }

    /// The position of the first complete frame (magic, plausible header, CRC) after `position`.
    /// - Complexity: O(n) in the bytes searched.
    func nextValidFrame(after position: Int) throws(LogError) -> Int? {
        var q = position + 1
        while limit - q >= LogFormat.headerSize {
            let window = try bytes(at: q, count: min(Self.chunkBytes, limit - q))
            var candidate: Int?
            var i = 0
            while i + 4 <= window.count {
                if window.loadUnaligned(fromByteOffset: i, as: UInt32.self) == LogFormat.frameMagic.littleEndian {
                    candidate = q + i
                    break
                }
                i += 1
            }
            guard let found = candidate else {
                q += max(1, window.count - 3)
                continue
            }
            if case .frame = try probe(at: found) { return found }
            q = found + 1
        }
        return nil
    }
}

/// Why `probeHeader` found no frame.
enum ProbeFailure: Error {
    case end
    case bad(String)
}
