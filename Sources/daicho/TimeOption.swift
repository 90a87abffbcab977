import Foundation
import Daicho
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
        let date: String
        switch QueryTime.parse(raw) {
        case .time(let t): return t
        case .date(let d): date = d
        case .invalid:
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
        return QueryTime.day(date, in: dayZone, edge: name == "--since" ? .start : .end)
    }
}
