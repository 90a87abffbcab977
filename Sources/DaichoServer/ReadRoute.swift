import DaichoHTTP

/// The read and segment-management routes (docs/http-api.md "Read routes"), matched from a request's method and
/// path; each needs a read token.
enum ReadRoute: Equatable {
    case profiles
    case profile(Substring)
    case timeline(Substring)
    case segments
    case segment(String)
    case members(String)
    case segmentHistory(String)
    case defineSegment(String)
    case dropSegment(String)
    /// `POST /v1/segments/check`: a rule checked and counted without defining it.
    case checkSegment
    case feed
    /// `GET /v1/events/live`: the events appended to the log, live.
    case liveEvents
    case dashboard
    case dashboardRFM
    /// Segment's Profile API (`/v1/spaces/{space}/collections/users/profiles/{selector}/{call}`); `space` is
    /// ignored.
    case profileAPI(selector: Substring, call: ProfileAPICall)

    /// What `method path` asks for: a route, the methods the path takes when `method` is not one of them, or
    /// nil when the path is none of these routes.
    static func match(method: String, path: Substring) -> Result<ReadRoute, WrongMethod>? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "v1", !parts.dropFirst().contains(where: \.isEmpty) else { return nil }
        func get(_ route: ReadRoute) -> Result<ReadRoute, WrongMethod> { method == "GET" ? .success(route) : .failure(WrongMethod("GET")) }
        switch (parts[2], parts.count) {
        case ("profiles", 3): return get(.profiles)
        case ("profiles", 4): return get(.profile(parts[3]))
        case ("profiles", 5) where parts[4] == "timeline": return get(.timeline(parts[3]))
        case ("segments", 3): return get(.segments)
        case ("feed", 3): return get(.feed)
        case ("events", 4) where parts[3] == "live": return get(.liveEvents)
        case ("segments", 4) where parts[3] == "check" && method == "POST": return .success(.checkSegment)
        case ("dashboard", 3): return get(.dashboard)
        case ("dashboard", 4) where parts[3] == "rfm": return get(.dashboardRFM)
        case ("segments", 4):
            guard let name = parts[3].removingPercentEncoding else { return nil }
            switch method {
            case "GET": return .success(.segment(name))
            case "PUT": return .success(.defineSegment(name))
            case "DELETE": return .success(.dropSegment(name))
            default: return .failure(WrongMethod(parts[3] == "check" ? "GET, PUT, DELETE, POST" : "GET, PUT, DELETE"))
            }
        case ("spaces", 9) where parts[4] == "collections" && parts[5] == "users" && parts[6] == "profiles":
            guard let call = ProfileAPICall(rawValue: String(parts[8])) else { return nil }
            return get(.profileAPI(selector: parts[7], call: call))
        case ("segments", 5) where parts[4] == "members":
            guard let name = parts[3].removingPercentEncoding else { return nil }
            return get(.members(name))
        case ("segments", 5) where parts[4] == "history":
            guard let name = parts[3].removingPercentEncoding else { return nil }
            return get(.segmentHistory(name))
        default: return nil
        }
    }

    /// The route's template, the `route` label of `/metrics` (never a customer's value or a segment's name).
    var template: String {
        switch self {
        case .profiles: "/v1/profiles"
        case .profile: "/v1/profiles/{selector}"
        case .timeline: "/v1/profiles/{selector}/timeline"
        case .segments: "/v1/segments"
        case .segment, .defineSegment, .dropSegment: "/v1/segments/{name}"
        case .members: "/v1/segments/{name}/members"
        case .segmentHistory: "/v1/segments/{name}/history"
        case .checkSegment: "/v1/segments/check"
        case .feed: "/v1/feed"
        case .liveEvents: "/v1/events/live"
        case .dashboard: "/v1/dashboard"
        case .dashboardRFM: "/v1/dashboard/rfm"
        case .profileAPI(_, let call): "/v1/spaces/{space}/collections/users/profiles/{selector}/\(call.rawValue)"
        }
    }

    /// Whether this is a call of Segment's Profile API (which also takes the read token as HTTP Basic user).
    var isProfileAPI: Bool {
        if case .profileAPI = self { return true }
        return false
    }

    /// The methods a path takes, for a 405 and its `Allow` header.
    struct WrongMethod: Error, Equatable {
        let allowed: String
        init(_ allowed: String) { self.allowed = allowed }
    }
}
