import Daicho
import DaichoJSON

/// A request body of Segment's HTTP Tracking API (docs/segment-compatibility.md): a `/v1/batch` body
/// (`{"batch":[…], "context", "integrations", "sentAt", "writeKey"}`) or one message of a single-message route.
public struct SegmentBatch {
    let json: RawJSON
    /// The message tokens.
    let messages: [Int]
    /// Batch-level `context` and `integrations` objects (merged under each message's own), and `sentAt`.
    let batchContext: Int?
    let batchIntegrations: Int?
    let batchSentAt: Int?
    /// The type a single-message route implies for a message without `type`.
    let routeType: String?

    /// The most bytes one message may have (Segment's limit).
    public static let maxMessageBytes = 32 * 1024

    /// Parses a body.
    /// - Parameter routeType: nil for `/v1/batch`; the route's type (`track`, `identify`, …) for a single route.
    /// - Throws: `SegmentBodyError` when the body is not JSON, not an object, or (batch) has no `batch` array: the
    ///   HTTP 400 cases. Anything wrong inside a message is that message's rejection (`map`).
    public init(body: [UInt8], routeType: String?) throws(SegmentBodyError) {
        let json: RawJSON
        do { json = try RawJSON(body) } catch { throw SegmentBodyError(message: "body is not JSON: \(error)") }
        self.json = json
        guard json.kind(0) == .object else { throw SegmentBodyError(message: "body is not a JSON object") }
        self.routeType = routeType
        isBatch = routeType == nil
        if routeType == nil {
            guard let b = json.member(0, "batch"), json.kind(b) == .array else {
                throw SegmentBodyError(message: "body has no \"batch\" array")
            }
            messages = json.elements(b)
            batchContext = json.member(0, "context").flatMap { json.kind($0) == .object ? $0 : nil }
            batchIntegrations = json.member(0, "integrations").flatMap { json.kind($0) == .object ? $0 : nil }
            batchSentAt = json.member(0, "sentAt")
        } else {
            messages = [0]
            batchContext = nil
            batchIntegrations = nil
            batchSentAt = nil
        }
    }

    /// Parses one line of a file of Segment messages (`daicho append --format segment`): one message, or a
    /// `{"batch":[…]}` object whose messages each name their `type`.
    /// - Throws: `SegmentBodyError` when the line is not a JSON object, or its `batch` is not an array.
    public init(line: [UInt8]) throws(SegmentBodyError) {
        let json: RawJSON
        do { json = try RawJSON(line) } catch { throw SegmentBodyError(message: "not JSON: \(error)") }
        guard json.kind(0) == .object else { throw SegmentBodyError(message: "not a Segment message: expected a JSON object") }
        if json.member(0, "batch") != nil {
            try self.init(body: line, routeType: nil)
        } else {
            self.init(message: json)
        }
    }

    /// One message that names its own `type`.
    private init(message json: RawJSON) {
        self.json = json
        messages = [0]
        batchContext = nil
        batchIntegrations = nil
        batchSentAt = nil
        routeType = nil
        isBatch = false
    }

    /// Whether the body was a `{"batch":[…]}` (its messages are numbered in it), not one message.
    public let isBatch: Bool

    /// Number of messages.
    public var count: Int { messages.count }

    /// The `writeKey` given in the body (Segment's clients may send it there instead of in the header).
    public var writeKey: String? { json.text(json.member(0, "writeKey")) }

    /// Message `i` as it was sent (what the rejects file keeps).
    public func messageBytes(_ i: Int) -> ArraySlice<UInt8> { json.bytes[json.raw(messages[i])] }

    /// Maps message `i` to a Daicho envelope line (docs/segment-compatibility.md).
    /// - Parameters:
    ///   - receivedAt: the server's clock when the body was complete, µs since the epoch.
    ///   - keySource: the `source` of the write key, for messages that name none.
    ///   - clientIP: the sender's address, the `context.ip` of a message whose context has none (nil: none added).
    public func map(_ i: Int, mapping: SegmentMapping, receivedAt: Int64, keySource: String? = nil, clientIP: String? = nil,
                    normalizer: IdentifierNormalizer = IdentifierNormalizer()) -> MappedMessage {
        var m = SegmentMessageMapper(json: json, message: messages[i], batchContext: batchContext,
                                     batchIntegrations: batchIntegrations, batchSentAt: batchSentAt, routeType: routeType,
                                     mapping: mapping, receivedAt: receivedAt, keySource: keySource, clientIP: clientIP,
                                     normalizer: normalizer)
        return m.map()
    }
}

/// A body that is not a Segment batch at all (HTTP 400).
public struct SegmentBodyError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// What one message became.
public enum MappedMessage: Equatable, Sendable {
    /// An envelope line (without the newline) for ingest, and what did not become an identifier.
    case event(line: [UInt8], warnings: [String])
    /// Refused before ingest, with the reason (docs/segment-compatibility.md "Rejections").
    case rejected(reason: String)
}
