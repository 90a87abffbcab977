import Foundation
import Daicho
import DaichoJSON
import DaichoProjections

// Time options (`--as-of`, `--since`, `--until`): an RFC 3339 time, or a date alone taken in the business time
// zone of the data directory (`business_time_zone` in DIR/daicho.json, docs/profile.md). A date stands for the
// whole day: `--since` takes its first microsecond, `--until` and `--as-of` its last (README "Times").

extension ParsedArguments {
    /// The time option `name` in µs since the epoch, or nil when absent. A date alone (`2026-06-01`) is that day in
    /// the business time zone: its start for `--since`, its last microsecond for every other option.
    /// - Parameter zone: the zone of a date alone; nil: the business time zone of the data directory.
    /// - Throws: `UsageError` naming the option and the value when it is neither, or when the data directory's
    ///   settings (which hold the time zone) cannot be read.
    func time(_ name: String, _ spec: CommandSpec, zone: TimeZone? = nil) throws(UsageError) -> Int64? {
        guard let raw = value(name) else { return nil }
        if let t = RFC3339.parse(raw) { return t.micros }
        guard raw.utf8.count == 10, RFC3339.parse(raw + "T00:00:00Z") != nil else {
            var hint = ""
            if raw.contains("T") && !raw.hasSuffix("Z") && !raw.dropFirst(11).contains(where: { $0 == "+" || $0 == "-" }) {
                hint = "; add a zone, e.g. \"\(raw)+09:00\" or \"\(raw)Z\""
            }
            throw UsageError(message: "\(name): \"\(raw)\" is not an RFC 3339 time (2026-06-01T10:00:00+09:00) or a date (2026-06-01)\(hint)",
                             usage: spec.usage)
        }
        let dayZone: TimeZone
        if let zone { dayZone = zone } else { do { dayZone = try ProjectionSettings.load(dataDirectory).profile.businessTimeZone } catch {
            throw UsageError(message: "\(name): a date alone is taken in the business time zone, which cannot be read: \(error)",
                             usage: spec.usage)
        } }
        let day = businessDay(raw, in: dayZone)
        return name == "--since" ? day.start : day.end
    }
}

/// The first and last microsecond of the calendar day `date` (`YYYY-MM-DD`, already validated) in `zone`.
func businessDay(_ date: String, in zone: TimeZone) -> (start: Int64, end: Int64) {
    let parts = date.split(separator: "-").map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    let next = calendar.date(byAdding: .day, value: 1, to: start)!
    func micros(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1_000_000).rounded()) }
    return (micros(start), micros(next) - 1)
}

extension RFC3339 {
    /// Parses a `String` (see ``parse(_:)``).
    static func parse(_ text: String) -> (micros: Int64, offsetMinutes: Int16)? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { RFC3339.parse(UnsafeRawBufferPointer($0)) }
    }
}
