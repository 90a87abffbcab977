import Daicho

/// The id types of Segment's Profile API (`user_id:U-1`, `phone_number:%2B81…`, `ios.id:…`) and the Daicho
/// identifier kinds they select (docs/http-api.md "Segment's Profile API").
enum SegmentIDType {
    /// Segment's names that differ from Daicho's; every Daicho kind name (`user_id`, `email`, `phone`,
    /// `anonymous_id`, `device_id`, `x`, `line`, …) is taken as itself.
    static let aliases: [String: String] = [
        "phone_number": "phone",
        "ios.id": "device_id",
        "android.id": "device_id",
    ]

    /// The selector of a Profile API path segment (`{id_type}:{value}`, percent-encoded), or a Daicho profile id.
    /// - Throws: a 400 response as `ProfileSelector` does.
    static func selector(pathSegment: Substring) throws(ResponseFailure) -> ProfileSelector {
        guard let text = pathSegment.removingPercentEncoding, let colon = text.firstIndex(of: ":") else {
            return try ProfileSelector(pathSegment: pathSegment)
        }
        let name = String(text[..<colon])
        return try ProfileSelector(kindName: aliases[name] ?? name, raw: String(text[text.index(after: colon)...]))
    }
}
