import Daicho
import DaichoProjections

/// The `{selector}` of `/v1/profiles/{selector}`: `{kind}:{value}` (the value as producers write it, normalized
/// as ingest does: `email:Taro%40Example.jp`, `phone:03-1234-5678`) or a profile id (`p-` and 16 hex digits).
enum ProfileSelector {
    case id(String)
    case identifier(IdentifierKind, String)

    /// Parses a path segment (percent-encoded).
    /// - Throws: a 400 response when it selects nobody by construction: broken encoding, an unknown kind, or a
    ///   value ingest would refuse (the value masked, docs/identity.md "Privacy").
    init(pathSegment: Substring) throws(ResponseFailure) {
        guard let text = pathSegment.removingPercentEncoding else {
            throw ResponseFailure(.error(400, "the profile selector is not valid percent-encoded UTF-8"))
        }
        if text.hasPrefix("p-") && text.utf8.count == 18 && UInt64(text.dropFirst(2), radix: 16) != nil {
            self = .id(text)
            return
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw ResponseFailure(.error(400, "a profile selector is KIND:VALUE (email:taro%40example.jp) or a profile id (p- and 16 hex digits)"))
        }
        try self.init(kindName: String(text[..<colon]), raw: String(text[text.index(after: colon)...]))
    }

    /// The selector `name:raw` (already percent-decoded).
    /// - Throws: a 400 response for an unknown kind or a value ingest would refuse (masked).
    init(kindName name: String, raw: String) throws(ResponseFailure) {
        guard let kind = IdentifierKind.named(name) else {
            throw ResponseFailure(.error(400, "unknown identifier kind \"\(name.prefix(32))\" (user_id, email, phone, anonymous_id, device_id, or a social platform such as x or line)"))
        }
        if case .failure(let why) = IdentifierNormalizer().normalize(raw, kind: kind) {
            throw ResponseFailure(.error(400, "\(name):\(IdentifierMask.mask(raw, kind: kind)) cannot be normalized: \(why)"))
        }
        self = .identifier(kind, raw)
    }

    /// The selector as the library's one-customer queries take it.
    var key: CustomerKey {
        switch self {
        case .id(let id): .id(id)
        case .identifier(let kind, let raw): .identifier(kind, raw)
        }
    }

    /// The selector as a message may show it (identifier values masked).
    var described: String {
        switch self {
        case .id(let id): id
        case .identifier(let kind, let raw): "\(kind.name):\(IdentifierMask.mask(raw, kind: kind))"
        }
    }

    /// The living profile selected (an absorbed id resolves to its survivor), if any.
    func find(in projection: ProfileProjection) -> UInt32? { key.find(in: projection) }

    /// The 404 for a selector that matches nobody.
    var notFound: ResponseFailure { ResponseFailure(.error(404, "no profile matches \(described)")) }
}
