import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The addresses of `daicho serve --trusted-proxy` and the client address of a request they forward
/// (docs/http-api.md "Behind a proxy"): `X-Forwarded-For` counts only when the connection comes from one of them.
public struct TrustedProxies: Sendable {
    private let addresses: Set<String>

    /// No trusted proxy: every request's client is its peer.
    public static let none = TrustedProxies(canonical: [])

    private init(canonical: Set<String>) { addresses = canonical }

    /// Trusts the given IPv4 or IPv6 addresses (`127.0.0.1`, `::1`, `10.0.0.7`).
    /// - Throws: `InvalidAddress` naming the first that is no IP address.
    public init(_ addresses: [String]) throws(InvalidAddress) {
        var set: Set<String> = []
        for a in addresses {
            guard let c = Self.canonical(a) else { throw InvalidAddress(text: a) }
            set.insert(c)
        }
        self.init(canonical: set)
    }

    /// An `--trusted-proxy` value that is no IP address.
    public struct InvalidAddress: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "--trusted-proxy: \"\(text.prefix(64))\" is not an IPv4 or IPv6 address" }
    }

    /// The client of a request from `peer` with the `X-Forwarded-For` values `forwardedFor` (every such header,
    /// in order): the peer unless it is trusted; else the right-most address of the chain that is not a trusted
    /// proxy (the left-most when all are; a token that is no address ends the walk at the hop after it).
    public func client(peer: String, forwardedFor: [String]) -> String {
        guard let p = Self.canonical(peer), addresses.contains(p) else { return peer }
        var client = peer
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in chain.reversed() {
            guard let c = Self.canonical(hop) else { break }
            client = c
            if !addresses.contains(c) { break }
        }
        return client
    }

    /// The address in `inet_ntop`'s form, so `::1` and `0:0:0:0:0:0:0:1` compare equal; nil when it is none.
    static func canonical(_ text: String) -> String? {
        var v4 = in_addr(), v6 = in6_addr()
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if inet_pton(AF_INET, text, &v4) == 1 {
            _ = inet_ntop(AF_INET, &v4, &out, socklen_t(out.count))
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            _ = inet_ntop(AF_INET6, &v6, &out, socklen_t(out.count))
        } else {
            return nil
        }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
