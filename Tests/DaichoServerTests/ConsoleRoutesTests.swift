import Daicho
import DaichoHTTP
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// The console's files at `/` (docs/http-api.md "Console"): every embedded file at its path without a token, with
/// its type, a strong ETag that revalidates to 304, `HEAD`, the security headers, and 404/405 around them.
@Suite(.serialized) struct ConsoleRoutesTests {
    /// The value of header `name` in a reply head, if present.
    static func header(_ name: String, in head: String) -> String? {
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    @Test func everyEmbeddedFileIsServedAtItsPathWithoutAToken() throws {
        let s = try ServingDirectory()
        let files = ConsoleRoutes.embedded.files
        #expect(files["index.html"] != nil, "the console has no index.html")
        for (path, file) in files {
            let r = try s.request("GET", "/" + path, auth: nil)
            #expect(r.status == 200, "\(path)")
            #expect(Array(r.body.utf8) == file.bytes || !file.contentType.contains("utf-8"), "\(path): other bytes")
            #expect(Self.header("Content-Type", in: r.head) == file.contentType, "\(path)")
            #expect(Self.header("Content-Length", in: r.head) == String(file.bytes.count), "\(path)")
            #expect(Self.header("Cache-Control", in: r.head) == "no-cache")
            for (name, value) in ConsoleRoutes.securityHeaders { #expect(Self.header(name, in: r.head) == value, "\(name)") }
        }
        let root = try s.request("GET", "/", auth: nil)
        #expect(root.status == 200 && Array(root.body.utf8) == files["index.html"]!.bytes)
        #expect(Self.header("Content-Type", in: root.head) == "text/html; charset=utf-8")
        // Content-Security-Policy exactly as the console is built for (no inline script or style, no framing).
        #expect(Self.header("Content-Security-Policy", in: root.head)
            == "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
        #expect(Self.header("X-Content-Type-Options", in: root.head) == "nosniff")
        #expect(Self.header("Referrer-Policy", in: root.head) == "no-referrer")
    }

    @Test func aStrongETagRevalidatesTo304AndHeadAnswersWithoutABody() throws {
        let s = try ServingDirectory()
        let index = ConsoleRoutes.embedded.files["index.html"]!
        let first = try s.request("GET", "/", auth: nil)
        let etag = try #require(Self.header("ETag", in: first.head))
        #expect(etag == index.etag && etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
        let hash = index.bytes.withUnsafeBytes { XXHash64.hash($0) }
        #expect(etag == "\"" + String(format: "%016llx", hash) + "\"")
        let again = try s.request("GET", "/index.html", auth: nil, headers: ["If-None-Match: \(etag)"])
        #expect(again.status == 304 && again.body.isEmpty)
        #expect(Self.header("ETag", in: again.head) == etag)
        let listed = try s.request("GET", "/", auth: nil, headers: ["If-None-Match: \"0000000000000000\", W/\(etag)"])
        #expect(listed.status == 304)
        let other = try s.request("GET", "/", auth: nil, headers: ["If-None-Match: \"0000000000000000\""])
        #expect(other.status == 200 && Array(other.body.utf8) == index.bytes)
        let head = try s.request("HEAD", "/", auth: nil)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(Self.header("Content-Length", in: head.head) == String(index.bytes.count))
        #expect(Self.header("ETag", in: head.head) == etag)
    }

    @Test func unknownPathsAre404AndOtherMethods405() throws {
        let s = try ServingDirectory()
        #expect(try s.request("GET", "/no-such-file.js", auth: nil).status == 404)
        #expect(try s.request("GET", "/../index.html", auth: nil).status == 404)
        #expect(try s.request("GET", "/v1/index.html", auth: nil).status == 404)
        let post = try s.request("POST", "/", auth: nil, body: "x")
        #expect(post.status == 405 && Self.header("Allow", in: post.head) == "GET, HEAD")
        // The API still wants its token: only the console's files are open.
        #expect(try s.request("GET", "/v1/segments", auth: nil).status == 401)
    }

    @Test func theMetricsRouteLabelOfEveryFileIsConsole() throws {
        let s = try ServingDirectory()
        _ = try s.request("GET", "/", auth: nil)
        _ = try s.request("GET", "/index.html", auth: nil)
        let samples = try MetricsRouteTests.scrape(s)
        #expect(samples[#"daicho_http_requests_total{route="/console",status="200"}"#] == 2)
        #expect(!samples.keys.contains { $0.contains("index.html") })
    }

    @Test(arguments: [("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"),
                      ("a/b.css", "text/css; charset=utf-8"), ("logo.svg", "image/svg+xml"), ("icon.png", "image/png"),
                      ("messages.json", "application/json"), ("favicon.ico", "image/x-icon")])
    func contentTypeByExtension(path: String, type: String) {
        #expect(ConsoleRoutes.contentType(of: path) == type)
        let console = ConsoleRoutes(assets: [(path, Array("x".utf8))])
        #expect(console.file(at: Substring("/" + path))?.contentType == type)
    }
}
