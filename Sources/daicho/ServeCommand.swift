import Daicho
import DaichoHTTP
import DaichoServer
import Foundation

/// `daicho serve`: the data directory as an HTTP server (docs/http-api.md); `daicho serve keys` shows or
/// rotates its keys.
enum ServeCommand {
    static let spec = CommandSpec(
        name: "serve",
        summary: "Serve the data directory over HTTP: Segment-compatible ingest, profiles, segments, the live feed, metrics (docs/http-api.md).",
        usage: """
        daicho serve [--data DIR] [--listen HOST:PORT] [--max-connections N] [--trusted-proxy ADDR]...
               daicho serve keys [--data DIR] [--rotate]
        """,
        options: [
            dataOption,
            OptionSpec(name: "--listen", valueName: "HOST:PORT",
                       help: "Address to listen on (default 127.0.0.1:8080; port 0 picks a free one; 0.0.0.0:PORT or [::]:PORT for every interface)."),
            OptionSpec(name: "--max-connections", valueName: "N",
                       help: "Open connections at most (default 1024); beyond, new ones get 503 with Retry-After: 1."),
            OptionSpec(name: "--trusted-proxy", valueName: "ADDR",
                       help: "A proxy (IP address) whose X-Forwarded-For names the client, for context.ip (repeat for several); from any other peer the header is ignored.",
                       repeatable: true),
            OptionSpec(name: "--rotate", valueName: nil, help: "keys: replace every key with a new one."),
        ],
        details: """
        Prints {"listening","data","keys","offset","profiles","segments"} once the view is caught up, then serves.
        SIGTERM or SIGINT stops it gracefully (requests in flight finished, everything durable, the snapshot
        written, exit 0); a second signal exits at once (exit 2). SIGHUP re-reads DIR/serve.json.
        keys prints {"keys":PATH,"write_keys":[…],"read_tokens":[…]} (creating the file on first use).
        Exit status: 0 after a graceful stop, 2 when it cannot start (address in use, directory locked, bad files).
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        switch a.positionals {
        case []:
            if a.has("--rotate") { throw UsageError(message: "--rotate belongs to `daicho serve keys`", usage: spec.usage) }
            return try serve(a)
        case ["keys"]:
            if let option = ["--listen", "--max-connections", "--trusted-proxy"].first(where: { a.value($0) != nil }) {
                throw UsageError(message: "\(option) belongs to `daicho serve`", usage: spec.usage)
            }
            return try keys(a)
        default:
            throw UsageError(message: "unexpected argument '\(a.positionals[0])' (serve takes none, or `keys`)", usage: spec.usage)
        }
    }

    /// `--listen HOST:PORT` (`[::1]:8080` for IPv6).
    static func listenAddress(_ a: ParsedArguments) throws(UsageError) -> (host: String, port: UInt16) {
        let raw = a.value("--listen") ?? "127.0.0.1:8080"
        var host: Substring, port: Substring
        if raw.hasPrefix("["), let close = raw.firstIndex(of: "]"), raw[raw.index(after: close)...].hasPrefix(":") {
            host = raw[raw.index(after: raw.startIndex)..<close]
            port = raw[raw.index(close, offsetBy: 2)...]
        } else if let colon = raw.lastIndex(of: ":"), !raw[..<colon].contains(":") {
            host = raw[..<colon]
            port = raw[raw.index(after: colon)...]
        } else {
            throw UsageError(message: "--listen: \"\(raw)\" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080)", usage: spec.usage)
        }
        guard !host.isEmpty, let p = UInt16(port) else {
            throw UsageError(message: "--listen: \"\(raw)\" is not HOST:PORT with a port from 0 to 65535", usage: spec.usage)
        }
        return (String(host), p)
    }

    private static func serve(_ a: ParsedArguments) throws -> Int32 {
        let (host, port) = try listenAddress(a)
        var configuration = HTTPServerConfiguration()
        if let n = try a.int("--max-connections", spec, min: 1) { configuration.maxConnections = n }
        let proxies: TrustedProxies
        do { proxies = try TrustedProxies(a.values["--trusted-proxy"] ?? []) } catch {
            throw UsageError(message: error.description, usage: spec.usage)
        }
        // Signals are taken before the start (a catch-up can take a while): one during it stops the server as soon
        // as it has started.
        let control = ServeSignals.take()
        let server = try Server.start(a.dataDirectory, host: host, port: port, configuration: configuration,
                                      trustedProxies: proxies)
        if server.keysCreated { printError("daicho serve: created \(server.keysPath) with a new write key and read token (daicho serve keys prints them)") }
        print(jsonLine(members(server.startLine)))
        guard finishStandardOutput(ExitStatus.ok) == ExitStatus.ok else { return ExitStatus.usageOrIO }
        control.attach(server)
        server.run()
        do {
            try server.finish()
        } catch {
            printError("daicho serve: every acknowledged event is durable, but the snapshot was not written (the next start catches up from the log): \(error)")
            return ExitStatus.usageOrIO
        }
        return ExitStatus.ok
    }

    private static func keys(_ a: ParsedArguments) throws -> Int32 {
        let dir = a.dataDirectory
        let path = dir.path + "/" + ServeKeys.fileName
        let keys: ServeKeys
        if a.has("--rotate") {
            keys = ServeKeys.generate()
            try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
            try keys.write(path: path)
            // A running server re-reads the file on SIGHUP: the old keys stop working now.
            if let server = ServeProcessFile.running(in: dir) {
                kill(server.pid, SIGHUP)
                printError("daicho serve keys: the server at \(server.url) (pid \(server.pid)) was told to re-read the keys")
            }
        } else {
            try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
            keys = try ServeKeys.loadOrCreate(path: path).keys
        }
        print(jsonLine([
            JSONMember("keys", .string(path)),
            JSONMember("write_keys", .array(keys.writeKeys.map { .string($0.key) })),
            JSONMember("read_tokens", .array(keys.readTokens.map { .string($0) })),
        ]))
        return ExitStatus.ok
    }
}

/// The signals of `daicho serve`: the first SIGTERM or SIGINT stops the server gracefully, a second one exits at
/// once (exit 2: nothing acknowledged is lost, every acknowledgement follows the fsync); SIGHUP re-reads the keys.
final class ServeSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var server: Server?
    private var stopRequested = false
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "daicho-serve-signals")

    /// Takes SIGINT, SIGTERM and SIGHUP from their default actions; a stop asked before `attach` stops the server
    /// when it is attached.
    static func take() -> ServeSignals {
        let signals = ServeSignals()
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        // Unblocked in case the parent started us with them blocked.
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM] {
            signals.listen(s) { signals.stop() }
        }
        signals.listen(SIGHUP) {
            do { try signals.lock.withLock { signals.server }?.reloadKeys() } catch {
                printError("daicho serve: SIGHUP: \(error); the keys in use stay")
            }
        }
        return signals
    }

    private func listen(_ signal: Int32, _ handler: @escaping @Sendable () -> Void) {
        Glibc.signal(signal, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    /// The server the signals now act on.
    func attach(_ server: Server) {
        let stopNow = lock.withLock {
            self.server = server
            return stopRequested
        }
        if stopNow { server.stop() }
    }

    private func stop() {
        let (again, server) = lock.withLock {
            defer { stopRequested = true }
            return (stopRequested, self.server)
        }
        if again {
            printError("daicho serve: second signal: exiting at once")
            _exit(ExitStatus.usageOrIO)
        }
        printError("daicho serve: stopping: finishing the requests in flight, then writing the snapshot")
        server?.stop()
    }
}
