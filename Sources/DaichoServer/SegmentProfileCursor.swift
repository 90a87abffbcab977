import Daicho
import Foundation

/// The `cursor` object of Segment's Profile API lists: `{"url","has_more","next","limit"}`. `next` is the
/// cursor to pass as `?next=` for the following page (`""` on the last page); `url` is this list's URL with it.
struct SegmentProfileCursor {
    let path: Substring
    /// The request's query, whose `next` (or `cursor`) is replaced.
    let query: Substring
    let limit: Int

    /// The cursor object after a page; `next` nil on the last page.
    func json(next: String?) -> JSONValue {
        var pairs = query.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return name != "next" && name != "cursor"
        }.map(String.init)
        if let next { pairs.append("next=" + (next.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? next)) }
        return .object([
            JSONMember("url", .string(pairs.isEmpty ? String(path) : path + "?" + pairs.joined(separator: "&"))),
            JSONMember("has_more", .bool(next != nil)),
            JSONMember("next", .string(next ?? "")),
            JSONMember("limit", .int(Int64(limit))),
        ])
    }

    /// The characters a query value keeps unescaped (RFC 3986 unreserved).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
