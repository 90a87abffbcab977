// RFC 8259 parser that fills a JSONTape in one pass over the bytes.
//
// Design: an iterative loop (no recursion) where the tape is its own stack: while a container is open, its
// token's `end` field holds the index of the enclosing open container (or `noContainer`); closing the container
// restores the parent and stores the real `end`. Strings are scanned 8 bytes at a time (SWAR) for '"', '\\',
// control characters and non-ASCII bytes; only the latter two kinds need a closer look. Nothing is allocated
// except growth of the tape's storage, which a reused tape no longer needs.

/// Parses one JSON text (RFC 8259) into a ``JSONTape``.
public struct JSONParser: Sendable {
    /// The deepest nesting of objects and arrays accepted; a root object or array is depth 1.
    public var maxDepth: Int

    /// Creates a parser.
    /// - Parameter maxDepth: The deepest nesting of objects and arrays accepted (at least 1).
    public init(maxDepth: Int = 64) {
        precondition(maxDepth >= 1, "maxDepth must be at least 1")
        self.maxDepth = maxDepth
    }

    /// Parses exactly one JSON value (RFC 8259) surrounded by optional whitespace; fills `tape` (cleared first).
    ///
    /// Validates UTF-8 inside strings (rejects overlongs, surrogates, code points above U+10FFFF and truncated
    /// sequences), escapes (`\uXXXX` including surrogate pairs; a lone surrogate escape is an error), control
    /// characters in strings, the number grammar (no leading zeros, no '+', no NaN/Infinity), the depth limit
    /// and trailing garbage. Duplicate object keys are allowed (all members stay on the tape).
    /// - Parameters:
    ///   - bytes: The JSON text; must be smaller than 4 GiB.
    ///   - tape: Receives the tokens; its storage is reused.
    /// - Throws: ``JSONError`` with the byte offset of the first problem (the input length for a truncated text).
    /// - Complexity: O(n) in the byte count.
    public func parse(_ bytes: UnsafeRawBufferPointer, into tape: inout JSONTape) throws(JSONError) {
        tape.tokens.removeAll(keepingCapacity: true)
        guard bytes.count < Int(UInt32.max) else {
            throw JSONError(position: 0, reason: "document of \(bytes.count) bytes exceeds the 4 GiB limit")
        }
        guard let p = bytes.baseAddress else {
            throw Self.error(0, 0, "expected a JSON value")
        }
        try Self.run(p, bytes.count, maxDepth, &tape.tokens)
    }
}

extension JSONParser {
    /// Marks "no open container" in the parent chain.
    static let noContainer = UInt32.max

    // ASCII bytes used by the grammar.
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":"), openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]"), minus = UInt8(ascii: "-")

    /// The parse loop. See the file header for the stack-in-the-tape design.
    static func run(
        _ p: UnsafeRawPointer, _ n: Int, _ maxDepth: Int, _ tokens: inout ContiguousArray<JSONToken>
    ) throws(JSONError) {
        var i = skipWhitespace(p, 0, n)
        var current = noContainer
        var depth = 0
        parseValue: while true {
            guard i < n else { throw error(i, n, "expected a JSON value") }
            let c = JSONBytes.byte(p, i)
            switch c {
            case quote:
                let start = i + 1
                let (close, flags) = try scanString(p, start, n)
                tokens.append(JSONToken(
                    kind: .string, flags: flags, start: UInt32(truncatingIfNeeded: start),
                    length: UInt32(truncatingIfNeeded: close - start), end: UInt32(truncatingIfNeeded: tokens.count + 1)))
                i = close + 1
            case openBrace, openBracket:
                depth += 1
                if depth > maxDepth { throw error(i, n, "nesting deeper than \(maxDepth) levels") }
                let index = tokens.count
                tokens.append(JSONToken(
                    kind: c == openBrace ? .object : .array, flags: 0, start: UInt32(truncatingIfNeeded: i),
                    length: 0, end: current))
                current = UInt32(truncatingIfNeeded: index)
                i = skipWhitespace(p, i + 1, n)
                if i < n && JSONBytes.byte(p, i) == c &+ 2 {  // '}' is '{' + 2 and ']' is '[' + 2
                    current = tokens[index].end
                    tokens[index].end = UInt32(truncatingIfNeeded: tokens.count)
                    depth -= 1
                    i += 1
                } else {
                    if c == openBrace { try scanKey(p, &i, n, &tokens, "expected string key or '}'") }
                    continue parseValue
                }
            case minus, 0x30...0x39:
                let (end, isInteger) = try scanNumber(p, i, n)
                tokens.append(JSONToken(
                    kind: .number, flags: isInteger ? JSONToken.isInteger : 0, start: UInt32(truncatingIfNeeded: i),
                    length: UInt32(truncatingIfNeeded: end - i), end: UInt32(truncatingIfNeeded: tokens.count + 1)))
                i = end
            case UInt8(ascii: "t"):
                guard i + 4 <= n, word(p, i) == 0x6575_7274 else { throw literalError(p, i, n, "true") }
                tokens.append(literal(.true, i, 4, tokens.count))
                i += 4
            case UInt8(ascii: "f"):
                guard i + 5 <= n, word(p, i + 1) == 0x6573_6C61 else { throw literalError(p, i, n, "false") }
                tokens.append(literal(.false, i, 5, tokens.count))
                i += 5
            case UInt8(ascii: "n"):
                guard i + 4 <= n, word(p, i) == 0x6C6C_756E else { throw literalError(p, i, n, "null") }
                tokens.append(literal(.null, i, 4, tokens.count))
                i += 4
            default:
                throw error(i, n, "unexpected \(describe(c)), expected a JSON value")
            }
            // A value is complete: count it in its container, then expect ',' or the container's end.
            while true {
                if current == noContainer {
                    i = skipWhitespace(p, i, n)
                    guard i == n else { throw error(i, n, "unexpected \(describe(JSONBytes.byte(p, i))) after the JSON value") }
                    return
                }
                let container = Int(current)
                tokens[container].length &+= 1
                i = skipWhitespace(p, i, n)
                let isObject = tokens[container].kind == .object
                guard i < n else {
                    throw error(i, n, isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element")
                }
                let c = JSONBytes.byte(p, i)
                if c == comma {
                    i = skipWhitespace(p, i + 1, n)
                    if isObject { try scanKey(p, &i, n, &tokens, "expected string key after ','") }
                    continue parseValue
                }
                if isObject {
                    guard c == closeBrace else { throw error(i, n, "expected ',' or '}' after object member") }
                } else {
                    guard c == closeBracket else { throw error(i, n, "expected ',' or ']' after array element") }
                }
                current = tokens[container].end
                tokens[container].end = UInt32(truncatingIfNeeded: tokens.count)
                depth -= 1
                i += 1
            }
        }
    }

    /// A token for `true`, `false` or `null`.
    @inline(__always)
    static func literal(_ kind: JSONKind, _ i: Int, _ length: UInt32, _ index: Int) -> JSONToken {
        JSONToken(kind: kind, flags: 0, start: UInt32(truncatingIfNeeded: i), length: length,
                  end: UInt32(truncatingIfNeeded: index + 1))
    }

    /// Four bytes at `i` as a little-endian word.
    @inline(__always)
    static func word(_ p: UnsafeRawPointer, _ i: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    /// The index of the first non-whitespace byte at or after `i` (space, tab, LF, CR are whitespace).
    @inline(__always)
    static func skipWhitespace(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n {
            let c = JSONBytes.byte(p, i)
            if c > 0x20 || (c != 0x20 && c != 0x0A && c != 0x0D && c != 0x09) { return i }
            i += 1
        }
        return i
    }

    /// Parses an object key at `i` (which must be a string), the ':' after it and the whitespace before the value.
    @inline(__always)
    static func scanKey(
        _ p: UnsafeRawPointer, _ i: inout Int, _ n: Int, _ tokens: inout ContiguousArray<JSONToken>,
        _ expectation: StaticString
    ) throws(JSONError) {
        guard i < n, JSONBytes.byte(p, i) == quote else { throw error(i, n, "\(expectation)") }
        let start = i + 1
        let (close, flags) = try scanString(p, start, n)
        tokens.append(JSONToken(
            kind: .string, flags: flags, start: UInt32(truncatingIfNeeded: start),
            length: UInt32(truncatingIfNeeded: close - start), end: UInt32(truncatingIfNeeded: tokens.count + 1)))
        i = skipWhitespace(p, close + 1, n)
        guard i < n, JSONBytes.byte(p, i) == colon else { throw error(i, n, "expected ':' after object key") }
        i = skipWhitespace(p, i + 1, n)
    }

    /// A mask with the high bit set in every byte of `w` that is '"', '\\', below 0x20 or at least 0x80.
    /// The lowest set bit is exact (false positives can only occur above a true hit).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = w ^ (ones &* 0x22)
        let backslashes = w ^ (ones &* 0x5C)
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (w &- ones &* 0x20) & ~w
        return (isQuote | isBackslash | isControl | w) & 0x8080_8080_8080_8080
    }

    /// Scans string content starting at `start` (just after the opening quote).
    /// - Returns: The index of the closing quote and the string flags.
    @inline(__always)
    static func scanString(_ p: UnsafeRawPointer, _ start: Int, _ n: Int) throws(JSONError) -> (Int, UInt8) {
        var i = start
        var flags: UInt8 = 0
        while true {
            while i + 8 <= n {
                let mask = specialBytes(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                if mask != 0 {
                    i += mask.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { throw error(n, n, "unterminated string") }
            let c = JSONBytes.byte(p, i)
            if c == quote { return (i, flags) }
            if c == backslash {
                flags |= JSONToken.hasEscapes
                i = try scanEscape(p, i, n)
            } else if c >= 0x80 {
                flags |= JSONToken.nonASCII
                let length = UTF8Validator.sequenceLength(p, i, n)
                guard length != 0 else { throw utf8Error(p, i, n) }
                i += length
            } else if c < 0x20 {
                throw error(i, n, "unescaped control character \(describe(c)) in string")
            } else {
                i += 1
            }
        }
    }

    /// Validates the escape whose backslash is at `i`. - Returns: The index after it.
    static func scanEscape(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) throws(JSONError) -> Int {
        guard i + 1 < n else { throw error(n, n, "unterminated string") }
        switch JSONBytes.byte(p, i + 1) {
        case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = JSONBytes.hex4(p, i + 2, n)
            guard unit >= 0 else {
                throw error(isCutShort(p, i + 2, n, pattern: "XXXX") ? n : i, n, "invalid \\u escape, expected four hex digits")
            }
            if unit >= 0xDC00 && unit <= 0xDFFF { throw error(i, n, "lone low surrogate escape") }
            if unit < 0xD800 || unit > 0xDBFF { return i + 6 }
            let low = i + 7 < n && JSONBytes.byte(p, i + 6) == backslash && JSONBytes.byte(p, i + 7) == UInt8(ascii: "u")
                ? JSONBytes.hex4(p, i + 8, n) : -1
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw error(isCutShort(p, i + 6, n, pattern: "\\uXXXX") ? n : i, n, "lone high surrogate escape")
            }
            return i + 12
        default:
            throw error(i, n, "invalid escape \\\(describe(JSONBytes.byte(p, i + 1)))")
        }
    }

    /// Scans a number literal starting at `start` ('-' or a digit).
    /// - Returns: The index after the literal and whether it has no fraction or exponent.
    @inline(__always)
    static func scanNumber(_ p: UnsafeRawPointer, _ start: Int, _ n: Int) throws(JSONError) -> (Int, Bool) {
        var i = start
        if JSONBytes.byte(p, i) == minus { i += 1 }
        guard i < n else { throw error(i, n, "expected digit after '-'") }
        let first = JSONBytes.byte(p, i)
        if first == UInt8(ascii: "0") {
            i += 1
            if i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) { throw error(i, n, "leading zero in number") }
        } else if JSONBytes.isDigit(first) {
            i += 1
            while i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) { i += 1 }
        } else {
            throw error(i, n, "expected digit after '-'")
        }
        var isInteger = true
        if i < n && JSONBytes.byte(p, i) == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) else {
                throw error(i, n, "expected digit after decimal point")
            }
            i += 1
            while i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) { i += 1 }
        }
        if i < n && JSONBytes.byte(p, i) | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            if i < n && (JSONBytes.byte(p, i) == UInt8(ascii: "+") || JSONBytes.byte(p, i) == minus) { i += 1 }
            guard i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) else { throw error(i, n, "expected digit in exponent") }
            i += 1
            while i < n && JSONBytes.isDigit(JSONBytes.byte(p, i)) { i += 1 }
        }
        return (i, isInteger)
    }

    /// The error for a bad literal: at the end of input when the text is a cut-off prefix of `literal`.
    @inline(never)
    static func literalError(_ p: UnsafeRawPointer, _ i: Int, _ n: Int, _ literal: StaticString) -> JSONError {
        error(isCutShort(p, i, n, pattern: literal) ? n : i, n, "invalid literal, expected \(literal)")
    }

    /// The error for a malformed UTF-8 sequence: at the end of input when it is a well-formed sequence cut short.
    @inline(never)
    static func utf8Error(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> JSONError {
        var padded: (UInt32, UInt32) = (0, 0)
        let cutShort = n - i < 4 && withUnsafeMutableBytes(of: &padded) { buffer in
            // Complete the tail with each continuation byte that some lead byte requires next.
            [UInt8(0x80), 0x90, 0xA0].contains { filler in
                for k in 0..<4 { buffer[k] = i + k < n ? JSONBytes.byte(p, i + k) : filler }
                return UTF8Validator.sequenceLength(UnsafeRawPointer(buffer.baseAddress!), 0, 4) > n - i
            }
        }
        return error(cutShort ? n : i, n, "invalid UTF-8 in string")
    }

    /// Whether the input ends before `pattern` is complete while every byte present at `i` matches it
    /// ('X' in the pattern matches a hex digit).
    static func isCutShort(_ p: UnsafeRawPointer, _ i: Int, _ n: Int, pattern: StaticString) -> Bool {
        guard n - i < pattern.utf8CodeUnitCount else { return false }
        for k in 0..<(n - i) {
            let expected = pattern.utf8Start[k], b = JSONBytes.byte(p, i + k)
            if expected == UInt8(ascii: "X") ? JSONBytes.hexDigit(b) < 0 : b != expected { return false }
        }
        return true
    }

    /// A ``JSONError`` at `position`; says "unexpected end of input" when `position` is the input length `n`.
    @inline(never)
    static func error(_ position: Int, _ n: Int, _ reason: String) -> JSONError {
        JSONError(position: position, reason: position >= n ? "unexpected end of input, \(reason)" : reason)
    }

    /// A byte for an error message: "'x'" for printable ASCII, else "byte 0xNN". Never echoes more than one byte.
    static func describe(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x\(b < 0x10 ? "0" : "")\(hex)"
    }
}
