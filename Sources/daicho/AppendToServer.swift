import Daicho
import DaichoHTTP
import DaichoServer
import Foundation

/// `daicho append --server URL`: the lines posted to a running server's `/v1/import` (docs/http-api.md), which
/// appends them as a local append would; the same summary line and exit status.
enum AppendToServer {
    /// Bytes of whole lines per request (well under the route's limit, `Router.maxImportBody`).
    static let requestBytes = 8 << 20
    /// Options of a local append only.
    static let localOptions = ["--data", "--durability", "--workers", "--default-country", "--wait-lock"]

    static func run(_ a: ParsedArguments, url: String, spec: CommandSpec) throws -> Int32 {
        if let local = localOptions.first(where: { a.value($0) != nil }) ?? (a.has("--no-snapshot") ? "--no-snapshot" : nil) {
            throw UsageError(message: "\(local) applies to a local append only, not with --server", usage: spec.usage)
        }
        guard let endpoint = HTTPClient.Endpoint(url) else {
            throw UsageError(message: "--server: \"\(url)\" is not an http://HOST:PORT URL (a TLS proxy's plain side or the server itself)", usage: spec.usage)
        }
        guard let key = a.value("--write-key") ?? ProcessInfo.processInfo.environment["DAICHO_WRITE_KEY"], !key.isEmpty else {
            throw UsageError(message: "--server needs a write key: --write-key KEY or DAICHO_WRITE_KEY (`daicho serve keys` prints it)", usage: spec.usage)
        }
        let authorization = "Basic " + Data((key + ":").utf8).base64EncodedString()
        var total = Summary()
        for path in a.positionals.isEmpty ? ["-"] : a.positionals {
            let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                printError("daicho append: cannot open \(path): \(String(cString: strerror(errno)))")
                return ExitStatus.usageOrIO
            }
            defer { if path != "-" { close(fd) } }
            let reader = NDJSONChunkReader(fd: fd, name: path, blockBytes: requestBytes)
            while let chunk = try reader.next() {
                let reply = try HTTPClient.send("POST", to: endpoint, path: "/v1/import",
                                                headers: [("Authorization", authorization), ("Content-Type", "application/x-ndjson")],
                                                body: chunk.bytes)
                let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
                guard reply.status == 200 else {
                    let message = (object["error"] as? [String: Any])?["message"] as? String ?? String(decoding: reply.body.prefix(300), as: UTF8.self)
                    printError("daicho append: the server at \(url) answered \(reply.status): \(message)"
                               + (total.read > 0 ? " (the earlier requests of this run were appended: \(total.appended) events)" : ""))
                    return ExitStatus.usageOrIO
                }
                total.add(object)
            }
        }
        if total.rejected > 0, let file = total.rejectsFile {
            printError("daicho append: \(total.rejected) line\(total.rejected == 1 ? "" : "s") rejected; the server keeps \(total.rejected == 1 ? "it" : "them") in \(file) (on its machine)")
        }
        print(jsonLine([
            JSONMember("read", count(total.read)), JSONMember("appended", count(total.appended)),
            JSONMember("duplicates", count(total.duplicates)), JSONMember("rejected", count(total.rejected)),
            JSONMember("first_offset", total.firstOffset.map { .int(Int64($0)) } ?? .null),
            JSONMember("last_offset", total.lastOffset.map { .int(Int64($0)) } ?? .null),
            JSONMember("seconds", decimal(total.seconds)),
            JSONMember("rejects_file", total.rejectsFile.map { .string($0) } ?? .null),
        ]))
        return total.rejected > 0 ? ExitStatus.someRejected : ExitStatus.ok
    }

    /// The summaries of the requests of one run, added up.
    struct Summary {
        var read = 0, appended = 0, duplicates = 0, rejected = 0
        var firstOffset: Int?, lastOffset: Int?
        var seconds = 0.0
        var rejectsFile: String?

        mutating func add(_ reply: [String: Any]) {
            read += reply["read"] as? Int ?? 0
            appended += reply["appended"] as? Int ?? 0
            duplicates += reply["duplicates"] as? Int ?? 0
            rejected += reply["rejected"] as? Int ?? 0
            if firstOffset == nil { firstOffset = reply["first_offset"] as? Int }
            lastOffset = reply["last_offset"] as? Int ?? lastOffset
            seconds += reply["seconds"] as? Double ?? 0
            rejectsFile = reply["rejects_file"] as? String ?? rejectsFile
        }
    }
}
