import DaichoHTTP
import Foundation
import Testing

/// `daicho serve` killed with SIGKILL while eight clients post batches (docs/http-api.md "Ingest routes": 200 only
/// after every event of the request is durable): every acknowledged event is in the log exactly once after any
/// number of kills and restarts, and re-sending everything — as the SDKs retry — appends only what was never
/// acknowledged, once.
@Suite(.serialized) struct ServeCrashTests {
    /// What the clients share: where the server is now, what they sent and what was acknowledged.
    final class Clients: @unchecked Sendable {
        private let lock = NSLock()
        private var endpoint: HTTPClient.Endpoint
        private(set) var sent: [(ids: [String], body: [UInt8])] = []
        private(set) var acknowledged = Set<String>()
        private(set) var failures = 0
        private var stopping = false

        init(_ endpoint: HTTPClient.Endpoint) { self.endpoint = endpoint }

        func locked<R>(_ body: () -> R) -> R { lock.lock(); defer { lock.unlock() }; return body() }
        var current: HTTPClient.Endpoint { locked { endpoint } }
        var stopped: Bool { locked { stopping } }
        func move(to e: HTTPClient.Endpoint) { locked { endpoint = e } }
        func stop() { locked { stopping = true } }
        func note(sent ids: [String], body: [UInt8]) { locked { sent.append((ids, body)) } }
        func note(acknowledged ids: [String]) { locked { acknowledged.formUnion(ids) } }
        func noteFailure() { locked { failures += 1 } }
    }

    /// A Segment batch of `ids` as `track` messages of one user each.
    static func batch(_ ids: [String]) -> [UInt8] {
        let messages = ids.map {
            #"{"type":"track","messageId":"\#($0)","userId":"U-\#($0)","event":"Coupon Redeemed","timestamp":"2026-05-02T10:00:00Z"}"#
        }
        return Array(#"{"batch":[\#(messages.joined(separator: ","))]}"#.utf8)
    }

    static func post(_ body: [UInt8], to endpoint: HTTPClient.Endpoint, key: String) throws -> HTTPClient.Reply {
        try HTTPClient.send("POST", to: endpoint, path: "/v1/batch",
                            headers: [("Authorization", "Basic " + Data((key + ":").utf8).base64EncodedString()),
                                      ("Content-Type", "application/json")], body: body, timeoutMillis: 10_000)
    }

    @Test func everyAcknowledgedEventSurvivesSIGKILLExactlyOnceAndResendingAppendsOnlyWhatWasNeverAcknowledged() throws {
        let t = TemporaryDirectory()
        let d = try dataDirectory(t, appending: [eventLine("seed")])
        var server = try ServeCommandTests.Serving(d)
        let (write, _) = try server.keys(d)
        let clients = Clients(server.endpoint)
        let done = DispatchGroup()
        for c in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                var n = 0
                while !clients.stopped {
                    let ids = (0..<10).map { "c\(c)-\(n)-\($0)" }
                    n += 1
                    let body = Self.batch(ids)
                    clients.note(sent: ids, body: body)
                    let reply = try? Self.post(body, to: clients.current, key: write)
                    if let reply, reply.status == 200 { clients.note(acknowledged: ids) }
                    else { clients.noteFailure(); usleep(20_000) }
                }
            }
        }
        var rng = SystemRandomNumberGenerator()
        let kills = 6
        for _ in 0..<kills {
            usleep(UInt32.random(in: 150_000...600_000, using: &rng))
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            #expect(server.process.terminationReason == .uncaughtSignal)
            server = try ServeCommandTests.Serving(d)
            #expect(server.start["listening"] != nil, "restart after a kill: \(server.start)")
            clients.move(to: server.endpoint)
        }
        usleep(300_000)
        clients.stop()
        done.wait()
        let acknowledged = clients.acknowledged
        let sent = clients.sent
        let attempted = Set(sent.flatMap(\.ids))
        #expect(acknowledged.count >= 500, "the clients got batches through between the kills (\(acknowledged.count))")
        #expect(clients.failures >= kills, "requests failed while the server was down (\(clients.failures))")

        // Everything again, as retrying SDKs would: what was acknowledged is a duplicate now.
        var appended = 0, duplicates = 0
        for (_, body) in sent {
            let reply = try Self.post(body, to: server.endpoint, key: write)
            #expect(reply.status == 200)
            let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
            appended += object["appended"] as? Int ?? 0
            duplicates += object["duplicates"] as? Int ?? 0
        }
        #expect(appended + duplicates == attempted.count)
        #expect(duplicates >= acknowledged.count, "every acknowledged event was in the log before the re-send")
        #expect(server.terminate().status == 0)

        var seen: [String: Int] = [:]
        for id in try exportedIDs(data: d) where id != "seed" { seen[id, default: 0] += 1 }
        #expect(seen.values.allSatisfy { $0 == 1 }, "no event twice: \(seen.filter { $0.value > 1 }.prefix(5))")
        #expect(Set(seen.keys) == attempted, "every message sent is in the log after the re-send, nothing else")
        #expect(acknowledged.isSubset(of: Set(seen.keys)))
        #expect(try daicho(["verify", "--data", d]).status == 0)
    }
}
