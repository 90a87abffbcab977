// JSON text output for export (RFC 8259).

/// Writes JSON text: strings, integers and doubles appended to a byte array.
public enum JSONWriter {
    /// Appends `utf8` as a quoted JSON string.
    ///
    /// Escapes '"' and '\\'; control characters as `\b \t \n \f \r` where JSON has a short form, else `\u00XX`
    /// (the same choice as ECMAScript's `JSON.stringify`). Non-ASCII bytes and '/' are copied unescaped.
    /// - Parameters:
    ///   - utf8: The string's bytes; must be valid UTF-8 (they are copied as they are).
    ///   - out: Receives the text.
    /// - Complexity: O(n); runs without escapes are copied in bulk.
    public static func appendString(_ utf8: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if let p = utf8.baseAddress {
            let base = p.assumingMemoryBound(to: UInt8.self)
            var run = 0
            for i in 0..<utf8.count {
                let c = base[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: i - run))
                appendEscape(c, to: &out)
                run = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: utf8.count - run))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `string` as a quoted JSON string (see ``appendString(_:to:)-(UnsafeRawBufferPointer,_)``).
    public static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends `v` in decimal.
    public static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var k = 20
            repeat {
                k -= 1
                digits[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
            } while magnitude != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k...]))
        }
    }

    /// Appends `v` as a JSON number: the shortest text that reads back as the same `Double`.
    ///
    /// Choice: Swift's shortest round-trip form ("0.1", "12.0", "1e-05", "1e+20"); integral values keep ".0" so a
    /// double read back is a double again, never an integer.
    /// NaN and infinities have no JSON form and are written as `null`.
    public static func appendDouble(_ v: Double, to out: inout [UInt8]) {
        guard v.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        // Swift's description is the shortest form that reads back to the same double, and keeps ".0" on
        // integral values, so a double stays a double through export and ingest (docs/event-encoding.md).
        var text = v.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Appends the escape sequence for `c` ('"', '\\' or a control character).
    static func appendEscape(_ c: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(c)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(UInt8(ascii: "u"))
            out.append(0x30)
            out.append(0x30)
            out.append(hex.utf8Start[Int(c >> 4)])
            out.append(hex.utf8Start[Int(c & 0xF)])
        }
    }
}
