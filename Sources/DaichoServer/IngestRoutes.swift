import Daicho
import DaichoHTTP
import DaichoSegmentSpec
import Foundation

/// The ingest routes (docs/http-api.md "Ingest routes"): Segment's Tracking API and `/v1/import`, answered only
/// after every appended event of the request is durable (group commit) and every rejection is kept.
public final class IngestRoutes: @unchecked Sendable {
    let committer: GroupCommitter
    let rejects: ServerRejects
    let mapping: SegmentMapping
    let normalizer: IdentifierNormalizer
    let clock: @Sendable () -> Int64
    let metrics: ServerMetrics

    /// Messages per `/v1/batch` at most (Segment's limit).
    public static let maxMessages = 2500

    public init(committer: GroupCommitter, rejects: ServerRejects, mapping: SegmentMapping,
                normalizer: IdentifierNormalizer = IdentifierNormalizer(), metrics: ServerMetrics = ServerMetrics(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }) {
        self.committer = committer
        self.rejects = rejects
        self.mapping = mapping
        self.normalizer = normalizer
        self.clock = clock
        self.metrics = metrics
    }

    /// `POST /v1/batch` (`route` nil) or a single-message route (`route` its type); `clientIP` becomes the
    /// `context.ip` of messages that have none.
    public func segment(_ body: [UInt8], route: String?, key: ServeKeys.WriteKey, requestID: String, path: String,
                        clientIP: String? = nil) -> HTTPResponse {
        let batch: SegmentBatch
        do { batch = try SegmentBatch(body: body, routeType: route) } catch { return .error(400, error.message) }
        return segment(batch, key: key, requestID: requestID, path: path, clientIP: clientIP)
    }

    /// `segment` of a body already parsed (the router parsed it to read its `writeKey`).
    public func segment(_ batch: SegmentBatch, key: ServeKeys.WriteKey, requestID: String, path: String,
                        clientIP: String? = nil) -> HTTPResponse {
        guard batch.count <= Self.maxMessages else {
            return .error(413, "\(batch.count) messages in one batch; at most \(Self.maxMessages)")
        }
        let receivedAt = clock()
        var lines: [ArraySlice<UInt8>] = [], lineMessage: [Int] = []
        var rejected: [(index: Int, reason: String)] = []
        var warnings: [(index: Int, message: String)] = []
        for i in 0..<batch.count {
            switch batch.map(i, mapping: mapping, receivedAt: receivedAt, keySource: key.source, clientIP: clientIP,
                               normalizer: normalizer) {
            case .event(let line, let w):
                lines.append(line[...])
                lineMessage.append(i)
                warnings += w.map { (i, $0) }
            case .rejected(let reason):
                rejected.append((i, reason))
            }
        }
        let outcomes: [LineOutcome]
        switch submit(lines) {
        case .success(let o): outcomes = o
        case .failure(let refusal): return refusal.response
        }
        var appended = 0, duplicates = 0, next: UInt64?
        for (k, o) in outcomes.enumerated() {
            switch o {
            case .appended(let offset): appended += 1; next = offset + 1
            case .duplicate: duplicates += 1
            case .rejected(let reason): rejected.append((lineMessage[k], reason))
            }
        }
        rejected.sort { $0.index < $1.index }
        metrics.countEvents(appended: appended, duplicates: duplicates, rejected: rejected.count)
        let input = "\(requestID) POST \(path)"
        do {
            try rejects.keep(rejected.map { .init(input: input, line: $0.index + 1, reason: $0.reason, bytes: batch.messageBytes($0.index)) })
        } catch {
            return .error(503, "the rejected messages could not be kept (\(error.message)); the request can be retried",
                          headers: [("Retry-After", "5")])
        }
        let body: JSONValue = .object([
            JSONMember("success", .bool(true)),
            JSONMember("appended", .int(Int64(appended))),
            JSONMember("duplicates", .int(Int64(duplicates))),
            JSONMember("rejected", .array(rejected.map { .object([JSONMember("index", .int(Int64($0.index))), JSONMember("reason", .string($0.reason))]) })),
            JSONMember("warnings", .array(warnings.map { .object([JSONMember("index", .int(Int64($0.index))), JSONMember("message", .string($0.message))]) })),
            JSONMember("offset", .int(Int64(next ?? committer.currentStore?.nextOffset ?? 0))),
        ])
        return .json(200, Self.bytes(body))
    }

    /// `POST /v1/import`: Daicho's own envelope as NDJSON, `daicho append`'s summary.
    public func importNDJSON(_ body: [UInt8], requestID: String) -> HTTPResponse {
        let started = Date()
        var lines: [ArraySlice<UInt8>] = [], numbers: [Int] = []
        var start = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0 // a byte order mark at the start (docs/ingest.md)
        var number = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.count
            number += 1
            var line = body[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if !line.isEmpty {
                lines.append(line)
                numbers.append(number)
            }
            start = end + 1
        }
        let outcomes: [LineOutcome]
        switch submit(lines) {
        case .success(let o): outcomes = o
        case .failure(let refusal): return refusal.response
        }
        var appended = 0, duplicates = 0, first: UInt64?, last: UInt64?
        var records: [ServerRejects.Record] = []
        for (k, o) in outcomes.enumerated() {
            switch o {
            case .appended(let offset):
                appended += 1
                if first == nil { first = offset }
                last = offset
            case .duplicate: duplicates += 1
            case .rejected(let reason):
                records.append(.init(input: "\(requestID) POST /v1/import", line: numbers[k], reason: reason, bytes: lines[k]))
            }
        }
        metrics.countEvents(appended: appended, duplicates: duplicates, rejected: records.count)
        do { try rejects.keep(records) } catch {
            return .error(503, "the rejected lines could not be kept (\(error.message)); the request can be retried",
                          headers: [("Retry-After", "5")])
        }
        let summary: JSONValue = .object([
            JSONMember("read", .int(Int64(lines.count))),
            JSONMember("appended", .int(Int64(appended))),
            JSONMember("duplicates", .int(Int64(duplicates))),
            JSONMember("rejected", .int(Int64(records.count))),
            JSONMember("first_offset", first.map { .int(Int64($0)) } ?? .null),
            JSONMember("last_offset", last.map { .int(Int64($0)) } ?? .null),
            JSONMember("seconds", .double((Date().timeIntervalSince(started) * 1000).rounded() / 1000)),
            JSONMember("rejects_file", records.isEmpty ? .null : .string(rejects.path)),
        ])
        return .json(200, Self.bytes(summary))
    }

    static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        EventJSONWriter.appendValue(value, to: &out)
        return out
    }

    /// The group commit, with the committer's refusals as responses.
    private func submit(_ lines: [ArraySlice<UInt8>]) -> Result<[LineOutcome], ResponseFailure> {
        guard !lines.isEmpty else { return .success([]) }
        do throws(GroupCommitter.Failure) {
            return .success(try committer.submit(lines))
        } catch {
            switch error {
            case .busy: return .failure(ResponseFailure(.error(429, "the writer is behind; retry later", headers: [("Retry-After", "1")])))
            case .stopping: return .failure(ResponseFailure(.error(503, "the server is stopping", headers: [("Retry-After", "5")])))
            case .unavailable(let why): return .failure(ResponseFailure(.error(503, "the log cannot be written: \(why)", headers: [("Retry-After", "5")])))
            }
        }
    }
}

/// A response carried as an error (a refusal found before the work was done).
struct ResponseFailure: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
