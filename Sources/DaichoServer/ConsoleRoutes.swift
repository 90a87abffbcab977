import Daicho
import DaichoConsole
import DaichoHTTP
import Foundation

/// The web console's files (docs/console.md "Console pages"), embedded in the binary by the `DaichoConsole` C
/// target and served at `/` without a token (the page signs in with the read token in JavaScript): `GET /` is
/// `index.html`, `GET /{path}` the embedded file of that path. Each answer carries a strong `ETag` (computed once,
/// when the server starts), `Cache-Control: no-cache` (the browser revalidates, and gets a 304 when unchanged) and
/// the console's security headers.
struct ConsoleRoutes: Sendable {
    /// One embedded file, ready to answer.
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// `"<16 hex digits>"`: the XXH64 of the bytes.
        let etag: String
    }

    /// By path under `/`, without the leading slash (`index.html`, `app.js`).
    let files: [String: File]

    /// The headers every console file is answered with (docs/http-api.md "Console").
    static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// The files embedded in the binary.
    static let embedded = ConsoleRoutes(assets: (0..<daicho_console_asset_count()).map { i in
        let asset = daicho_console_asset_at(i)!.pointee
        return (String(cString: asset.path), Array(UnsafeBufferPointer(start: asset.bytes, count: asset.count)))
    })

    /// The console over `assets` (path under `/`, bytes).
    init(assets: [(path: String, bytes: [UInt8])]) {
        var files: [String: File] = [:]
        for (path, bytes) in assets {
            let hash = bytes.withUnsafeBytes { XXHash64.hash($0) }
            let hex = String(hash, radix: 16)
            files[path] = File(bytes: bytes, contentType: Self.contentType(of: path),
                               etag: "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\"")
        }
        self.files = files
    }

    /// The embedded file a request path names (`/` is `index.html`), if any.
    func file(at path: Substring) -> File? {
        guard path.first == "/" else { return nil }
        let name = path.dropFirst()
        return files[name.isEmpty ? "index.html" : String(name)]
    }

    /// The answer to `GET` or `HEAD` of `file`: 304 without a body when `If-None-Match` names its ETag (or `*`).
    func respond(_ file: File, _ head: RequestHead) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("ETag", file.etag), ("Cache-Control", "no-cache")]
        if let asked = head.header("if-none-match"), Self.matches(asked, file.etag) {
            return HTTPResponse(status: 304, headers: headers)
        }
        headers.insert(("Content-Type", file.contentType), at: 0)
        return HTTPResponse(status: 200, headers: headers + Self.securityHeaders, body: file.bytes)
    }

    /// Whether an `If-None-Match` value (a list of entity tags, weak or strong, or `*`) names `etag`: the weak
    /// comparison RFC 9110 §13.1.2 asks for.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { tag in
            let t = tag.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || (t.hasPrefix("W/") && t.dropFirst(2) == etag)
        }
    }

    /// The `Content-Type` of a file by its extension.
    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
