import Daicho
import DaichoHTTP
import DaichoSegmentSpec
import Foundation

/// The routes of `daicho serve` (docs/http-api.md): authentication, then the route's handler. Thin: the work is
/// in `IngestRoutes`, `ProfileRoutes`, `SegmentRoutes`, `FeedRoutes`, `LiveEventsRoute`, `ConsoleRoutes` and the
/// library. A request's method and path are matched to its route once (`match`); admitting it, answering it and
/// counting it in `/metrics` reuse that route.
public final class Router: HTTPHandler, @unchecked Sendable {
    let ingest: IngestRoutes
    let profiles: ProfileRoutes
    let profileAPI: ProfileAPIRoutes
    let segments: SegmentRoutes
    let feed: FeedRoutes
    let liveEvents: LiveEventsRoute
    let dashboard: DashboardRoutes
    let metrics: MetricsRoute
    /// The web console's files, served at `/` without a token.
    let console = ConsoleRoutes.embedded
    private let keysLock = NSLock()
    private var keys: ServeKeys
    /// Whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    let trustedProxies: TrustedProxies
    /// Whether the views have caught up with the log (`/readyz`).
    let isReady: @Sendable () -> Bool

    /// Body limits per route (docs/http-api.md): Segment's 500 KB per batch request, 32 KB per single message,
    /// 64 MiB per `/v1/import`.
    public static let maxBatchBody = 500 * 1024
    public static let maxMessageBody = 32 * 1024
    public static let maxImportBody = 64 << 20

    static let singleRoutes: [String: String] = ["/v1/track": "track", "/v1/identify": "identify", "/v1/page": "page",
                                                 "/v1/screen": "screen", "/v1/group": "group", "/v1/alias": "alias"]

    init(ingest: IngestRoutes, profiles: ProfileRoutes, segments: SegmentRoutes, feed: FeedRoutes, metrics: MetricsRoute,
         keys: ServeKeys, trustedProxies: TrustedProxies, isReady: @escaping @Sendable () -> Bool) {
        self.ingest = ingest
        self.profiles = profiles
        profileAPI = ProfileAPIRoutes(views: profiles.views, directory: profiles.directory)
        self.segments = segments
        self.feed = feed
        liveEvents = LiveEventsRoute(directory: profiles.directory, keepAlive: feed.keepAlive)
        dashboard = DashboardRoutes(profiles: profiles)
        self.metrics = metrics
        self.keys = keys
        self.trustedProxies = trustedProxies
        self.isReady = isReady
    }

    /// Replaces the keys (SIGHUP re-reads `serve.json`).
    public func replaceKeys(_ new: ServeKeys) {
        keysLock.lock()
        keys = new
        keysLock.unlock()
    }

    var currentKeys: ServeKeys { keysLock.lock(); defer { keysLock.unlock() }; return keys }

    enum Route {
        case segment(String?), importNDJSON, health, ready, metrics, read(ReadRoute), notFound, wrongMethod(String)
        case console(ConsoleRoutes.File)

        /// The `route` label of `/metrics`: the route's template; `other` for a path that is no route or a method
        /// the route does not take (so a label never holds a raw path).
        var label: String {
            switch self {
            case .segment(let type): type.map { "/v1/\($0)" } ?? "/v1/batch"
            case .importNDJSON: "/v1/import"
            case .health: "/healthz"
            case .ready: "/readyz"
            case .metrics: "/metrics"
            case .read(let read): read.template
            case .console: "/console"
            case .notFound, .wrongMethod: "other"
            }
        }
    }

    /// A request's route as `match` found it (opaque outside this module).
    public struct Matched {
        let route: Route
    }

    /// The route of a request's method and path: once per request (`HTTPHandler.match`).
    public func match(_ head: RequestHead) -> Matched { Matched(route: route(head)) }

    func route(_ head: RequestHead) -> Route {
        let path = String(head.path)
        switch path {
        case "/v1/batch": return head.method == "POST" ? .segment(nil) : .wrongMethod("POST")
        case "/v1/import": return head.method == "POST" ? .importNDJSON : .wrongMethod("POST")
        case "/healthz": return head.method == "GET" ? .health : .wrongMethod("GET")
        case "/readyz": return head.method == "GET" ? .ready : .wrongMethod("GET")
        case "/metrics": return head.method == "GET" ? .metrics : .wrongMethod("GET")
        default:
            if let type = Self.singleRoutes[path] { return head.method == "POST" ? .segment(type) : .wrongMethod("POST") }
            if let file = console.file(at: head.path) {
                return head.method == "GET" || head.method == "HEAD" ? .console(file) : .wrongMethod("GET, HEAD")
            }
            switch ReadRoute.match(method: head.method, path: head.path) {
            case .success(let read)?: return .read(read)
            case .failure(let wrong)?: return .wrongMethod(wrong.allowed)
            case nil: return .notFound
            }
        }
    }

    public func admit(_ head: RequestHead, _ matched: Matched, peer: String) -> Admission {
        switch matched.route {
        case .notFound: return .refuse(.error(404, "no route \(head.method) \(head.path)"))
        case .wrongMethod(let allowed): return .refuse(.error(405, "\(head.path) takes \(allowed)", headers: [("Allow", allowed)]))
        case .health, .ready, .metrics, .console: return .accept(maxBody: 0)
        case .segment(let type):
            // The key may also come in the body (`writeKey`): then it is checked after reading.
            if let auth = head.header("authorization"), writeKey(fromBasic: auth) == nil {
                return .refuse(Self.unauthorized(write: true))
            }
            return .accept(maxBody: type == nil ? Self.maxBatchBody : Self.maxMessageBody)
        case .importNDJSON:
            guard let auth = head.header("authorization"), writeKey(fromBasic: auth) != nil else { return .refuse(Self.unauthorized(write: true)) }
            return .accept(maxBody: Self.maxImportBody)
        case .read(let read):
            // Segment's Profile API clients send the token as HTTP Basic user (as Segment's access token).
            guard let auth = head.header("authorization"),
                  isReadToken(bearer: auth) || (read.isProfileAPI && isReadToken(basic: auth)) else { return .refuse(Self.unauthorized(write: false)) }
            if case .defineSegment = read { return .accept(maxBody: SegmentRoutes.maxBody) }
            if case .checkSegment = read { return .accept(maxBody: SegmentRoutes.maxBody) }
            return .accept(maxBody: 0)
        }
    }

    public func respond(to request: HTTPRequest, _ matched: Matched) -> HTTPResponse {
        switch matched.route {
        case .health: return .json(200, Array(#"{"status":"ok"}"#.utf8))
        case .ready: return isReady() ? .json(200, Array(#"{"status":"ready"}"#.utf8)) : .error(503, "catching up with the log")
        case .metrics: return metrics.respond()
        case .console(let file): return console.respond(file, request.head)
        case .segment(let type):
            let path = String(request.head.path)
            let client = client(of: request)
            if let auth = request.head.header("authorization") {
                guard let key = writeKey(fromBasic: auth) else { return Self.unauthorized(write: true) }
                return ingest.segment(request.body, route: type, key: key, requestID: request.id, path: path, clientIP: client)
            }
            // No header: the key must be the body's `writeKey` (a body that does not parse has none).
            guard let batch = try? SegmentBatch(body: request.body, routeType: type),
                  let key = batch.writeKey.flatMap({ currentKeys.writeKey($0) }) else { return Self.unauthorized(write: true) }
            return ingest.segment(batch, key: key, requestID: request.id, path: path, clientIP: client)
        case .importNDJSON:
            return ingest.importNDJSON(request.body, requestID: request.id)
        case .read(let read):
            do throws(ResponseFailure) {
                return try respond(to: read, request)
            } catch {
                return error.response
            }
        case .notFound, .wrongMethod: return .error(404, "no route")
        }
    }

    private func respond(to read: ReadRoute, _ request: HTTPRequest) throws(ResponseFailure) -> HTTPResponse {
        let query = QueryParameters(request.head.query)
        switch read {
        case .profiles:
            let ndjson = request.head.header("accept")?.lowercased().contains("application/x-ndjson") ?? false
            return try profiles.list(query: query, ndjson: ndjson)
        case .profile(let selector): return try profiles.profile(selector, query: query)
        case .timeline(let selector): return try profiles.timeline(selector, query: query)
        case .segments: return try segments.list()
        case .segment(let name): return try segments.segment(name)
        case .members(let name): return try segments.members(name, query: query)
        case .segmentHistory(let name): return try segments.history(name, query: query)
        case .defineSegment(let name): return try segments.define(name, body: request.body)
        case .dropSegment(let name): return try segments.drop(name)
        case .checkSegment: return try segments.check(body: request.body)
        case .feed: return try feed.feed(request.head, query: query)
        case .liveEvents: return try liveEvents.live(request.head, query: query)
        case .dashboard: return try dashboard.dashboard(query: query)
        case .dashboardRFM: return try dashboard.rfm(query: query)
        case .profileAPI(let selector, let call):
            return try profileAPI.respond(call, selector: selector, path: request.head.path, query: request.head.query)
        }
    }

    public func answered(_ head: RequestHead, _ matched: Matched, status: Int, seconds: Double) {
        metrics.metrics.countRequest(route: matched.route.label, status: status, seconds: seconds)
    }

    /// The client's address: the peer, or what `X-Forwarded-For` says when the peer is a trusted proxy.
    func client(of request: HTTPRequest) -> String {
        let forwarded = request.head.headers.filter { $0.name.lowercased() == "x-forwarded-for" }.map(\.value)
        return trustedProxies.client(peer: request.peer, forwardedFor: forwarded)
    }

    /// Whether an `Authorization: Bearer <token>` header holds a read token (a write key never reads).
    func isReadToken(bearer header: String) -> Bool {
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return currentKeys.isReadToken(header.dropFirst(7).trimmingCharacters(in: .whitespaces))
    }

    /// Whether an `Authorization: Basic base64(token:)` header holds a read token as its user.
    func isReadToken(basic header: String) -> Bool {
        basicUser(header).map { currentKeys.isReadToken($0) } ?? false
    }

    /// The write key of an `Authorization: Basic base64(key:)` header, if it is one.
    func writeKey(fromBasic header: String) -> ServeKeys.WriteKey? {
        basicUser(header).flatMap { currentKeys.writeKey($0) }
    }

    /// The user of an `Authorization: Basic base64(user:password)` header.
    private func basicUser(_ header: String) -> String? {
        guard header.count > 6, header.prefix(6).lowercased() == "basic ",
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8) else { return nil }
        return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }

    static func unauthorized(write: Bool) -> HTTPResponse {
        .error(401, write ? "a write key is required: HTTP Basic with the key as user, or \"writeKey\" in the body"
                          : "a read token is required: Authorization: Bearer <token> (a write key never reads)",
               headers: [("WWW-Authenticate", write ? "Basic realm=\"daicho\"" : "Bearer realm=\"daicho\"")])
    }
}
