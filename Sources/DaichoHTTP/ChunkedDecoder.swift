/// Decodes a `Transfer-Encoding: chunked` request body (RFC 9112 §7.1) incrementally, as bytes arrive: chunk-size
/// lines (extensions ignored), chunk data, the last chunk and trailer fields (read and discarded). The body is
/// capped while decoding, so a body that never ends or claims a huge chunk stops at the route's limit.
public struct ChunkedDecoder: Sendable {
    enum State: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    var state = State.size
    /// The partial line (size line or trailer field) carried between calls.
    private var line: [UInt8] = []
    private var trailerBytes = 0
    /// The most body bytes accepted (413 beyond).
    public let maxBody: Int
    let limits: HTTPLimits
    /// Body bytes decoded so far.
    public private(set) var bodyBytes = 0

    public init(maxBody: Int, limits: HTTPLimits = HTTPLimits()) {
        self.maxBody = maxBody
        self.limits = limits
    }

    /// The body has ended (the last chunk and the trailer section were read).
    public var isDone: Bool { if case .done = state { true } else { false } }

    /// Decodes from `input`, appending body bytes to `body`.
    /// - Returns: the number of input bytes consumed (all of them unless the body ended inside `input`: the rest
    ///   belongs to the next request).
    /// - Throws: `HTTPError` 400 (malformed framing) or 413 (body beyond `maxBody`).
    public mutating func decode(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPError) -> Int {
        var p = 0
        while p < input.count {
            switch state {
            case .done:
                return p
            case .data(let remaining):
                let n = min(remaining, input.count - p)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[p..<(p + n)]))
                p += n
                state = remaining == n ? .dataEnd : .data(remaining: remaining - n)
            case .size, .dataEnd, .trailer:
                guard let end = input[p...].firstIndex(of: 0x0A) else {
                    line.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[p...]))
                    try checkLineLength()
                    return input.count
                }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[p..<end]))
                p = end + 1
                try checkLineLength()
                if line.last == 0x0D { line.removeLast() }
                try endOfLine()
                line.removeAll(keepingCapacity: true)
            }
        }
        return p
    }

    private func checkLineLength() throws(HTTPError) {
        if case .trailer = state {
            if trailerBytes + line.count > limits.maxHeaderBytes { throw HTTPError(431, "chunked trailer larger than \(limits.maxHeaderBytes) bytes") }
        } else if line.count > limits.maxChunkLine {
            throw HTTPError(400, "chunk-size line longer than \(limits.maxChunkLine) bytes")
        }
    }

    private mutating func endOfLine() throws(HTTPError) {
        switch state {
        case .dataEnd:
            guard line.isEmpty else { throw HTTPError(400, "chunk data longer than its size") }
            state = .size
        case .trailer:
            trailerBytes += line.count + 2
            if line.isEmpty { state = .done }
        case .size:
            var size = 0, digits = 0
            for b in line {
                let v: Int
                switch b {
                case 0x30...0x39: v = Int(b - 0x30)
                case 0x41...0x46: v = Int(b - 0x41 + 10)
                case 0x61...0x66: v = Int(b - 0x61 + 10)
                case 0x3B, 0x20, 0x09: v = -1 // extensions (and whitespace before them) follow: ignored
                default: throw HTTPError(400, "malformed chunk size")
                }
                if v < 0 { break }
                digits += 1
                guard digits <= 15 else { throw HTTPError(413, "chunk larger than the body may be") }
                size = size << 4 | v
            }
            guard digits > 0 else { throw HTTPError(400, "malformed chunk size") }
            guard bodyBytes + size <= maxBody else { throw HTTPError(413, "body larger than \(maxBody) bytes") }
            bodyBytes += size
            state = size == 0 ? .trailer : .data(remaining: size)
        case .data, .done:
            preconditionFailure("no line in this state")
        }
    }
}
