// Building HTML and SVG text: escaping and elements with escaped attributes.

/// Small helpers that write well-formed markup: every text and attribute value goes through ``escape(_:)``.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references, safe in text and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The attributes as ` name="value"` pairs, values escaped.
    static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// `<name attributes>content</name>`; `content` is markup (escape text before passing it).
    static func element(_ name: String, _ attributes: [(String, String)] = [], _ content: String) -> String {
        "<\(name)\(self.attributes(attributes))>\(content)</\(name)>"
    }

    /// `<name attributes/>`: an empty SVG element.
    static func empty(_ name: String, _ attributes: [(String, String)]) -> String {
        "<\(name)\(self.attributes(attributes))/>"
    }

    /// A table with a header row and body rows; cells are markup. Columns listed in `numeric` align right; the
    /// last `totalRows` rows are totals (set in bold).
    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int>, caption: String? = nil,
                      totalRows: Int = 0) -> String {
        var out = "<table>"
        if let caption { out += element("caption", [], caption) }
        out += "<thead><tr>"
        for (k, h) in headers.enumerated() { out += element("th", numeric.contains(k) ? [("class", "n")] : [], h) }
        out += "</tr></thead><tbody>"
        for (r, row) in rows.enumerated() {
            out += r >= rows.count - totalRows ? "<tr class=\"total\">" : "<tr>"
            for (k, cell) in row.enumerated() { out += element("td", numeric.contains(k) ? [("class", "n")] : [], cell) }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }
}
