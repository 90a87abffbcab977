import Foundation

/// Calendar days in the business time zone (docs/profile.md: "Day"), computed without Foundation calls per event.
///
/// The zone's UTC-offset transitions from 1900 to 2200 are listed once at creation; a day is then a binary search
/// (none at all for a zone without transitions, such as UTC). Times after 2200 use the last offset.
public struct BusinessCalendar: Sendable, Equatable {
    public let timeZone: TimeZone
    /// Offset in seconds before the first transition (and always, when `transitions` is empty).
    private let initialOffset: Int64
    /// Transition instants (µs since the epoch), ascending, and the offset in seconds from each one on.
    private let transitions: [Int64]
    private let offsets: [Int64]

    /// Lists the transitions of `timeZone`.
    /// - Complexity: O(transitions) Foundation calls (about 600 for a zone with daylight saving time).
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        let start = Date(timeIntervalSince1970: -2_208_988_800) // 1900-01-01
        let end = 7_258_118_400.0 // 2200-01-01
        initialOffset = Int64(timeZone.secondsFromGMT(for: start))
        var transitions: [Int64] = []
        var offsets: [Int64] = []
        var date = start
        while let next = timeZone.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < end,
              next > date {
            transitions.append(Int64((next.timeIntervalSince1970 * 1_000_000).rounded()))
            offsets.append(Int64(timeZone.secondsFromGMT(for: next)))
            date = next
        }
        self.transitions = transitions
        self.offsets = offsets
    }

    /// The UTC offset in seconds at `micros`.
    @inline(__always)
    public func offsetSeconds(atMicros micros: Int64) -> Int64 {
        if transitions.isEmpty || micros < transitions[0] { return initialOffset }
        var lo = 0, hi = transitions.count // invariant: transitions[lo] <= micros, answer in lo..<hi
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if transitions[mid] <= micros { lo = mid } else { hi = mid }
        }
        return offsets[lo]
    }

    /// The business day of `micros` (µs since the epoch) as days since 1970-01-01 in the business zone.
    @inline(__always)
    public func day(ofMicros micros: Int64) -> Int32 {
        let local = micros &+ offsetSeconds(atMicros: micros) &* 1_000_000
        let day = local >= 0 ? local / 86_400_000_000 : (local + 1) / 86_400_000_000 - 1
        return Int32(clamping: day)
    }

    public static func == (a: BusinessCalendar, b: BusinessCalendar) -> Bool {
        a.timeZone.identifier == b.timeZone.identifier
    }
}
