// A strict reader of the report's markup (docs/console.md "Report") for the tests: every tag closed in order, attributes double-quoted,
// text and attribute values using only the five character references the report writes (no raw '<' or '>').
// It returns the elements with their attributes (unescaped) and text, so tests can read back the figures drawn
// (DaichoReportTests, and the CLI's reference test that compares the report with its own recount).

/// One element of the report: its name, attributes, the index of its parent and its whole text content.
public struct MarkupElement: Sendable {
    public var name: String
    public var attributes: [String: String]
    public var parent: Int?
    public var text = ""
}

/// A malformed spot in the markup.
public struct MarkupError: Error, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "markup error at byte \(offset): \(reason)" }
}

/// The parsed report.
public struct MarkupDocument: Sendable {
    public var elements: [MarkupElement] = []

    /// Elements without content in HTML (written without a closing tag).
    static let voidElements: Set<String> = ["meta"]

    /// Parses `html`, checking it is well-formed as described in the file header.
    public init(_ html: String) throws {
        let b = Array(html.utf8)
        var i = 0
        let doctype = Array("<!DOCTYPE html>".utf8)
        guard b.starts(with: doctype) else { throw MarkupError(offset: 0, reason: "no <!DOCTYPE html>") }
        i = doctype.count
        var open: [Int] = []
        func isName(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x3A || c == 0x5F
        }
        func readName() throws -> String {
            let start = i
            while i < b.count && isName(b[i]) { i += 1 }
            guard i > start else { throw MarkupError(offset: i, reason: "expected a name") }
            return String(decoding: b[start..<i], as: UTF8.self)
        }
        func skipSpace() { while i < b.count && (b[i] == 0x20 || b[i] == 0x0A) { i += 1 } }
        while i < b.count {
            let start = i
            while i < b.count && b[i] != UInt8(ascii: "<") { i += 1 }
            if i > start {
                let text = try Self.unescape(b[start..<i], at: start)
                for e in open { elements[e].text += text }
                if i == b.count { break }
            }
            i += 1
            if i < b.count && b[i] == UInt8(ascii: "/") {
                i += 1
                let name = try readName()
                guard i < b.count, b[i] == UInt8(ascii: ">") else { throw MarkupError(offset: i, reason: "expected '>' closing </\(name)") }
                i += 1
                guard let top = open.popLast() else { throw MarkupError(offset: i, reason: "</\(name)> closes nothing") }
                guard elements[top].name == name else {
                    throw MarkupError(offset: i, reason: "</\(name)> closes <\(elements[top].name)>")
                }
                continue
            }
            let name = try readName()
            var attributes: [String: String] = [:]
            while true {
                skipSpace()
                guard i < b.count else { throw MarkupError(offset: i, reason: "unterminated <\(name)>") }
                if b[i] == UInt8(ascii: ">") || (b[i] == UInt8(ascii: "/") && i + 1 < b.count && b[i + 1] == UInt8(ascii: ">")) { break }
                let attribute = try readName()
                guard i + 1 < b.count, b[i] == UInt8(ascii: "="), b[i + 1] == UInt8(ascii: "\"") else {
                    throw MarkupError(offset: i, reason: "attribute \(attribute) of <\(name)> is not name=\"value\"")
                }
                i += 2
                let valueStart = i
                while i < b.count && b[i] != UInt8(ascii: "\"") { i += 1 }
                guard i < b.count else { throw MarkupError(offset: valueStart, reason: "unterminated attribute value") }
                guard attributes[attribute] == nil else { throw MarkupError(offset: valueStart, reason: "duplicate attribute \(attribute)") }
                attributes[attribute] = try Self.unescape(b[valueStart..<i], at: valueStart)
                i += 1
            }
            elements.append(MarkupElement(name: name, attributes: attributes, parent: open.last))
            if b[i] == UInt8(ascii: "/") {
                i += 2
            } else {
                i += 1
                if !Self.voidElements.contains(name) { open.append(elements.count - 1) }
            }
        }
        if let top = open.last { throw MarkupError(offset: b.count, reason: "<\(elements[top].name)> never closed") }
    }

    /// Text with its references replaced; a raw '<' or '>' or an unknown reference is an error.
    static func unescape(_ bytes: ArraySlice<UInt8>, at offset: Int) throws -> String {
        var out: [UInt8] = []
        var k = bytes.startIndex
        let references: [(String, UInt8)] = [("&amp;", 0x26), ("&lt;", 0x3C), ("&gt;", 0x3E), ("&quot;", 0x22), ("&#39;", 0x27)]
        outer: while k < bytes.endIndex {
            let c = bytes[k]
            if c == UInt8(ascii: "<") || c == UInt8(ascii: ">") {
                throw MarkupError(offset: offset + k - bytes.startIndex, reason: "raw '\(UnicodeScalar(c))' in text")
            }
            if c == UInt8(ascii: "&") {
                for (name, byte) in references where bytes[k...].starts(with: name.utf8) {
                    out.append(byte)
                    k += name.utf8.count
                    continue outer
                }
                throw MarkupError(offset: offset + k - bytes.startIndex, reason: "unknown character reference")
            }
            out.append(c)
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `data-panel` of the element or its nearest ancestor that has one.
    public func panel(of index: Int) -> String? {
        var k: Int? = index
        while let e = k {
            if let panel = elements[e].attributes["data-panel"] { return panel }
            k = elements[e].parent
        }
        return nil
    }

    /// The elements that carry `attribute`.
    public func elements(with attribute: String) -> [(index: Int, element: MarkupElement)] {
        elements.enumerated().filter { $0.element.attributes[attribute] != nil }.map { ($0.offset, $0.element) }
    }

    /// Every drawn series of a report: `"panel|series|measure"` (measure empty when none) → the values of its
    /// `data-values`, as written (the dashboard object's figures; `null` where it has `null`).
    public func drawnSeries() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (index, e) in elements(with: "data-values") {
            let key = "\(panel(of: index) ?? "?")|\(e.attributes["data-series"] ?? "?")|\(e.attributes["data-measure"] ?? "")"
            let values = e.attributes["data-values"]!
            out[key] = values.isEmpty ? [] : values.split(separator: " ").map(String.init)
        }
        return out
    }
}
