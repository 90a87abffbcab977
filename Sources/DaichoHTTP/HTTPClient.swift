import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client: one request per connection (`Connection: close`), plain HTTP (a TLS proxy's plain
/// side, or the server itself), no redirects. What `daicho append --server` posts with.
public enum HTTPClient {
    /// A response: the status and the body (by `Content-Length`, else up to the end of the connection).
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Why a request got no response.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Where an `http://host[:port][/prefix]` URL points.
    public struct Endpoint: Sendable, Equatable {
        public var host: String
        public var port: UInt16
        /// The path before the route (`""` for none), without a trailing slash.
        public var prefix: String

        /// Parses `url`; nil when it is not an `http://` URL with a host and an optional port.
        public init?(_ url: String) {
            guard url.lowercased().hasPrefix("http://") else { return nil }
            var rest = url.dropFirst(7)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            var path = rest[slash...]
            while path.hasSuffix("/") { path = path.dropLast() }
            rest = rest[..<slash]
            var hostPart = rest, portPart: Substring = "80"
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                hostPart = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { return nil }
            } else if let colon = rest.firstIndex(of: ":") {
                hostPart = rest[..<colon]
                portPart = rest[rest.index(after: colon)...]
            }
            guard !hostPart.isEmpty, let port = UInt16(portPart) else { return nil }
            host = String(hostPart)
            self.port = port
            prefix = String(path)
        }
    }

    /// Sends one request and reads the response.
    /// - Parameters:
    ///   - path: the route after the endpoint's prefix (`/v1/import`).
    ///   - timeoutMillis: for connecting and sending, and again for the whole response.
    /// - Throws: `Failure` naming the endpoint when it cannot be reached or answers something that is not HTTP.
    public static func send(_ method: String, to endpoint: Endpoint, path: String, headers: [(String, String)] = [],
                            body: [UInt8] = [], timeoutMillis: Int = 300_000) throws(Failure) -> Reply {
        let address = "\(endpoint.host):\(endpoint.port)"
        let socket: Socket
        do { socket = try Socket.connect(host: try resolve(endpoint.host), port: endpoint.port) } catch {
            throw Failure("cannot connect to \(address): \(describe(error))")
        }
        var head = "\(method) \(endpoint.prefix)\(path) HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        do {
            try socket.write(Array((head + "\r\n").utf8) + body, until: Deadline(millisFromNow: timeoutMillis))
        } catch {
            throw Failure("cannot send the request to \(address): \(describe(error))")
        }
        let received: [UInt8]
        do { received = try socket.readUntilClosed(until: Deadline(millisFromNow: timeoutMillis)) } catch {
            throw Failure("no response from \(address): \(describe(error))")
        }
        return try parse(received, from: address)
    }

    /// The status and body of a whole response.
    static func parse(_ bytes: [UInt8], from address: String) throws(Failure) -> Reply {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) }) else {
            throw Failure("\(address) closed the connection without a complete response")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw Failure("\(address) did not answer with HTTP/1.1")
        }
        var body = Array(bytes[(end + 4)...])
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length", let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) {
                guard body.count >= n else { throw Failure("\(address) closed the connection in the middle of the response") }
                body.removeSubrange(n...)
            }
        }
        return Reply(status: status, body: body)
    }

    /// The first address of `host` (an IP literal as it is).
    static func resolve(_ host: String) throws(Socket.Failure) -> String {
        var v4 = in_addr(), v6 = in6_addr()
        if host == "localhost" || inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 { return host }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else { throw .system(EINVAL, "cannot resolve \(host): \(String(cString: gai_strerror(rc)))") }
        defer { freeaddrinfo(list) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if first.pointee.ai_family == AF_INET6 {
            first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { var a = $0.pointee.sin6_addr; _ = inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) }
        } else {
            first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { var a = $0.pointee.sin_addr; _ = inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func describe(_ error: Socket.Failure) -> String {
        switch error {
        case .system(let code, let call): "\(call): \(String(cString: strerror(code)))"
        case .timedOut: "timed out"
        case .closed: "the connection was closed"
        }
    }
}
