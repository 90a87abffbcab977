import DaichoHTTP
import Foundation
import Testing

/// `daicho serve` as a process (docs/http-api.md "Starting and stopping"): its start line, ingest and reads over
/// HTTP, a graceful stop on SIGTERM, its keys across restarts, and the writing commands it locks out.
@Suite(.serialized) struct ServeCommandTests {
    /// A running `daicho serve` and what its start line said.
    final class Serving {
        let process = Process()
        let stderr = Pipe()
        let start: [String: Any]
        let endpoint: HTTPClient.Endpoint
        let url: String

        /// - Parameter fullDisk: run it under a 256 KiB file size limit with SIGXFSZ ignored, so writes past that
        ///   size fail with EFBIG as on a full disk (as `daichoOnAFullDisk`).
        init(_ data: String, options: [String] = [], fullDisk: Bool = false) throws {
            let arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0"] + options
            if fullDisk {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "trap '' XFSZ; ulimit -f 512; exec \"$0\" \"$@\"", daichoPath] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: daichoPath)
                process.arguments = arguments
            }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = stderr
            try process.run()
            // The start line comes once the view is caught up; end of file when the server could not start.
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while read(out.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
            start = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
            url = start["listening"] as? String ?? "http://127.0.0.1:1"
            endpoint = try #require(HTTPClient.Endpoint(url))
        }

        /// SIGTERM, then the exit status and what was printed on stderr.
        func terminate() -> (status: Int32, stderr: String) {
            process.terminate()
            let hung = waitForExit(process, within: 30)
            #expect(!hung, "daicho serve did not stop within 30 s of SIGTERM")
            return (process.terminationStatus, String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }

        func keys(_ data: String) throws -> (write: String, read: String) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/serve.json"))) as? [String: Any])
            return (try #require((object["write_keys"] as? [String])?.first), try #require((object["read_tokens"] as? [String])?.first))
        }

        func post(_ body: String, key: String) throws -> HTTPClient.Reply {
            try HTTPClient.send("POST", to: endpoint, path: "/v1/batch",
                                headers: [("Authorization", "Basic " + Data((key + ":").utf8).base64EncodedString()),
                                          ("Content-Type", "application/json")], body: Array(body.utf8))
        }

        func get(_ path: String, token: String) throws -> HTTPClient.Reply {
            try HTTPClient.send("GET", to: endpoint, path: path, headers: [("Authorization", "Bearer " + token)])
        }
    }

    static func object(_ bytes: [UInt8]) -> NSDictionary {
        ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? NSDictionary) ?? [:]
    }

    @Test func serveIngestsAnswersReadsAndStopsGracefullyOnSIGTERM() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [purchaseLine("a1", "a@example.jp", at: "2026-05-01T10:00:00Z")])
        let s = try Serving(d)
        #expect(s.start["data"] as? String == d)
        #expect(s.start["keys"] as? String == d + "/serve.json")
        #expect(s.start["offset"] as? Int == 1)
        #expect(s.start["profiles"] as? Int == 1)
        #expect(s.start["segments"] as? Int == 0)
        #expect(s.url.hasPrefix("http://127.0.0.1:") && !s.url.hasSuffix(":0"), "the real port: \(s.url)")
        let mode = try FileManager.default.attributesOfItem(atPath: d + "/serve.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let (write, read) = try s.keys(d)

        let ack = try s.post(#"{"batch":[{"type":"identify","messageId":"m1","userId":"U-1","traits":{"email":"Taro@Example.jp","plan":"gold"},"timestamp":"2026-05-02T10:00:00Z"}]}"#, key: write)
        #expect(ack.status == 200)
        #expect(Self.object(ack.body)["appended"] as? Int == 1)
        let served = try s.get("/v1/profiles/email:taro%40example.jp", token: read)
        #expect(served.status == 200)

        // A local append is refused while the server holds the directory; the message says where to send it.
        let refused = try daicho(["append", "--data", d, t.write("b.ndjson", eventLine("b1") + "\n")])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("held by `daicho serve`"))
        #expect(refused.stderr.contains("daicho append --server \(s.url)"), "\(refused.stderr)")
        let remote = try daicho(["append", "--server", s.url, t.write("c.ndjson", eventLine("c1") + "\n" + eventLine("c2") + "\n")],
                                environment: ["DAICHO_WRITE_KEY": write])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.json["appended"] as? Int == 2)
        #expect(remote.json["first_offset"] as? Int == 2)

        let stopped = s.terminate()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d + "/serve.pid"))
        #expect(try exportedIDs(data: d) == ["a1", "m1", "c1", "c2"])
        // The served profile is the one `daicho profile` prints.
        let printed = try daicho(["profile", "--data", d, "--email", "taro@example.jp"])
        #expect(printed.status == 0)
        #expect(Self.object(served.body) == Self.object(Array(printed.stdout.utf8)))
        #expect((Self.object(served.body)["traits"] as? NSDictionary)?["plan"] as? String == "gold")
    }

    @Test func aSecondStartReusesTheKeysAndCannotStartTwiceOrOnABusyAddress() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("e1")])
        let first = try Serving(d)
        let keysBefore = try String(contentsOfFile: d + "/serve.json", encoding: .utf8)

        let twice = try daicho(["serve", "--data", d, "--listen", "127.0.0.1:0"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("held by `daicho serve`") && twice.stderr.contains(first.url), "\(twice.stderr)")
        let other = try dataDirectory(TemporaryDirectory(), appending: [eventLine("o1")])
        let busy = try daicho(["serve", "--data", other, "--listen", String(first.url.dropFirst(7))])
        #expect(busy.status == 2)
        #expect(busy.stderr.contains("cannot listen on \(first.url.dropFirst(7))") && busy.stderr.contains("Address already in use"), "\(busy.stderr)")
        #expect(first.terminate().status == 0)

        let again = try Serving(d)
        #expect(try String(contentsOfFile: d + "/serve.json", encoding: .utf8) == keysBefore)
        let (_, read) = try again.keys(d)
        #expect(try again.get("/v1/profiles/user_id:u-e1", token: read).status == 200)
        #expect(again.terminate().status == 0)
    }

    @Test func rotatedKeysReplaceTheOldOnesInTheRunningServer() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("e1")])
        let s = try Serving(d)
        let (_, oldRead) = try s.keys(d)
        #expect(try s.get("/v1/segments", token: oldRead).status == 200)
        let rotated = try daicho(["serve", "keys", "--data", d, "--rotate"])
        #expect(rotated.status == 0)
        let newRead = try #require((rotated.json["read_tokens"] as? [String])?.first)
        #expect(newRead != oldRead && newRead.hasPrefix("drt_"))
        // SIGHUP is handled on the server's own time: wait until the new token works.
        var status = 0
        for _ in 0..<100 where status != 200 {
            status = try s.get("/v1/segments", token: newRead).status
            if status != 200 { usleep(20_000) }
        }
        #expect(status == 200)
        #expect(try s.get("/v1/segments", token: oldRead).status == 401)
        #expect(s.terminate().status == 0)
    }

    @Test func maxConnectionsCapsTheOpenConnections() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("e1")])
        let s = try Serving(d, options: ["--max-connections", "1"])
        // The idle connection, made first, is the one allowed (accepted asynchronously: wait until the cap answers).
        // No request before it: its connection may still count as open when the idle one is accepted, which would
        // then be the one refused.
        let idle = try Socket.connect(host: s.endpoint.host, port: s.endpoint.port)
        var status = 0
        for _ in 0..<100 where status != 503 {
            status = try HTTPClient.send("GET", to: s.endpoint, path: "/healthz").status
            if status != 503 { usleep(20_000) }
        }
        #expect(status == 503)
        withExtendedLifetime(idle) {}
        #expect(s.terminate().status == 0)
    }
}
