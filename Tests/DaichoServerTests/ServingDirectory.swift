import Daicho
import DaichoHTTP
@testable import DaichoServer
import DaichoTestSupport
import Foundation

/// A data directory served on a free port of 127.0.0.1 by `Server` (what `daicho serve` runs), with a small
/// HTTP client; `finish` stops it as a SIGTERM would.
final class ServingDirectory: @unchecked Sendable {
    let t = TemporaryDirectory()
    let data: DataDirectory
    let server: Server
    let keys: ServeKeys
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Starts serving a directory holding `lines` (envelopes appended before the start).
    /// - Parameter directory: serve this directory (another's, after it finished) instead of a new one.
    init(lines: [String] = [], directory: DataDirectory? = nil, snapshotEvery: Int = Server.defaultSnapshotEvery,
         feedKeepAlive: Duration = .seconds(15), feedRetained: Int = Server.defaultFeedRetained,
         trustedProxies: TrustedProxies = .none) throws {
        data = directory ?? DataDirectory(t.path + "/data")
        if !lines.isEmpty {
            let store = try EventStore.open(data)
            _ = try store.appendLines(lines.map { Array($0.utf8)[...] }, arrivalMicros: wallClockMicros())
            try store.close()
        }
        server = try Server.start(data, host: "127.0.0.1", port: 0, snapshotEvery: snapshotEvery,
                                  feedKeepAlive: feedKeepAlive, feedRetained: feedRetained, trustedProxies: trustedProxies)
        keys = try ServeKeys.read(path: server.keysPath)
        let s = server, d = done
        Thread { s.run(); d.signal() }.start()
    }

    deinit { try? finish() }

    /// Stops serving and finishes (everything durable, the snapshot written).
    func finish() throws {
        guard !finished else { return }
        finished = true
        server.stop()
        done.wait()
        try server.finish()
    }

    var readToken: String { keys.readTokens[0] }
    var writeKey: String { keys.writeKeys[0].key }

    /// What a request got back.
    struct Reply {
        var status: Int
        var head: String
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        var data: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
        var next: String? { json["next"] as? String }
    }

    /// Sends one request on a new connection (`Connection: close`) and reads the whole reply.
    /// - Parameter auth: the `Authorization` value; default the read token as a bearer.
    func request(_ method: String, _ target: String, auth: String? = "", headers: [String] = [], body: String = "") throws -> Reply {
        let authorization = auth == "" ? "Bearer \(readToken)" : auth
        var text = "\(method) \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        for h in headers { text += h + "\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let c = try Socket.connect(host: "127.0.0.1", port: UInt16(server.url.split(separator: ":").last!)!)
        try c.write(Array(text.utf8), until: Deadline(millisFromNow: 10_000))
        let out = try c.readUntilClosed(until: Deadline(millisFromNow: 40_000))
        let reply = String(decoding: out, as: UTF8.self)
        let parts = reply.components(separatedBy: "\r\n\r\n")
        let status = Int(parts[0].split(separator: " ")[1]) ?? 0
        return Reply(status: status, head: parts[0], body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// The port the server listens on.
    var port: UInt16 { UInt16(server.url.split(separator: ":").last!)! }

    /// `GET target` with the read token.
    func get(_ target: String, headers: [String] = []) throws -> Reply { try request("GET", target, headers: headers) }

    /// Posts Segment messages to `/v1/batch` with the write key; the batch must be accepted.
    func post(_ messages: [String]) throws -> Reply {
        try request("POST", "/v1/batch", auth: "Basic " + Data((writeKey + ":").utf8).base64EncodedString(),
                    headers: ["Content-Type: application/json"], body: "{\"batch\":[" + messages.joined(separator: ",") + "]}")
    }
}
