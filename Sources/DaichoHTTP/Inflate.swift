// DEFLATE decompression (RFC 1951), for `Content-Encoding: gzip` and `deflate` request bodies (docs/http-api.md
// "HTTP/1.1"). Foundation has no inflater on Linux; this one is written for hostile input: every read is
// bounds-checked, every code table validated, the output capped (`limit`), so a damaged or malicious body is an
// error — never a crash, a hang or unbounded memory. Tested against Python's zlib and fuzzed (DaichoHTTPTests).

/// Why a compressed body could not be decompressed.
public enum InflateError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The data ended inside a block, a header or a trailer.
    case truncated
    /// The output would exceed the caller's limit (a decompression bomb, or just too large).
    case tooLarge(limit: Int)
    /// A structural error, with what was wrong.
    case malformed(String)
    /// A checksum of the container (gzip CRC-32 and size, zlib Adler-32) does not match the data.
    case checksumMismatch(String)

    public var description: String {
        switch self {
        case .truncated: "compressed data ends early"
        case .tooLarge(let limit): "decompressed data exceeds \(limit) bytes"
        case .malformed(let why): "compressed data is malformed: \(why)"
        case .checksumMismatch(let which): "compressed data fails its \(which) check"
        }
    }
}

/// Reads bits least-significant first, as DEFLATE packs them.
struct BitReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    private var buffer: UInt64 = 0
    private var count = 0

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Fills the buffer with as many whole bytes as fit.
    @inline(__always)
    private mutating func refill() {
        while count <= 56 && position < bytes.count {
            buffer |= UInt64(bytes[position]) << UInt64(count)
            position += 1
            count += 8
        }
    }

    /// The next `n` (≤ 32) bits without consuming them; fewer valid bits when the input ends (`available`).
    @inline(__always)
    mutating func peek(_ n: Int) -> (bits: UInt32, available: Int) {
        if count < n { refill() }
        return (UInt32(truncatingIfNeeded: buffer & ((1 << UInt64(n)) - 1)), min(count, n))
    }

    @inline(__always)
    mutating func consume(_ n: Int) {
        buffer >>= UInt64(n)
        count -= n
    }

    /// Reads `n` (≤ 32) bits.
    @inline(__always)
    mutating func bits(_ n: Int) throws(InflateError) -> UInt32 {
        guard n > 0 else { return 0 }
        let (v, available) = peek(n)
        guard available == n else { throw .truncated }
        consume(n)
        return v
    }

    /// Drops the bits up to the next byte boundary (stored blocks start there).
    mutating func alignToByte() { consume(count % 8) }

    /// The position of the next unread whole byte (after `alignToByte`): buffered bytes are given back.
    mutating func bytePosition() -> Int {
        let p = position - count / 8
        position = p
        buffer = 0
        count = 0
        return p
    }
}

/// A canonical Huffman code (RFC 1951 §3.2.2) decoded with a table of the first `fastBits` bits, and bit by bit
/// (counts per length, symbols in code order) for the rare longer codes.
struct HuffmanCode {
    static let fastBits = 10
    /// Indexed by the next `fastBits` input bits: symbol | length << 9; 0 when the code is longer.
    private var fast: [UInt16]
    /// Codes per length 0...15, and the symbols ordered by (length, symbol).
    private var counts: [UInt16]
    private var symbols: [UInt16]

    /// Builds the code of `lengths` (0 = unused symbol).
    /// - Throws: `.malformed` when the lengths over-subscribe the code space, or leave it incomplete with more
    ///   than one code (a single code of length 1 is allowed, as zlib does, e.g. one distance).
    init(lengths: ArraySlice<UInt8>) throws(InflateError) {
        counts = Array(repeating: 0, count: 16)
        for l in lengths { counts[Int(l)] += 1 }
        counts[0] = 0
        var left = 1
        for len in 1...15 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { throw .malformed("over-subscribed Huffman code") }
        }
        let used = lengths.count - lengths.lazy.filter { $0 == 0 }.count
        if left > 0 && used > 1 { throw .malformed("incomplete Huffman code") }
        var offsets = Array(repeating: 0, count: 16)
        for len in 1..<15 { offsets[len + 1] = offsets[len] + Int(counts[len]) }
        symbols = Array(repeating: 0, count: max(used, 1))
        for (symbol, l) in zip(0..., lengths) where l != 0 {
            symbols[offsets[Int(l)]] = UInt16(symbol)
            offsets[Int(l)] += 1
        }
        fast = Array(repeating: 0, count: 1 << Self.fastBits)
        var code = 0, index = 0
        for len in 1...15 {
            for _ in 0..<Int(counts[len]) {
                if len <= Self.fastBits {
                    // Codes are packed most-significant bit first: the table is indexed by the reversed code.
                    var reversed = 0
                    for b in 0..<len where code & (1 << b) != 0 { reversed |= 1 << (len - 1 - b) }
                    let entry = symbols[index] | UInt16(len) << 9
                    var i = reversed
                    while i < fast.count { fast[i] = entry; i += 1 << len }
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }

    /// Decodes one symbol.
    @inline(__always)
    func decode(_ reader: inout BitReader) throws(InflateError) -> Int {
        let (bits, available) = reader.peek(Self.fastBits)
        let entry = fast[Int(bits)]
        let len = Int(entry >> 9)
        if len != 0 && len <= available {
            reader.consume(len)
            return Int(entry & 0x1FF)
        }
        return try decodeSlowly(&reader)
    }

    /// Bit by bit (RFC 1951's canonical order): for codes longer than `fastBits`, and near the end of input.
    private func decodeSlowly(_ reader: inout BitReader) throws(InflateError) -> Int {
        var code = 0, first = 0, index = 0
        for len in 1...15 {
            code |= Int(try reader.bits(1))
            let count = Int(counts[len])
            if code - count < first { return Int(symbols[index + (code - first)]) }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw .malformed("invalid Huffman code")
    }
}

/// Decompresses raw DEFLATE data (RFC 1951).
public enum Inflate {
    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
                                       99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                         12, 12, 13, 13]
    /// The order in which a dynamic block lists the code-length code's lengths.
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static let fixedLiterals: HuffmanCode = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return try! HuffmanCode(lengths: lengths[...])
    }()
    static let fixedDistances: HuffmanCode = try! HuffmanCode(lengths: [UInt8](repeating: 5, count: 32)[...])

    /// Decompresses one DEFLATE stream starting at `reader`'s position, appending to `output`.
    /// - Parameters:
    ///   - limit: the most bytes `output` may hold when done.
    /// - Throws: `InflateError`; `output` then holds a prefix of the data and must not be used.
    static func stream(_ reader: inout BitReader, into output: inout [UInt8], limit: Int) throws(InflateError) {
        let start = output.count
        var final = false
        while !final {
            final = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0: try stored(&reader, into: &output, limit: limit)
            case 1: try codes(&reader, literals: fixedLiterals, distances: fixedDistances, into: &output, start: start, limit: limit)
            case 2:
                let (literals, distances) = try dynamicCodes(&reader)
                try codes(&reader, literals: literals, distances: distances, into: &output, start: start, limit: limit)
            default: throw .malformed("block type 3 is reserved")
            }
        }
    }

    private static func stored(_ reader: inout BitReader, into output: inout [UInt8], limit: Int) throws(InflateError) {
        reader.alignToByte()
        let length = Int(try reader.bits(16)), complement = Int(try reader.bits(16))
        guard length == ~complement & 0xFFFF else { throw .malformed("stored block length does not match its complement") }
        let p = reader.bytePosition()
        guard p + length <= reader.bytes.count else { throw .truncated }
        guard output.count + length <= limit else { throw .tooLarge(limit: limit) }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: reader.bytes[p..<(p + length)]))
        reader.position = p + length
    }

    private static func dynamicCodes(_ reader: inout BitReader) throws(InflateError) -> (HuffmanCode, HuffmanCode) {
        let literalCount = Int(try reader.bits(5)) + 257
        let distanceCount = Int(try reader.bits(5)) + 1
        let codeLengthCount = Int(try reader.bits(4)) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .malformed("too many length or distance codes") }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = UInt8(try reader.bits(3)) }
        let codeLengths = try HuffmanCode(lengths: codeLengthLengths[...])
        var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
        var i = 0
        while i < lengths.count {
            let symbol = try codeLengths.decode(&reader)
            if symbol < 16 { lengths[i] = UInt8(symbol); i += 1; continue }
            var value: UInt8 = 0, repeats: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw .malformed("a length repeat with no previous length") }
                value = lengths[i - 1]
                repeats = 3 + Int(try reader.bits(2))
            case 17: repeats = 3 + Int(try reader.bits(3))
            default: repeats = 11 + Int(try reader.bits(7))
            }
            guard i + repeats <= lengths.count else { throw .malformed("code lengths overrun their count") }
            for _ in 0..<repeats { lengths[i] = value; i += 1 }
        }
        guard lengths[256] != 0 else { throw .malformed("no end-of-block code") }
        return (try HuffmanCode(lengths: lengths[0..<literalCount]), try HuffmanCode(lengths: lengths[literalCount...]))
    }

    private static func codes(_ reader: inout BitReader, literals: HuffmanCode, distances: HuffmanCode,
                              into output: inout [UInt8], start: Int, limit: Int) throws(InflateError) {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard output.count < limit else { throw .tooLarge(limit: limit) }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let l = symbol - 257
            guard l < lengthBase.count else { throw .malformed("invalid length symbol \(symbol)") }
            let length = Int(lengthBase[l]) + Int(try reader.bits(Int(lengthExtra[l])))
            let d = try distances.decode(&reader)
            guard d < distanceBase.count else { throw .malformed("invalid distance symbol \(d)") }
            let distance = Int(distanceBase[d]) + Int(try reader.bits(Int(distanceExtra[d])))
            guard distance <= output.count - start else { throw .malformed("distance \(distance) reaches before the start") }
            guard output.count + length <= limit else { throw .tooLarge(limit: limit) }
            var from = output.count - distance
            for _ in 0..<length { output.append(output[from]); from += 1 } // may overlap what it writes
        }
    }
}
