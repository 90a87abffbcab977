import Foundation

/// Reads NDJSON from a file descriptor in large blocks and cuts them into `NDJSONChunk`s of complete lines.
/// The I/O edge of ingest: everything after it works on bytes in memory.
public final class NDJSONChunkReader {
    /// Lines longer than this are cut here (kept verbatim up to the cap, marked truncated) so one runaway
    /// line cannot exhaust memory. The ingest limit (`EventLineEncoder.defaultMaxLineBytes`) is far lower.
    public static let hardLineCap = 64 << 20
    /// The default chunk size, so the default frame: 2 MiB of NDJSON, about 6,000 events. A query about one
    /// customer decompresses every frame holding one of its events, so frames are kept this small; measured
    /// against 4 MiB: `timeline` at 10M events 0.10 → 0.06 s, the log 1.7 % larger, ingest no slower
    /// (docs/benchmarks.md "Frames of 2 MiB").
    public static let defaultBlockBytes = 2 << 20

    let fd: Int32
    let name: String
    let blockBytes: Int
    private var carry: [UInt8] = []
    private var nextLine = 1
    private var atEOF = false
    private var discardingRestOfLine = false
    /// No byte of the input has been handed on yet: a UTF-8 byte order mark here is skipped.
    private var atStart = true
    /// Chunk buffers handed back by the ingest workers (`NDJSONChunk.recycle`).
    private let pool = ChunkBufferPool(maxBuffers: 16)
    /// Bytes read so far.
    public private(set) var bytesRead = 0

    /// - Parameters:
    ///   - fd: an open, readable descriptor; the caller closes it.
    ///   - name: the input's name for rejects ("-" for stdin).
    public init(fd: Int32, name: String, blockBytes: Int = NDJSONChunkReader.defaultBlockBytes) {
        self.fd = fd
        self.name = name
        self.blockBytes = blockBytes
    }

    /// The next chunk of complete lines, or nil at the end of the input.
    /// - Throws: `IngestError.io` when reading fails.
    public func next() throws(IngestError) -> NDJSONChunk? {
        while true {
            if atEOF {
                guard !carry.isEmpty else { return nil }
                defer { carry = [] }
                return emit(carry)
            }
            var start = carry.count
            var buffer = pool.take(count: start + blockBytes)
            buffer.withUnsafeMutableBytes { b in
                carry.withUnsafeBytes { c in if c.count > 0 { b.baseAddress!.copyMemory(from: c.baseAddress!, byteCount: c.count) } }
            }
            carry.removeAll(keepingCapacity: true)
            let n = try readBlock(into: &buffer, at: start)
            if n == 0 { atEOF = true; carry = buffer; continue }
            if atStart {
                // A UTF-8 byte order mark (EF BB BF), as some Windows tools write, is not part of the first line.
                if buffer.starts(with: Self.byteOrderMark) {
                    buffer.removeFirst(Self.byteOrderMark.count)
                    start = max(0, start - Self.byteOrderMark.count)
                    atStart = false
                } else if buffer.count < Self.byteOrderMark.count && Self.byteOrderMark.starts(with: buffer) {
                    carry = buffer // maybe the start of a mark: wait for more bytes
                    continue
                } else {
                    atStart = false
                }
            }
            // Only the new bytes can hold the last newline.
            var cut = -1
            buffer.withUnsafeBytes { b in
                var i = b.count - 1
                while i >= start { if b[i] == 0x0A { cut = i; break }; i -= 1 }
            }
            if discardingRestOfLine {
                guard let nl = buffer[start...].firstIndex(of: 0x0A) else { continue }
                discardingRestOfLine = false
                carry = Array(buffer[(nl + 1)...])
                nextLine += 1
                continue
            }
            if cut < 0 {
                if buffer.count > Self.hardLineCap {
                    discardingRestOfLine = true
                    let line = nextLine
                    var chunk = emit(Array(buffer[0..<Self.hardLineCap]))
                    chunk.truncatedLine = line
                    nextLine = line // the line continues; it is counted when its newline arrives
                    return chunk
                }
                carry = buffer
                continue
            }
            carry.append(contentsOf: buffer[(cut + 1)...])
            buffer.removeSubrange((cut + 1)...)
            return emit(buffer)
        }
    }

    /// The UTF-8 encoding of U+FEFF.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private func emit(_ bytes: [UInt8]) -> NDJSONChunk {
        var chunk = NDJSONChunk(inputName: name, firstLine: nextLine, bytes: bytes)
        chunk.pool = pool
        nextLine += countNewlines(bytes)
        return chunk
    }

    /// Reads up to `blockBytes` bytes into `buffer` from index `start` (which has room for them), then drops
    /// the unused end of `buffer`; returns how many bytes were read.
    private func readBlock(into buffer: inout [UInt8], at start: Int) throws(IngestError) -> Int {
        var failure: Int32 = 0
        let got = buffer.withUnsafeMutableBytes { b in
            var got = 0
            while got < blockBytes {
                let r = Glibc.read(fd, b.baseAddress! + start + got, blockBytes - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if r == 0 { break }
                got += r
                // A pipe returns what is there: hand it on rather than wait for a full block.
                if fd == STDIN_FILENO { break }
            }
            return got
        }
        buffer.removeLast(buffer.count - start - got)
        if failure != 0 {
            throw IngestError.io(.system("cannot read \(name == "-" ? "standard input" : name)", path: name, errno: failure))
        }
        bytesRead += got
        return got
    }
}

/// Number of "\n" bytes in `bytes`.
func countNewlines(_ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { b in
        guard var p = b.baseAddress else { return 0 }
        let end = p + b.count
        var n = 0
        while p < end, let hit = memchr(p, 0x0A, end - p) {
            n += 1
            p = UnsafeRawPointer(hit) + 1
        }
        return n
    }
}

/// Errors of ingest that stop it (bad lines are not errors: they are rejected and kept).
public enum IngestError: Error, CustomStringConvertible, Sendable {
    /// Reading the input, or keeping a rejected line, failed.
    case io(StoreError)
    /// Appending to the log failed.
    case log(StoreError)

    /// The store error with the kind and cause.
    public var storeError: StoreError {
        switch self {
        case .io(let e), .log(let e): e
        }
    }

    public var description: String { storeError.message }
}
