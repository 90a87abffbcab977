import Foundation

// The "how to fix it" part of reject reasons (docs/ingest.md "Reasons"). Everything here runs only on the
// reject path, never for an accepted line, and never quotes an identifier or props value.

/// Suggestions appended to reject reasons: near-miss names, the shape of a line that is not NDJSON, time hints.
enum RejectHints {
    /// The top-level fields of an envelope, for "did you mean".
    static let envelopeFields = ["id", "type", "at", "source", "ids", "props", "offset", "profile"]

    /// `" (did you mean x?)"` when exactly one candidate is close to `word` (same letters ignoring case, or at
    /// most one edit for words up to 4 characters and two edits beyond), else "".
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        let w = Array(word.lowercased().utf8)
        guard !w.isEmpty, w.count <= 64 else { return "" }
        let limit = w.count <= 4 ? 1 : 2
        var best: (name: String, distance: Int)?
        var tie = false
        for c in candidates where c != word {
            let d = editDistance(w, Array(c.lowercased().utf8))
            guard d <= limit else { continue }
            if let b = best, d == b.distance { tie = true }
            if best == nil || d < best!.distance { best = (c, d); tie = false }
        }
        guard let best, !tie else { return "" }
        return " (did you mean \(best.name)?)"
    }

    /// Optimal string alignment distance (insertions, deletions, substitutions, adjacent transpositions).
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }

    /// What a line that is not one JSON object looks like, as a sentence to append to its reason ("" when it
    /// looks like nothing in particular): gzip data, a JSON array, pretty-printed JSON, or CSV.
    static func lineShape(_ line: UnsafeRawBufferPointer) -> String {
        if line.count >= 2 && line[0] == 0x1F && line[1] == 0x8B {
            return "; the input looks gzip-compressed: decompress it first (gunzip -c FILE | daicho append)"
        }
        let text = String(decoding: line.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") && text.count > 1 {
            return "; the line is a JSON array: write one JSON object per line (NDJSON), e.g. with jq -c '.[]'"
        }
        if ["{", "}", "[", "]", "},", "],", "{}", "[{"].contains(text) || isMemberLine(text) {
            return "; this looks like pretty-printed JSON (one object over several lines): write each object on one line, e.g. with jq -c ."
        }
        if !text.hasPrefix("{") && text.contains(",") {
            return "; this looks like CSV: daicho append reads NDJSON, one JSON object per line (docs/ingest.md)"
        }
        return ""
    }

    /// A line such as `"id": "e1",` or `"props": {`: one member of an object written over several lines.
    private static func isMemberLine(_ text: String) -> Bool {
        guard text.hasPrefix("\""), let close = text.dropFirst().firstIndex(of: "\"") else { return false }
        return text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix(":")
    }

    /// A hint for an `at` text that is not an RFC 3339 time ("" when none applies).
    static func time(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.count >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
           bytes[16] == UInt8(ascii: ":"), bytes[17] == UInt8(ascii: "6"), bytes[18] == UInt8(ascii: "0") {
            return ": second 60 (a leap second) is refused, since Unix time has no leap seconds; write :59.999999 or the next second"
        }
        let digits = bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
        if digits && !bytes.isEmpty {
            return ": a number of seconds is not a time; write a date-time such as 2026-06-01T09:00:00+09:00"
        }
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            return ": add a time and a zone, e.g. \(text)T00:00:00+09:00"
        }
        if bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: ":"),
           !text.dropFirst(19).contains(where: { "Zz+-".contains($0) }) {
            return ": add a zone: Z for UTC or an offset such as +09:00"
        }
        if bytes.count >= 24, bytes[4] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: ":"),
           bytes[bytes.count - 5] == UInt8(ascii: "+") || bytes[bytes.count - 5] == UInt8(ascii: "-"),
           bytes.suffix(4).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return ": write the offset with a colon, e.g. +09:00"
        }
        return ""
    }

    /// A distance in time, rounded down to its largest unit: "3 seconds", "25 days", "72 years".
    static func duration(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        let units: [(Int64, String)] = [(31_557_600, "year"), (86_400, "day"), (3_600, "hour"), (60, "minute")]
        for (size, name) in units where seconds >= size {
            let n = seconds / size
            return "\(n) \(name)\(n == 1 ? "" : "s")"
        }
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }

    /// A skew in the syntax of `max_future_skew` (docs/ingest.md "Time"): whole hours as "24h", else minutes
    /// or seconds.
    static func skew(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// Why a number literal was refused, given the `Double` it reads as (±infinity or 0).
    static func numberOutOfRange(_ value: Double) -> String {
        value.isInfinite
            ? "number beyond the range of a 64-bit float (magnitude above 1.7976931348623157e308)"
            : "nonzero number closer to 0 than the smallest 64-bit float (5e-324) would be stored as 0; write 0 or a value of at least 5e-324"
    }
}
