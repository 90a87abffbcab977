import Daicho
import DaichoJSON

extension SegmentProjection {
    /// The profile JSON that `daicho profile` prints and `GET /v1/profiles/{selector}` answers: the fields of
    /// docs/profile.md, then `segments`, the memberships of `p` and when each began.
    /// - Parameter now: the as-of instant for `age_days` and recency (µs since the epoch).
    public func profileJSON(of p: UInt32, now: Int64) -> JSONValue {
        Self.profileJSON(profiles.json(of: p, now: now), memberships: memberships(of: p))
    }

    /// `profile` (a profile's JSON object, docs/profile.md) with the `segments` member appended: one
    /// `{"segment","since"}` per membership, in definition order (empty when the log defines no segment).
    public static func profileJSON(_ profile: JSONValue, memberships: [(segment: String, since: Int64)]) -> JSONValue {
        guard case .object(var fields) = profile else { return profile }
        fields.append(JSONMember("segments", .array(memberships.map {
            .object([JSONMember("segment", .string($0.segment)),
                     JSONMember("since", .string(RFC3339.string(micros: $0.since, offsetMinutes: 0)))])
        })))
        return .object(fields)
    }
}
