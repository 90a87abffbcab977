// Errors in segment rules, found at definition time. See docs/segments.md "Errors".

/// A rule that cannot be defined: where (line, column) and what was expected.
///
/// `description` renders the message with the offending source line and a caret under the place:
/// ```
/// 1:10: unknown field commerce.order; expected one of orders, revenue, …
/// commerce.order >= 3
///          ^
/// ```
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the place.
    public let line: Int
    /// 1-based column of the place, in Unicode scalars.
    public let column: Int
    /// Byte offset of the place in the rule's UTF-8 text.
    public let offset: Int
    /// What is wrong and what was expected, without the position.
    public let message: String
    /// The source line holding the place (without its line break).
    public let sourceLine: String

    /// Locates `offset` in `text` and keeps the line for rendering.
    init(_ message: String, at offset: Int, in text: String) {
        let bytes = Array(text.utf8)
        let offset = min(max(offset, 0), bytes.count)
        var lineStart = 0, line = 1
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
        var lineEnd = offset
        while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let before = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
        self.line = line
        self.column = before.unicodeScalars.count + 1
        self.offset = offset
        self.message = message
        var source = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        if source.hasSuffix("\r") { source.removeLast() }
        self.sourceLine = source
    }

    /// `line:column: message`, the source line, and a caret under the column.
    public var description: String {
        var caret = ""
        for s in sourceLine.unicodeScalars.prefix(column - 1) {
            caret += s == "\t" ? "\t" : Self.isWide(s) ? "  " : " "
        }
        return "\(line):\(column): \(message)\n\(sourceLine)\n\(caret)^"
    }

    /// East Asian wide and fullwidth characters, which terminals draw two columns wide.
    static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: true
        default: false
        }
    }
}
