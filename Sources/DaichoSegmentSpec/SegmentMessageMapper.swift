import Daicho
import DaichoJSON

/// One Segment message → one Daicho envelope line, row by row as docs/segment-compatibility.md's tables say.
struct SegmentMessageMapper {
    let json: RawJSON
    let message: Int
    let batchContext: Int?
    let batchIntegrations: Int?
    let batchSentAt: Int?
    let routeType: String?
    let mapping: SegmentMapping
    let receivedAt: Int64
    let keySource: String?
    /// The sender's address: `context.ip` when the message's context has none.
    let clientIP: String?
    let normalizer: IdentifierNormalizer
    var warnings: [String] = []

    init(json: RawJSON, message: Int, batchContext: Int?, batchIntegrations: Int?, batchSentAt: Int?, routeType: String?,
         mapping: SegmentMapping, receivedAt: Int64, keySource: String?, clientIP: String?, normalizer: IdentifierNormalizer) {
        self.json = json
        self.message = message
        self.batchContext = batchContext
        self.batchIntegrations = batchIntegrations
        self.batchSentAt = batchSentAt
        self.routeType = routeType
        self.mapping = mapping
        self.receivedAt = receivedAt
        self.keySource = keySource
        self.clientIP = clientIP
        self.normalizer = normalizer
    }

    /// The message fields a row of the tables consumes; every other one is kept under `props.segment`.
    static let consumed: Set<String> = ["type", "messageId", "timestamp", "userId", "anonymousId", "event", "properties",
                                        "traits", "name", "category", "previousId", "groupId", "writeKey", "receivedAt"]
    static let types: Set<String> = ["identify", "track", "page", "screen", "group", "alias"]

    private func field(_ key: String) -> Int? { json.member(message, key) }

    /// A `context` member: the message's own, else the batch's.
    private func context(_ key: String) -> Int? {
        let own = field("context").flatMap { json.kind($0) == .object ? $0 : nil }
        return json.member(own, key) ?? json.member(batchContext, key)
    }

    mutating func map() -> MappedMessage {
        guard json.kind(message) == .object else { return .rejected(reason: "not a Segment message: expected a JSON object") }
        let size = json.raw(message).count
        guard size <= SegmentBatch.maxMessageBytes else {
            return .rejected(reason: "message of \(size) bytes, above the 32 KB a message may have")
        }
        guard let type = json.text(field("type")) ?? routeType, Self.types.contains(type) else {
            return .rejected(reason: "not a Segment message: \"type\" must be one of identify, track, page, screen, group, alias")
        }
        do throws(Rejection) {
            return try envelope(type: type)
        } catch {
            return .rejected(reason: error.reason)
        }
    }

    struct Rejection: Error { var reason: String }

    private mutating func envelope(type segmentType: String) throws(Rejection) -> MappedMessage {
        var out = ObjectWriter()
        out.string("id", try messageID())
        var ids = try identifiers(type: segmentType)
        let (daichoType, props) = try body(type: segmentType, ids: &ids)
        out.string("type", daichoType)
        out.bytes("at", try at())
        if let source = source() { out.string("source", source) }
        guard !ids.isEmpty else {
            throw Rejection(reason: "no identifier: userId, anonymousId, context.device.id, traits.email or traits.phone is required")
        }
        var idWriter = ObjectWriter()
        for (kind, value) in ids where !idWriter.has(kind) { idWriter.string(kind, value) }
        out.bytes("ids", idWriter.finish())
        out.bytes("props", props)
        return .event(line: out.finish(), warnings: warnings)
    }

    // MARK: - Envelope fields

    private func messageID() throws(Rejection) -> String {
        guard let m = field("messageId"), json.kind(m) != .null else {
            let hash = json.bytes[json.raw(message)].withUnsafeBytes { XXHash64.hash($0) }
            let hex = String(hash, radix: 16)
            return "seg:" + String(repeating: "0", count: 16 - hex.count) + hex
        }
        guard json.kind(m) == .string, let id = json.text(m) else { throw Rejection(reason: "\"messageId\": expected a non-empty string") }
        return id
    }

    /// `timestamp`; else `originalTimestamp` corrected by `sentAt`; else the receipt time.
    private func at() throws(Rejection) -> [UInt8] {
        func parse(_ name: String, _ i: Int?) throws(Rejection) -> (micros: Int64, offset: Int16)? {
            guard let i, json.kind(i) != .null else { return nil }
            guard json.kind(i) == .string else { throw Rejection(reason: "\"\(name)\": expected an RFC 3339 date-time string") }
            let s = Array(json.string(i).utf8)
            guard let t = s.withUnsafeBytes({ RFC3339.parse($0) }) else {
                throw Rejection(reason: "\"\(name)\": not an RFC 3339 date-time")
            }
            return (t.micros, t.offsetMinutes)
        }
        var out: [UInt8] = [0x22]
        if let t = try parse("timestamp", field("timestamp")) {
            RFC3339.format(micros: t.micros, offsetMinutes: t.offset, into: &out)
        } else if let original = try parse("originalTimestamp", field("originalTimestamp")) {
            if let sent = try parse("sentAt", field("sentAt") ?? batchSentAt) {
                RFC3339.format(micros: receivedAt - (sent.micros - original.micros), offsetMinutes: 0, into: &out)
            } else {
                RFC3339.format(micros: original.micros, offsetMinutes: original.offset, into: &out)
            }
        } else {
            RFC3339.format(micros: receivedAt, offsetMinutes: 0, into: &out)
        }
        out.append(0x22)
        return out
    }

    /// RudderStack's `channel`, else the library's platform, else the write key's source.
    private func source() -> String? {
        if let c = json.text(field("channel")), ["web", "mobile", "server"].contains(c) { return c }
        if let library = json.text(json.member(context("library"), "name")) {
            switch library {
            case "analytics.js", "analytics-next", "@segment/analytics-next": return "web"
            case "analytics-ios", "analytics-swift": return "ios"
            case "analytics-android", "analytics-kotlin": return "android"
            case "analytics-react-native": return "app"
            default: return "server"
            }
        }
        return keySource
    }

    /// `userId`, `anonymousId`, `context.device.id`, and e-mail and phone from the traits when they normalize.
    private mutating func identifiers(type: String) throws(Rejection) -> [(String, String)] {
        var ids: [(String, String)] = []
        if let u = json.text(field("userId"), numbers: true) { ids.append(("user_id", u)) }
        if let a = json.text(field("anonymousId"), numbers: true) { ids.append(("anonymous_id", a)) }
        if let d = json.text(json.member(context("device"), "id"), numbers: true) { ids.append(("device_id", d)) }
        let traitSources = (type == "identify" ? [("traits", field("traits"))] : []) + [("context.traits", context("traits"))]
        for (kind, idKind) in [("email", IdentifierKind.email), ("phone", IdentifierKind.phone)] {
            for (where_, traits) in traitSources {
                guard let value = json.text(json.member(traits, kind), numbers: kind == "phone") else { continue }
                if case .failure(let why) = normalizer.normalize(value, kind: idKind) {
                    warnings.append("\(where_).\(kind) \"\(IdentifierMask.mask(value, kind: idKind))\": \(why.reason); kept as a trait, not used as an identifier")
                    continue
                }
                ids.append((kind, value))
                break
            }
        }
        return ids
    }

    // MARK: - Types

    /// The Daicho type and its props.
    private mutating func body(type: String, ids: inout [(String, String)]) throws(Rejection) -> (String, [UInt8]) {
        var props = ObjectWriter()
        let daichoType: String
        switch type {
        case "identify":
            daichoType = "identify"
            props.bytes("traits", merged(field("traits"), under: context("traits")))
        case "group":
            guard let g = json.text(field("groupId"), numbers: true) else { throw Rejection(reason: "group without \"groupId\"") }
            daichoType = "identify"
            var traits = ObjectWriter()
            traits.string("group_id", g)
            if let t = field("traits"), json.kind(t) == .object { traits.raw("group", json, t) }
            props.bytes("traits", traits.finish())
        case "alias":
            guard let previous = json.text(field("previousId"), numbers: true), let user = json.text(field("userId"), numbers: true) else {
                throw Rejection(reason: "alias needs \"previousId\" and \"userId\"")
            }
            daichoType = "link"
            ids = [("user_id", user), (mapping.aliasPreviousKind, previous)] + ids.filter { $0.0 != "user_id" && $0.0 != mapping.aliasPreviousKind }
        case "page", "screen":
            daichoType = "page_view"
            let properties = field("properties")
            var fromProperties: Set<String> = []
            if type == "page" {
                for key in ["url", "path", "title", "referrer"] {
                    if let v = json.member(properties, key) {
                        props.raw(key, json, v)
                        fromProperties.insert(key)
                    } else if let v = json.member(context("page"), key) {
                        props.raw(key, json, v)
                    }
                }
            } else {
                props.bool("screen", true)
            }
            if let n = field("name") { props.raw("name", json, n) }
            if let c = field("category") { props.raw("category", json, c) }
            copy(properties, into: &props, skipping: fromProperties)
        default: // track
            guard let e = field("event"), json.kind(e) == .string, let event = json.text(e) else {
                throw Rejection(reason: "track without \"event\"")
            }
            if let rule = mapping.events[event] {
                daichoType = rule.type
                try mapped(rule, event: event, into: &props)
            } else if event == "Order Completed" {
                daichoType = "purchase"
                try purchase(into: &props)
            } else {
                daichoType = "track"
                props.string("event", event)
                copy(field("properties"), into: &props)
            }
        }
        props.bytes("segment", segmentFields())
        return (daichoType, props.finish())
    }

    /// A `track` named in mapping.json: its properties renamed, as the mapped type.
    private func mapped(_ rule: SegmentMapping.EventRule, event: String, into props: inout ObjectWriter) throws(Rejection) {
        let properties = field("properties")
        if rule.traitsFromProperties {
            props.bytes("traits", merged(properties, under: nil))
            return
        }
        if rule.type == "track" { props.string("event", event) }
        if let properties {
            for (key, v) in json.members(properties) {
                let name = rule.rename[key] ?? key
                props.raw(props.has(name) ? "properties_" + name : name, json, v)
            }
        }
        if rule.type == "identify" && !props.has("traits") { props.bytes("traits", [0x7B, 0x7D]) }
    }

    /// Segment's e-commerce "Order Completed" as a purchase.
    private func purchase(into props: inout ObjectWriter) throws(Rejection) {
        let p = field("properties")
        guard let order = json.member(p, "order_id"), json.text(order, numbers: true) != nil else {
            throw Rejection(reason: "Order Completed without properties.order_id: orders are counted by id")
        }
        if json.kind(order) == .string { props.raw("order_id", json, order) } else { props.string("order_id", json.text(order, numbers: true)!) }
        let products = json.member(p, "products").map { json.elements($0) } ?? []
        if let total = json.member(p, "total") ?? json.member(p, "revenue"), json.kind(total) == .number {
            props.raw("amount", json, total)
        } else if !products.isEmpty {
            var sum = 0.0
            for item in products {
                guard let price = json.double(json.member(item, "price")) else {
                    throw Rejection(reason: "Order Completed without an amount: properties.total, revenue or products[].price")
                }
                sum += price * (json.double(json.member(item, "quantity")) ?? 1)
            }
            props.double("amount", sum)
        } else {
            throw Rejection(reason: "Order Completed without an amount: properties.total, revenue or products[].price")
        }
        if let c = json.member(p, "currency"), json.kind(c) == .string { props.raw("currency", json, c) } else { props.string("currency", mapping.defaultCurrency) }
        if !products.isEmpty {
            var items: [UInt8] = [0x5B]
            for (n, item) in products.enumerated() {
                if n > 0 { items.append(0x2C) }
                var w = ObjectWriter()
                if let sku = json.member(item, "sku") ?? json.member(item, "product_id") { w.raw("sku", json, sku) }
                if let q = json.member(item, "quantity") { w.raw("qty", json, q) } else { w.bytes("qty", [0x31]) }
                if let price = json.member(item, "price") { w.raw("price", json, price) }
                for (k, v) in json.memberTokens(item)
                where !json.key(k, isIn: ["sku", "product_id", "quantity", "price"]) || (json.key(k, isIn: ["product_id"]) && json.member(item, "sku") != nil) {
                    w.member(json, key: k, value: v, prefixWhenTaken: "product_")
                }
                items += w.finish()
            }
            items.append(0x5D)
            props.bytes("items", items)
        }
        if let p {
            for (k, v) in json.memberTokens(p) where !json.key(k, isIn: ["order_id", "products", "currency"]) {
                props.member(json, key: k, value: v, prefixWhenTaken: "properties_")
            }
        }
    }

    // MARK: - Helpers

    /// Every member of object `i` but those in `skipping` (written already from it); a member colliding with a key
    /// written from elsewhere is kept as `properties_<key>`.
    private func copy(_ i: Int?, into props: inout ObjectWriter, skipping: Set<String> = []) {
        guard let i, json.kind(i) == .object else { return }
        for (k, v) in json.memberTokens(i) where !json.key(k, isIn: skipping) {
            props.member(json, key: k, value: v, prefixWhenTaken: "properties_")
        }
    }

    /// Object `top`'s members, then `under`'s members whose keys `top` lacks.
    private func merged(_ top: Int?, under: Int?) -> [UInt8] {
        var w = ObjectWriter()
        for i in [top, under] {
            guard let i, json.kind(i) == .object else { continue }
            for (k, v) in json.memberTokens(i) where !w.has(key: k, of: json) { w.member(json, key: k, value: v) }
        }
        return w.finish()
    }

    /// The message's `context` merged over the batch's, with `ip` the client's address when neither gives one.
    private func contextObject(_ own: Int?) -> [UInt8] {
        var w = ObjectWriter()
        for i in [own, batchContext] {
            guard let i, json.kind(i) == .object else { continue }
            for (k, v) in json.memberTokens(i) where !w.has(key: k, of: json) { w.member(json, key: k, value: v) }
        }
        if let clientIP, !w.has("ip") { w.string("ip", clientIP) }
        return w.finish()
    }

    /// `props.segment`: every message field no row consumed, the merged context and integrations, `receivedAt`.
    private func segmentFields() -> [UInt8] {
        var w = ObjectWriter()
        for (k, v) in json.memberTokens(message) where !json.key(k, isIn: Self.consumed) {
            if json.key(k, isIn: ["context"]) {
                w.bytes("context", contextObject(v))
            } else if json.key(k, isIn: ["integrations"]) {
                w.bytes("integrations", merged(v, under: batchIntegrations))
            } else {
                w.member(json, key: k, value: v)
            }
        }
        if !w.has("context"), batchContext != nil || clientIP != nil { w.bytes("context", contextObject(nil)) }
        if !w.has("integrations"), let i = batchIntegrations { w.raw("integrations", json, i) }
        if !w.has("sentAt"), let s = batchSentAt { w.raw("sentAt", json, s) }
        var received: [UInt8] = [0x22]
        RFC3339.format(micros: receivedAt, offsetMinutes: 0, into: &received)
        received.append(0x22)
        w.bytes("receivedAt", received)
        if let r = field("receivedAt") { w.raw("clientReceivedAt", json, r) }
        return w.finish()
    }
}
