// Tokens of the segment rule language. See docs/segments.md "Lexical rules".

/// A duration literal: a whole number of minutes, hours, days, weeks or years.
public struct RuleDuration: Sendable, Hashable, CustomStringConvertible {
    /// Units of a duration literal.
    public enum Unit: Character, Sendable, Hashable {
        case minutes = "m", hours = "h", days = "d", weeks = "w", years = "y"

        /// Length of one unit in µs: a day is 24 hours, a week 7 days, a year 365 days (no calendar).
        public var micros: Int64 {
            switch self {
            case .minutes: 60_000_000
            case .hours: 3_600_000_000
            case .days: 86_400_000_000
            case .weeks: 7 * 86_400_000_000
            case .years: 365 * 86_400_000_000
            }
        }
    }

    public let amount: Int64
    public let unit: Unit

    /// Length in µs.
    public var micros: Int64 { amount * unit.micros }

    /// As written: `30d`.
    public var description: String { "\(amount)\(unit.rawValue)" }
}

/// `+ - * /` between numbers.
public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    /// `*` and `/` bind tighter than `+` and `-`.
    var binding: Int { self == .add || self == .subtract ? 1 : 2 }
}

/// Kinds of token; keywords are identifiers that the parser recognises by position.
enum TokenKind: Equatable {
    case identifier(String)
    case number(Double)
    case string(String)
    case duration(RuleDuration)
    case leftParen, rightParen, leftBracket, rightBracket, comma, dot
    case comparison(ComparisonOperator)
    case arithmetic(ArithmeticOperator)
    case end
}

/// One token and its byte range in the rule text.
struct Token: Equatable {
    var kind: TokenKind
    var start: Int
    var end: Int
}

/// Splits a rule's UTF-8 text into tokens.
struct RuleLexer {
    /// Longest rule text accepted, in bytes.
    static let maxBytes = 65_536
    /// Longest duration accepted, in days (docs/segments.md).
    static let maxDays: Int64 = 730

    let text: String
    private let bytes: [UInt8]
    private var i = 0
    /// The token before the one being read: after a value, "-" is subtraction.
    private var previous: TokenKind = .end

    /// Whether the previous token ends a value (a field name, number, string or ")").
    private var endsValue: Bool {
        switch previous {
        case .identifier(let word): !ruleKeywords.contains(word)
        case .number, .string, .rightParen: true
        default: false
        }
    }

    init(_ text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    /// All tokens, ending with `.end`.
    /// - Throws: `RuleError` at the first malformed token.
    static func tokenize(_ text: String) throws(RuleError) -> [Token] {
        var lexer = RuleLexer(text)
        guard lexer.bytes.count <= maxBytes else {
            throw RuleError("rule is \(lexer.bytes.count) bytes, longer than the maximum of \(maxBytes)", at: 0, in: text)
        }
        var tokens: [Token] = []
        while true {
            let t = try lexer.next()
            lexer.previous = t.kind
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func error(_ message: String, at offset: Int) -> RuleError { RuleError(message, at: offset, in: text) }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func next() throws(RuleError) -> Token {
        skipSpaceAndComments()
        let start = i
        guard i < bytes.count else { return Token(kind: .end, start: i, end: i) }
        let b = bytes[i]
        func single(_ kind: TokenKind) -> Token { i += 1; return Token(kind: kind, start: start, end: i) }
        switch b {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "."): return single(.dot)
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"): return try comparison()
        case UInt8(ascii: "+"): return single(.arithmetic(.add))
        case UInt8(ascii: "*"): return single(.arithmetic(.multiply))
        case UInt8(ascii: "/"): return single(.arithmetic(.divide))
        case UInt8(ascii: "-"):
            // After a value (a name, number, string or ")") "-" subtracts; elsewhere it is a number's sign.
            if endsValue { return single(.arithmetic(.subtract)) }
            guard i + 1 < bytes.count, Self.isDigit(bytes[i + 1]) else { throw error("unexpected \"-\"; expected a number after the sign", at: start) }
            return try number()
        default:
            if Self.isDigit(b) { return try number() }
            if Self.isIdentifierStart(b) {
                while i < bytes.count, Self.isIdentifierByte(bytes[i]) { i += 1 }
                return Token(kind: .identifier(String(decoding: bytes[start..<i], as: UTF8.self)), start: start, end: i)
            }
            throw error("unexpected character \(quotedCharacter(at: start))", at: start)
        }
    }

    private mutating func skipSpaceAndComments() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            case UInt8(ascii: "#"): while i < bytes.count, bytes[i] != 0x0A { i += 1 }
            default: return
            }
        }
    }

    /// The character starting at `offset`, quoted for a message.
    private func quotedCharacter(at offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "\"" + String(decoding: bytes[offset..<end], as: UTF8.self) + "\""
    }

    private mutating func comparison() throws(RuleError) -> Token {
        let start = i
        let b = bytes[i]
        let nextIsEquals = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "=")
        let op: ComparisonOperator
        switch b {
        case UInt8(ascii: "="):
            guard nextIsEquals else { throw error("unexpected \"=\"; expected == (comparison)", at: start) }
            op = .equal
        case UInt8(ascii: "!"):
            guard nextIsEquals else { throw error("unexpected \"!\"; expected != (comparison) or not", at: start) }
            op = .notEqual
        case UInt8(ascii: "<"): op = nextIsEquals ? .lessOrEqual : .less
        default: op = nextIsEquals ? .greaterOrEqual : .greater
        }
        i += nextIsEquals ? 2 : 1
        return Token(kind: .comparison(op), start: start, end: i)
    }

    /// A number or a duration (digits then a unit letter).
    private mutating func number() throws(RuleError) -> Token {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
        var isInteger = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            guard i + 1 < bytes.count, Self.isDigit(bytes[i + 1]) else {
                throw error("invalid number \(String(decoding: bytes[start...i], as: UTF8.self)); expected digits after the decimal point", at: start)
            }
            isInteger = false
            i += 1
            while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
        }
        let digitsEnd = i
        if i < bytes.count, Self.isIdentifierByte(bytes[i]) {
            while i < bytes.count, Self.isIdentifierByte(bytes[i]) || bytes[i] == UInt8(ascii: ".") { i += 1 }
            let written = String(decoding: bytes[start..<i], as: UTF8.self)
            let unit = i - digitsEnd == 1 ? RuleDuration.Unit(rawValue: Character(Unicode.Scalar(bytes[digitsEnd]))) : nil
            guard let unit, isInteger, bytes[start] != UInt8(ascii: "-") else {
                throw error("invalid duration \(written); expected a whole number followed by m, h, d, w or y", at: start)
            }
            let digits = String(decoding: bytes[start..<digitsEnd], as: UTF8.self)
            let amount = Int64(digits) ?? .max
            let (micros, overflow) = amount.multipliedReportingOverflow(by: unit.micros)
            guard !overflow, micros <= Self.maxDays * RuleDuration.Unit.days.micros else {
                throw error("window \(written) is longer than the maximum of \(Self.maxDays)d", at: start)
            }
            guard amount > 0 else { throw error("a window must be at least 1m", at: start) }
            return Token(kind: .duration(RuleDuration(amount: amount, unit: unit)), start: start, end: i)
        }
        let written = String(decoding: bytes[start..<digitsEnd], as: UTF8.self)
        guard let value = Double(written), value.isFinite else { throw error("invalid number \(written)", at: start) }
        return Token(kind: .number(value), start: start, end: i)
    }

    /// A double-quoted string with JSON's escapes.
    private mutating func string() throws(RuleError) -> Token {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated string; expected a closing \"", at: start) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 {
                throw error("control character U+\(hex4(UInt32(b))) in string; expected \\n, \\t or \\u escapes", at: i)
            }
            guard b == UInt8(ascii: "\\") else { out.append(b); i += 1; continue }
            let escapeStart = i
            guard i + 1 < bytes.count else { throw error("unterminated string; expected a closing \"", at: start) }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hexEscape(at: escapeStart)
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("lone surrogate \\u\(hex4(scalar)); expected a low surrogate \\uDC00-\\uDFFF after it", at: escapeStart)
                    }
                    let lowStart = i
                    i += 2
                    let low = try hexEscape(at: lowStart)
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw error("lone surrogate \\u\(hex4(scalar)); expected a low surrogate \\uDC00-\\uDFFF after it", at: escapeStart)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("lone surrogate \\u\(hex4(scalar)); expected a high surrogate before it", at: escapeStart)
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                let shown = e < 0x80 ? String(Unicode.Scalar(e)) : quotedCharacter(at: escapeStart + 1)
                throw error("unknown escape \\\(shown); expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: escapeStart)
            }
        }
        return Token(kind: .string(String(decoding: out, as: UTF8.self)), start: start, end: i)
    }

    /// Four hex digits at `i` (after `\u`).
    private mutating func hexEscape(at escapeStart: Int) throws(RuleError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("invalid \\u escape; expected 4 hex digits", at: escapeStart) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("invalid \\u escape; expected 4 hex digits", at: escapeStart)
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
