import DaichoHTTP
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// The order in which a request is decided (docs/http-api.md "Authentication", "HTTP/1.1"): first its route — a
/// path that is no route is `404` and a method its route does not take `405` with `Allow`, whatever the
/// credential —, then the route's credential (`401`), then the declared body size (`413`), all before the body is
/// read or `100 Continue` is sent; `/metrics` counts each under the route's label (`other` for 404 and 405).
@Suite(.serialized) struct RouteOrderTests {
    /// The value of header `name` in a response head.
    static func header(_ name: String, in head: String) -> String? {
        head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    /// Sends a request head declaring a body of `length` bytes with `Expect: 100-continue`, sends no body, and
    /// reads the reply until the server closes the connection.
    static func expectingContinue(_ s: ServingDirectory, _ method: String, _ path: String, auth: String, length: Int) throws -> String {
        let c = try Socket.connect(host: "127.0.0.1", port: s.port)
        let head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nAuthorization: \(auth)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
        try c.write(Array(head.utf8), until: Deadline(millisFromNow: 5000))
        return String(decoding: try c.readUntilClosed(until: Deadline(millisFromNow: 10_000)), as: UTF8.self)
    }

    @Test func theRouteIsDecidedBeforeTheCredential() throws {
        let s = try ServingDirectory()
        // No route: 404, with no credential, a wrong one or the read token.
        for auth in [nil, "Bearer drt_wrong", ""] {
            for path in ["/v1/no-such-route", "/v1/profiles/user_id:U1/no-such-call", "/v1"] {
                let r = try s.request("GET", path, auth: auth)
                #expect(r.status == 404, "\(path) with \(auth ?? "no credential")")
                #expect(r.error["code"] as? String == "not_found")
                #expect(Self.header("WWW-Authenticate", in: r.head) == nil)
            }
        }
        // A method the route does not take: 405 with the methods it takes, before any credential is looked at.
        let wrong: [(method: String, path: String, allowed: String)] = [
            ("GET", "/v1/batch", "POST"), ("PUT", "/v1/track", "POST"), ("GET", "/v1/import", "POST"),
            ("POST", "/healthz", "GET"), ("POST", "/readyz", "GET"), ("DELETE", "/metrics", "GET"),
            ("POST", "/v1/profiles/user_id:U1", "GET"), ("PUT", "/v1/events/live", "GET"),
            ("PATCH", "/v1/segments/buyers", "GET, PUT, DELETE"), ("PATCH", "/v1/segments/check", "GET, PUT, DELETE, POST"),
            ("POST", "/index.html", "GET, HEAD"),
        ]
        for w in wrong {
            for auth in [nil, "Bearer drt_wrong", ""] {
                let r = try s.request(w.method, w.path, auth: auth)
                #expect(r.status == 405, "\(w.method) \(w.path) with \(auth ?? "no credential")")
                #expect(Self.header("Allow", in: r.head) == w.allowed, "\(w.method) \(w.path): \(r.head)")
            }
        }
        // A route that exists: the credential decides.
        #expect(try s.request("GET", "/v1/profiles/user_id:U1", auth: nil).status == 401)
        #expect(try s.request("GET", "/v1/profiles/user_id:U1").status == 404, "no such customer, with the read token")

        let text = try s.request("GET", "/metrics", auth: nil).body
        #expect(text.contains(#"daicho_http_requests_total{route="other",status="404"} 9"#), "\(text)")
        #expect(text.contains(#"daicho_http_requests_total{route="other",status="405"} \#(wrong.count * 3)"#))
        #expect(text.contains(#"daicho_http_requests_total{route="/v1/profiles/{selector}",status="401"} 1"#))
        #expect(text.contains(#"daicho_http_requests_total{route="/v1/profiles/{selector}",status="404"} 1"#))
    }

    @Test func theCredentialIsCheckedBeforeTheBodySizeAndBeforeContinue() throws {
        let s = try ServingDirectory()
        let tooLarge = Router.maxMessageBody + 1
        let wrongKey = "Basic " + Data("dwk_wrong:".utf8).base64EncodedString()
        let refused = try Self.expectingContinue(s, "POST", "/v1/track", auth: wrongKey, length: tooLarge)
        #expect(refused.hasPrefix("HTTP/1.1 401 "), "\(refused)")
        #expect(refused.contains("WWW-Authenticate: Basic realm=\"daicho\""))
        #expect(!refused.contains("100 Continue"))
        let rightKey = "Basic " + Data((s.writeKey + ":").utf8).base64EncodedString()
        let tooBig = try Self.expectingContinue(s, "POST", "/v1/track", auth: rightKey, length: tooLarge)
        #expect(tooBig.hasPrefix("HTTP/1.1 413 "), "\(tooBig)")
        #expect(!tooBig.contains("100 Continue"))
        // The same order on a read route that takes a body.
        let readRefused = try Self.expectingContinue(s, "PUT", "/v1/segments/buyers", auth: "Bearer drt_wrong",
                                                     length: SegmentRoutes.maxBody + 1)
        #expect(readRefused.hasPrefix("HTTP/1.1 401 "), "\(readRefused)")
        let readTooBig = try Self.expectingContinue(s, "PUT", "/v1/segments/buyers", auth: "Bearer \(s.readToken)",
                                                    length: SegmentRoutes.maxBody + 1)
        #expect(readTooBig.hasPrefix("HTTP/1.1 413 "), "\(readTooBig)")
        // A wrong method is 405 before the credential and the size.
        let wrongMethod = try Self.expectingContinue(s, "PATCH", "/v1/track", auth: wrongKey, length: tooLarge)
        #expect(wrongMethod.hasPrefix("HTTP/1.1 405 "), "\(wrongMethod)")
        #expect(Self.header("Allow", in: wrongMethod) == "POST")
    }
}
