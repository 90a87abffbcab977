@testable import Daicho
import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// Group commit: concurrent submissions share rounds, each gets exactly its own outcomes, nothing is lost or
/// duplicated, and a full queue is refused rather than grown.
/// What concurrent submitters saw, behind a lock.
final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var offsets: [String: UInt64] = [:]
    var duplicates = 0, refused = 0, appended = 0
    var problems: [String] = []
    func with(_ body: (Tally) -> Void) { lock.lock(); body(self); lock.unlock() }
}

@Suite struct GroupCommitterTests {
    static func line(_ id: String) -> ArraySlice<UInt8> {
        ArraySlice(#"{"id":"\#(id)","type":"track","at":"2026-11-01T00:00:00Z","ids":{"user_id":"U-\#(id)"},"props":{"event":"E"}}"#.utf8)
    }

    @Test func concurrentSubmissionsShareRoundsAndGetTheirOwnOutcomes() throws {
        let t = TemporaryDirectory()
        let data = DataDirectory(t.path + "/data")
        let committer = GroupCommitter(store: try EventStore.open(data)) { try EventStore.open(data) }
        let threads = 8, perThread = 40
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: threads) { th in
            for k in 0..<perThread {
                // Each submission: two new ids, and one id another thread also sends (exactly one of them appends it).
                let ids = ["t\(th)-\(k)-a", "t\(th)-\(k)-b", "shared-\(k)"]
                let outcomes = try! committer.submit(ids.map(Self.line))
                tally.with { t in
                    for (id, o) in zip(ids, outcomes) {
                        switch o {
                        case .appended(let offset):
                            if t.offsets[id] != nil { t.problems.append("\(id) appended twice") }
                            t.offsets[id] = offset
                        case .duplicate: t.duplicates += 1
                        case .rejected(let r): t.problems.append("rejected \(id): \(r)")
                        }
                    }
                }
            }
        }
        committer.stop()
        let offsets = tally.offsets, duplicates = tally.duplicates
        #expect(tally.problems.isEmpty, "\(tally.problems)")
        #expect(offsets.count == threads * perThread * 2 + perThread)
        #expect(duplicates == (threads - 1) * perThread)
        #expect(Set(offsets.values).count == offsets.count)
        #expect(committer.rounds <= threads * perThread)
        let reader = try EventReader(data)
        var stored: [String: UInt64] = [:]
        try reader.forEach { o, v in stored[try v.materialize().id] = o; return true }
        #expect(stored == offsets) // every acknowledged offset holds that event, and nothing else is there
    }

    /// While a round is being written, the submissions that arrive wait and go together in the next one.
    @Test func submissionsArrivingDuringARoundShareTheNext() throws {
        let t = TemporaryDirectory()
        let data = DataDirectory(t.path + "/data")
        let store = try EventStore.open(data)
        let committer = GroupCommitter(store: store) { try EventStore.open(data) }
        store.lock.lock() // the first round blocks inside appendLines until the others are queued
        let done = DispatchGroup()
        func submitOnAThread(_ i: Int) {
            done.enter()
            Thread {
                _ = try? committer.submit([Self.line("s\(i)")])
                done.leave()
            }.start()
        }
        submitOnAThread(0)
        while !committer.isWriting { usleep(1000) } // the first submission is in its round, blocked
        for i in 1..<8 { submitOnAThread(i) }
        while committer.queueDepth < 7 { usleep(1000) }
        store.lock.unlock()
        done.wait()
        #expect(committer.rounds == 2)
        committer.stop()
    }

    @Test func afterStopSubmissionsAreRefused() throws {
        let t = TemporaryDirectory()
        let data = DataDirectory(t.path + "/data")
        let committer = GroupCommitter(store: try EventStore.open(data)) { try EventStore.open(data) }
        committer.stop()
        #expect(throws: GroupCommitter.Failure.stopping) { try committer.submit([Self.line("x")]) }
        // The store was closed: another writer can open the directory.
        let again = try EventStore.open(data)
        try again.close()
    }

    @Test func aQueueBoundRefusesWithBusyOnlyAndAnOversizeSubmissionStillFits() throws {
        let t = TemporaryDirectory()
        let data = DataDirectory(t.path + "/data")
        var options = GroupCommitter.Options()
        options.maxQueuedBytes = 1000
        let committer = GroupCommitter(store: try EventStore.open(data), options: options) { try EventStore.open(data) }
        defer { committer.stop() }
        // A submission larger than the queue is accepted when the queue is empty (it could never fit otherwise)…
        let big = (0..<20).map { Self.line("big-\($0)") }
        #expect(try committer.submit(big).allSatisfy { if case .appended = $0 { true } else { false } })
        // …and concurrent ones beyond the bound are refused with `busy` while it is full (how many depends on timing;
        // every refusal must be `busy`, every other submission appended).
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            do throws(GroupCommitter.Failure) {
                _ = try committer.submit((0..<8).map { Self.line("c\(i)-\($0)") })
                tally.with { $0.appended += 1 }
            } catch {
                tally.with { $0.refused += 1; if error != .busy { $0.problems.append("\(error)") } }
            }
        }
        #expect(tally.problems.isEmpty)
        #expect(tally.appended + tally.refused == 16)
        #expect(tally.appended >= 1)
    }
}
