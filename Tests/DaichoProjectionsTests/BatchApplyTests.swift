import Daicho
import DaichoLog
import DaichoTestSupport
import DaichoWorkload
import Foundation
import Testing
@testable import DaichoProjections

/// The batch apply of replay (docs/architecture.md "Replay on two threads"): identity remembered per batch for the
/// batch's repeated identifier values, props read once per event on the reader thread, each frame applied in one
/// loop. Each piece is compared with the plain per-event path it replaces.
@Suite struct BatchApplyTests {
    /// What resolving one event gave: its profile and the profiles its merges absorbed.
    struct Resolved: Equatable {
        var profile: UInt32
        var absorbed: [UInt32]
        var conflict: Bool
    }

    /// Resolves every event of the log into a fresh graph, remembering per batch (`batch`: the frame's base
    /// offset) or not (`nil`); returns the graph and each event's outcome.
    static func resolveAll(_ reader: EventReader, rules: IdentityRules, remembering: Bool) throws -> (IdentityGraph, [Resolved]) {
        let graph = IdentityGraph(rules: rules)
        var outcomes: [Resolved] = []
        var base: UInt64 = 0
        try reader.forEach(onFrame: { frame, _ in base = frame.baseOffset }) { offset, view in
            if !view.type.isInternal {
                let o = graph.apply(view.identifiers, strings: view.strings, offset: offset, batch: remembering ? base : nil)
                outcomes.append(Resolved(profile: o.profile, absorbed: o.absorbed, conflict: o.conflict))
            }
            return true
        }
        return (graph, outcomes)
    }

    /// A seeded log of 8,000 events that merges profiles and grows the node table, its identity rules, and the
    /// reference: every event resolved into a fresh graph with nothing remembered.
    static func seededReference(_ t: TemporaryDirectory, seed: UInt64) throws
        -> (reader: EventReader, rules: IdentityRules, fresh: IdentityGraph, expected: [Resolved]) {
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 8000, seed: seed)
        let reader = try EventReader(dir)
        let rules = try ProjectionSettings.load(dir).rules
        let (fresh, expected) = try resolveAll(reader, rules: rules, remembering: false)
        #expect(fresh.merges > 0, "the seeded log must merge profiles")
        #expect(fresh.nodeCount > 1024, "the node table must grow during the replay")
        return (reader, rules, fresh, expected)
    }

    /// `graph`, which resolved every event into `got`, against the reference: the same outcomes, counters and bytes.
    static func expectSame(_ graph: IdentityGraph, _ got: [Resolved], as fresh: IdentityGraph, _ expected: [Resolved]) {
        #expect(got == expected, "per-event outcomes differ")
        #expect(graph.refused == fresh.refused)
        #expect(graph.unattributedEvents == fresh.unattributedEvents)
        #expect(graph.conflicts == fresh.conflicts)
        let same = bytes(graph) == bytes(fresh)
        #expect(same, "graph bytes differ")
    }

    static func bytes(_ g: IdentityGraph) -> [UInt8] {
        var w = SnapshotWriter()
        g.write(to: &w)
        return w.bytes
    }

    /// An event applied outside the frame `beginFrame` began (its string refs are another batch's) is resolved
    /// without the batch memo: the identity graph comes out as when every frame is begun.
    @Test func anEventOutsideTheBegunFrameIsResolvedWithoutTheMemo() throws {
        let t = TemporaryDirectory()
        let dir = try ProjectionReplayTests.dataDirectory(t, events: 8000, seed: 5)
        let reader = try EventReader(dir)
        let rules = try ProjectionSettings.load(dir).rules
        let everyFrame = ProfileProjection(rules: rules), firstFrameOnly = ProfileProjection(rules: rules)
        var frames = 0
        try reader.forEach(onFrame: { frame, strings in
            everyFrame.beginFrame(frame, strings: strings)
            if frames == 0 { firstFrameOnly.beginFrame(frame, strings: strings) }
            frames += 1
        }) { offset, view in
            everyFrame.apply(view, offset: offset)
            firstFrameOnly.apply(view, offset: offset)
            return true
        }
        #expect(frames > 1)
        let same = Self.bytes(firstFrameOnly.graph) == Self.bytes(everyFrame.graph)
        #expect(same, "graph bytes differ")
    }

    /// A batch's repeated identifier values reuse what the first of them found (refusal, household, hash, node
    /// slot), across table growth and merges: every event resolves as it does with nothing remembered, and the
    /// graphs are byte-identical.
    @Test(arguments: [3, 17] as [UInt64])
    func identityRememberedPerBatchEqualsIdentityResolvedAfresh(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let (reader, rules, fresh, expected) = try Self.seededReference(t, seed: seed)
        let (remembered, got) = try Self.resolveAll(reader, rules: rules, remembering: true)
        Self.expectSame(remembered, got, as: fresh, expected)
    }

    /// Prefetching (`IdentityGraph.prefetchSlots` and `prefetchNodes`, which replay calls for events a little
    /// ahead) changes no outcome: called for random events of the batch, ahead of the one resolved, behind it or
    /// for it, across table growth and merges, every event resolves as with nothing remembered and the graphs are
    /// byte-identical.
    @Test(arguments: [4, 23] as [UInt64])
    func prefetchingAheadChangesNoOutcome(seed: UInt64) throws {
        let t = TemporaryDirectory()
        let (reader, rules, fresh, expected) = try Self.seededReference(t, seed: seed)
        let graph = IdentityGraph(rules: rules)
        nonisolated(unsafe) var got: [Resolved] = []
        nonisolated(unsafe) var rng = SeededGenerator(seed: seed)
        nonisolated(unsafe) var prefetches = 0
        try reader.forEachFrameAhead(ahead: { frame in
            let records = frame.records, batch = frame.context.baseOffset
            for k in records {
                for _ in 0..<Int(rng.next() % 3) {
                    let j = records.clamped(to: k - 4 ..< k + 24).randomElement(using: &rng)!
                    let view = frame.view(j)
                    if rng.next() % 2 == 0 {
                        graph.prefetchSlots(view.identifiers, strings: view.strings, batch: batch)
                    } else {
                        graph.prefetchNodes(view.identifiers, batch: batch)
                    }
                    prefetches += 1
                }
                let view = frame.view(k)
                if !view.type.isInternal {
                    let o = graph.apply(view.identifiers, strings: view.strings, offset: frame.offset(of: k), batch: batch)
                    got.append(Resolved(profile: o.profile, absorbed: o.absorbed, conflict: o.conflict))
                }
            }
        }) { _ in true }
        #expect(prefetches > 5000)
        Self.expectSame(graph, got, as: fresh, expected)
    }

    /// A log where a third of the events arrive late (out of time order) and many are re-sent: the batch apply
    /// of replay gives the reference's snapshot bytes and profiles, and so does an as-of view of it.
    @Test func batchApplyEqualsTheReferenceOnALogOfLateEvents() throws {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path + "/data")
        let file = t.path + "/in.ndjson"
        let stats = try WorkloadGenerator.write(WorkloadConfig(events: 8000, customers: 900, seed: 31, duplicateRate: 0.05,
                                                               lateRate: 0.33), toPath: file)
        #expect(stats.late > 2000)
        let store = try EventStore.open(dir, options: LogOptions(segmentMaxBytes: 64 << 10, durability: .end))
        _ = try store.ingest(file: file, chunkBytes: 32 << 10)
        try store.close()
        let settings = try ProjectionSettings.load(dir), reader = try EventReader(dir)
        let reference = try PipelinedReplayTests.referenceReplay(reader, settings: settings)
        let batched = try PipelinedReplayTests.pipelinedReplay(reader, settings: settings)
        #expect(reference.graph.merges > 0, "the log must merge profiles")
        let sameProfiles = ProjectionReplayTests.render(batched) == ProjectionReplayTests.render(reference)
        #expect(sameProfiles, "profiles differ")
        let a = try PipelinedReplayTests.snapshot(reference, dir, settings: settings, in: t, name: "reference")
        let b = try PipelinedReplayTests.snapshot(batched, dir, settings: settings, in: t, name: "batched")
        let sameSnapshot = a == b
        #expect(sameSnapshot, "snapshot bytes differ")
        let cut = WorkloadConfig.defaultStart + WorkloadConfig.span / 2
        let referenceAsOf = try PipelinedReplayTests.referenceReplay(reader, settings: settings, asOf: cut)
        let batchedAsOf = try PipelinedReplayTests.pipelinedReplay(reader, settings: settings, asOf: cut)
        #expect(referenceAsOf.appliedEvents > 0 && referenceAsOf.appliedEvents < reference.appliedEvents)
        let sameAsOf = ProjectionReplayTests.render(batchedAsOf, now: cut) == ProjectionReplayTests.render(referenceAsOf, now: cut)
        #expect(sameAsOf, "profiles as of the middle of the log differ")
    }
}
