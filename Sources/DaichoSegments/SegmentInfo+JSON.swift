import Daicho
import DaichoJSON

extension SegmentInfo {
    /// The segment as `daicho segment list` prints it and `GET /v1/segments` answers:
    /// `{"name","rule","description","members","defined_at","offset","history"}`, plus `"error"` when the stored
    /// rule does not check; `history` is `[{"day","entered","exited","members"}…]` over the last 30 business days.
    public var json: JSONValue {
        var fields = [
            JSONMember("name", .string(name)), JSONMember("rule", .string(rule)),
            JSONMember("description", .string(description)), JSONMember("members", .int(Int64(members))),
            JSONMember("defined_at", .string(RFC3339.string(micros: definedAt, offsetMinutes: 0))),
            JSONMember("offset", .int(Int64(definedOffset))),
        ]
        fields.append(JSONMember("history", .array(history.map(\.json))))
        if let error { fields.append(JSONMember("error", .string(error))) }
        return .object(fields)
    }
}
