import DaichoHTTP

/// The parameters of a request target's query (`?limit=10&cursor=…`), percent-decoded (`+` is a space, as HTML
/// forms send it); a name given twice keeps its last value.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// `limit` when absent (docs/http-api.md "Read routes").
    static let defaultLimit = 100
    /// `limit` at most.
    static let maxLimit = 1000

    init(_ query: Substring) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { continue }
            values[name] = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// `limit`: 1 to 1,000, default 100.
    /// - Throws: a 400 response naming the bad value.
    func limit() throws(ResponseFailure) -> Int {
        guard let raw = values["limit"] else { return Self.defaultLimit }
        guard let n = Int(raw), n >= 1, n <= Self.maxLimit else {
            throw ResponseFailure(.error(400, "limit: \"\(raw)\" is not an integer from 1 to \(Self.maxLimit)"))
        }
        return n
    }

    /// A query component without its percent-encoding; nil when the encoding is broken or not UTF-8.
    static func decode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
