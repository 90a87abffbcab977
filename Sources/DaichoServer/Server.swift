import Daicho
import DaichoHTTP
import DaichoLog
import DaichoProjections
import DaichoSegmentSpec
import DaichoSegments
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A data directory served over HTTP (`daicho serve`, docs/http-api.md): the one writer of the directory (group
/// commit), the live profiles and segments the read routes answer from, the keys, and the HTTP server.
///
/// ```swift
/// let server = try Server.start(DataDirectory("daicho-data"), host: "127.0.0.1", port: 8080)
/// server.run()          // until stop() is called (e.g. from a signal handler)
/// try server.finish()   // everything durable, the snapshot written
/// ```
public final class Server: @unchecked Sendable {
    public let directory: DataDirectory
    /// Where the server listens: `http://host:port` (the real port when 0 was asked for).
    public let url: String
    /// `DIR/serve.json`.
    public let keysPath: String
    /// Whether `serve.json` was created by this start.
    public let keysCreated: Bool
    let http: HTTPServer
    let router: Router
    let committer: GroupCommitter
    let live: LiveSegments
    let settings: ProjectionSettings

    /// Events between two snapshots while the server runs (a restart after a crash catches up at most this many).
    public static let defaultSnapshotEvery = 1_000_000

    /// Feed records held in memory for `GET /v1/feed` (docs/http-api.md "The feed").
    public static let defaultFeedRetained = 65_536

    /// How long `finish` waits for the live view to apply the last acknowledged events.
    static let finishWait: Duration = .seconds(10)

    private init(directory: DataDirectory, url: String, keysPath: String, keysCreated: Bool, http: HTTPServer,
                 router: Router, committer: GroupCommitter, live: LiveSegments, settings: ProjectionSettings) {
        self.directory = directory
        self.url = url
        self.keysPath = keysPath
        self.keysCreated = keysCreated
        self.http = http
        self.router = router
        self.committer = committer
        self.live = live
        self.settings = settings
    }

    /// Takes the writer lock of `directory` (creating it when needed), reads or creates `serve.json`, listens on
    /// `host:port`, brings the live view up to the log's end, and records the address in `serve.pid`. Requests
    /// are served once `run` is called (connections wait in the listen queue until then).
    /// - Parameters:
    ///   - snapshotEvery: write the snapshot after at least this many new events while serving (0: only when the
    ///     server stops).
    ///   - feedKeepAlive: how long a `GET /v1/feed` connection may stay silent before it gets a keep-alive line.
    ///   - feedRetained: the feed records held in memory for `GET /v1/feed` (how far a client may resume back or
    ///     fall behind).
    ///   - trustedProxies: the peers whose `X-Forwarded-For` gives an ingested message's `context.ip`.
    /// - Throws: `StoreError` (`locked`, naming the holder; a damaged log; bad settings), `ServerStartError` (the
    ///   address cannot be listened on, `serve.json` cannot be read), or the loader's errors.
    public static func start(_ directory: DataDirectory, host: String, port: UInt16,
                             configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                             snapshotEvery: Int = defaultSnapshotEvery, feedKeepAlive: Duration = .seconds(15),
                             feedRetained: Int = defaultFeedRetained, trustedProxies: TrustedProxies = .none) throws -> Server {
        let store = try EventStore.open(directory)
        let committer: GroupCommitter
        let settings: ProjectionSettings
        let keys: (keys: ServeKeys, created: Bool)
        let mapping: SegmentMapping
        let listener: Socket
        let keysPath = directory.path + "/" + ServeKeys.fileName
        do {
            settings = try ProjectionSettings.load(directory)
            do { mapping = try SegmentMapping.load(path: directory.path + "/mapping.json") } catch {
                throw ServerStartError("\(directory.path)/\(error.description)")
            }
            do { keys = try ServeKeys.loadOrCreate(path: keysPath) } catch { throw ServerStartError(error.description) }
            do { listener = try Socket.listen(host: host, port: port) } catch {
                throw ServerStartError("cannot listen on \(authority(host, port)): \(describe(error))")
            }
        } catch {
            try? store.close()
            throw error
        }
        let metrics = ServerMetrics()
        var options = GroupCommitter.Options()
        options.maxFutureSkewMicros = settings.profile.maxFutureSkewMicros
        options.onRound = { lines, acknowledged in
            metrics.countRound(events: lines, end: acknowledged, at: Date().timeIntervalSince1970)
        }
        let level = settings.profile.compressionLevel
        store.setCompressionLevel(level)
        committer = GroupCommitter(store: store, options: options) {
            let reopened = try EventStore.open(directory)
            reopened.setCompressionLevel(level)
            return reopened
        }
        let live: LiveSegments
        do { live = try LiveSegments.open(directory, snapshotEvery: snapshotEvery) } catch {
            committer.stop()
            throw error
        }
        let views = ServerViews(live: live, committer: committer)
        let hub = FeedHub(retained: feedRetained)
        hub.follow(live)
        let ingest = IngestRoutes(committer: committer, rejects: ServerRejects(directory: directory),
                                  mapping: mapping, metrics: metrics)
        let router = Router(ingest: ingest, profiles: ProfileRoutes(views: views, directory: directory),
                            segments: SegmentRoutes(views: views, committer: committer),
                            feed: FeedRoutes(hub: hub, views: views, keepAlive: feedKeepAlive),
                            metrics: MetricsRoute(metrics: metrics, live: live, committer: committer), keys: keys.keys,
                            trustedProxies: trustedProxies) { live.error == nil }
        let url = "http://" + authority(host, listener.localPort)
        do { try ServeProcessFile(pid: getpid(), url: url).write(in: directory) } catch {
            live.close()
            committer.stop()
            throw error
        }
        let http = HTTPServer(listener: listener, handler: router, configuration: configuration)
        metrics.countConnections { [weak http] in http?.openConnections ?? 0 }
        return Server(directory: directory, url: url, keysPath: keysPath, keysCreated: keys.created, http: http,
                      router: router, committer: committer, live: live, settings: settings)
    }

    /// `host:port`, with an IPv6 host in brackets.
    static func authority(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static func describe(_ error: Socket.Failure) -> String {
        switch error {
        case .system(let code, let call): "\(call): \(errnoText(code))"
        case .timedOut: "timed out"
        case .closed: "the socket was closed"
        }
    }

    /// The line `daicho serve` prints once it serves: `{"listening","data","keys","offset","profiles","segments"}`.
    public var startLine: JSONValue {
        let (profiles, segments) = live.read { ($0.profiles.profileCount, $0.definitions.count) }
        return .object([
            JSONMember("listening", .string(url)), JSONMember("data", .string(directory.path)),
            JSONMember("keys", .string(keysPath)), JSONMember("offset", .int(Int64(committer.acknowledgedOffset))),
            JSONMember("profiles", .int(Int64(profiles))), JSONMember("segments", .int(Int64(segments))),
        ])
    }

    /// Serves requests until `stop` is called; returns once the requests in flight are answered (at most the
    /// configuration's grace time).
    public func run() { http.run() }

    /// Stops accepting connections; `run` returns once the requests in flight are answered. Safe from any thread.
    public func stop() { http.stop() }

    /// Re-reads `serve.json` (SIGHUP): added keys work and removed ones stop working from the next request.
    /// - Throws: `ServerStartError` when the file cannot be read (the keys in use stay).
    public func reloadKeys() throws {
        do { router.replaceKeys(try ServeKeys.read(path: keysPath)) } catch { throw ServerStartError(error.description) }
    }

    /// After `run` returned: appends what is queued and closes the log (everything acknowledged is durable), lets
    /// the live view apply it, writes the snapshot (profiles and segments), and removes `serve.pid`.
    /// - Throws: when the snapshot cannot be written (the log is complete; the next start catches up from it).
    public func finish() throws {
        committer.stop()
        defer { ServeProcessFile.remove(in: directory) }
        let end = committer.acknowledgedOffset
        _ = live.wait(until: end, timeout: Self.finishWait)
        live.close()
        if let error = live.error { throw error }
        try live.read { try SegmentLoader.writeSnapshot($0, settings: settings, directory: directory) }
    }
}

/// Why `daicho serve` cannot start: the message names the address or file and the cause.
public struct ServerStartError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
