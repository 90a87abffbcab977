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

    /// Messages per `/v1/batch` at most (Segment's limit).
    public static let maxMessages = 2500

    public init(committer: GroupCommitter, rejects: ServerRejects, mapping: SegmentMapping,
                normalizer: IdentifierNormalizer = IdentifierNormalizer(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }) {
        self.committer = committer
        self.rejects = rejects
        self.mapping = mapping
        self.normalizer = normalizer
        self.clock = clock
    }

    /// `POST /v1/batch` (`route` nil) or a single-message route (`route` its type).
    public func segment(_ body: [UInt8], route: String?, key: ServeKeys.WriteKey, requestID: String, path: String) -> HTTPResponse {
        let batch: SegmentBatch
        do { batch = try SegmentBatch(body: body, routeType: route) } catch { return .error(400, error.message) }
        guard batch.count <= Self.maxMessages else {
            return .error(413, "\(batch.count) messages in one batch; at most \(Self.maxMessages)")
        }
        let receivedAt = clock()
        var lines: [ArraySlice<UInt8>] = [], lineMessage: [Int] = []
        var rejected: [(index: Int, reason: String)] = []
        var warnings: [(index: Int, message: String)] = []
        for i in 0..<batch.count {
            switch batch.map(i, mapping: mapping, receivedAt: receivedAt, keySource: key.source, normalizer: normalizer) {
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
        let input = "\(requestID) POST \(path)"
        do {
            try rejects.keep(rejected.map { .init(input: input, line: $0.index + 1, reason: $0.reason, bytes: batch.messageBytes($0.index)) })
        } catch {
            return .error(503, "the rejected messages could not be kept (\(error.message)); the request can be retried",
                          headers: [("Retry-After", "5")])
        }
        var out = ObjectBody()
        out.raw("success", "true")
        out.int("appended", appended)
        out.int("duplicates", duplicates)
        out.raw("rejected", "[" + rejected.map { "{\"index\":\($0.index),\"reason\":\(jsonString($0.reason))}" }.joined(separator: ",") + "]")
        out.raw("warnings", "[" + warnings.map { "{\"index\":\($0.index),\"message\":\(jsonString($0.message))}" }.joined(separator: ",") + "]")
        out.int("offset", Int(next ?? committer.currentStore?.nextOffset ?? 0))
        return .json(200, out.bytes)
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
        do { try rejects.keep(records) } catch {
            return .error(503, "the rejected lines could not be kept (\(error.message)); the request can be retried",
                          headers: [("Retry-After", "5")])
        }
        var out = ObjectBody()
        out.int("read", lines.count)
        out.int("appended", appended)
        out.int("duplicates", duplicates)
        out.int("rejected", records.count)
        out.raw("first_offset", first.map { "\($0)" } ?? "null")
        out.raw("last_offset", last.map { "\($0)" } ?? "null")
        out.raw("seconds", String(format: "%.3f", Date().timeIntervalSince(started)))
        out.raw("rejects_file", records.isEmpty ? "null" : jsonString(rejects.path))
        return .json(200, out.bytes)
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

/// A JSON object built member by member (members are written in order, values given as JSON text).
struct ObjectBody {
    private var text = ""
    mutating func raw(_ key: String, _ json: String) { text += (text.isEmpty ? "" : ",") + jsonString(key) + ":" + json }
    mutating func int(_ key: String, _ v: Int) { raw(key, String(v)) }
    var bytes: [UInt8] { Array(("{" + text + "}").utf8) }
}
