import Daicho
import DaichoJSON
import DaichoLog
import DaichoTestSupport
import Foundation
import Testing
@testable import DaichoProjections

/// One customer read from the snapshot alone (docs/profile.md "One customer") gives what the full projection gives.
@Suite struct SnapshotProfilesTests {
    static let now: Int64 = 1_800_000_000_000_000

    /// A seeded log (with merges and refused merges), its full replay, and its snapshot written.
    /// With `refusedMerges`, links that would give customers two user ids are appended: refused merges
    /// (docs/identity.md rule 4), recorded as conflicts on the profiles.
    static func replayed(_ t: TemporaryDirectory, events: Int = 6000, seed: UInt64 = 11,
                         refusedMerges: Bool = false) throws -> (DataDirectory, ProfileProjection, ProjectionSettings) {
        let dir = try ProjectionReplayTests.dataDirectory(t, events: events, seed: seed)
        if refusedMerges {
            var lines: [String] = []
            for i in 0..<20 {
                let at = "2026-03-01T10:\(10 + i):00+09:00"
                lines.append(#"{"id":"c\#(i)a","type":"identify","at":"\#(at)","ids":{"user_id":"U-A\#(i)","email":"a\#(i)@conflict.jp"},"props":{"traits":{}}}"#)
                lines.append(#"{"id":"c\#(i)b","type":"identify","at":"\#(at)","ids":{"user_id":"U-B\#(i)","email":"b\#(i)@conflict.jp"},"props":{"traits":{}}}"#)
                lines.append(#"{"id":"c\#(i)l","type":"link","at":"\#(at)","ids":{"user_id":"U-B\#(i)","email":"a\#(i)@conflict.jp"}}"#)
            }
            let store = try EventStore.open(dir)
            _ = try store.ingest(file: t.write("conflicts.ndjson", lines.joined(separator: "\n")))
            try store.close()
        }
        let settings = try ProjectionSettings.load(dir)
        let full = try ProjectionLoader.replay(EventReader(dir), settings: settings, asOf: nil)
        try ProjectionSnapshot.write(full, settingsHash: settings.hash, directory: dir.snapshotsPath, log: dir)
        return (dir, full, settings)
    }

    static func open(_ dir: DataDirectory, _ settings: ProjectionSettings) throws -> SnapshotProfiles {
        switch SnapshotProfiles.open(dir, settings: settings, proving: try EventReader(dir)) {
        case .opened(let s): return s
        case .unavailable(let why): throw SnapshotError(why)
        }
    }

    static func text(_ v: JSONValue) -> String {
        var out: [UInt8] = []
        EventJSONWriter.appendValue(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [(UInt64(11), false), (29, true)])
    func everyProfileReadAloneEqualsTheFullProjection(seed: UInt64, refusedMerges: Bool) throws {
        let t = TemporaryDirectory()
        let (dir, full, settings) = try Self.replayed(t, seed: seed, refusedMerges: refusedMerges)
        let snapshot = try Self.open(dir, settings)
        #expect(snapshot.nextOffset == full.nextOffset)
        #expect(full.graph.merges > 0, "the log must hold merged profiles")
        var merged = 0, conflicted = 0
        for p in full.livingProfiles {
            #expect(Self.text(try snapshot.json(of: p, now: Self.now)) == Self.text(full.json(of: p, now: Self.now)), "profile \(p)")
            #expect(try snapshot.eventOffsets(of: p) == full.eventOffsets(of: p).sorted())
            let id = full.graph.id(of: p)
            #expect(try snapshot.id(of: p) == id)
            #expect(try snapshot.profile(id: id) == p)
            for m in full.graph.mergedIDs(of: p) {
                #expect(try snapshot.profile(id: m) == full.graph.profile(id: m))
                merged += 1
            }
            for i in full.graph.identifiers(of: p) {
                let kind = IdentifierKind.all[Int(i.kind)]
                #expect(try snapshot.profile(kind: kind, raw: i.value) == full.profile(kind: kind, raw: i.value), "\(kind.name) of \(p)")
            }
            if full.graph.conflicts(of: p).count > 0 { conflicted += 1 }
        }
        #expect(merged > 0, "merged ids must be exercised")
        #expect((conflicted >= 20) == refusedMerges, "the appended links (only) must make refused merges")
        // Nobody holds these: both paths say so.
        #expect(try snapshot.profile(kind: .email, raw: "nobody-\(seed)@example.invalid") == nil)
        #expect(try snapshot.profile(id: "p-0123456789abcdef") == full.graph.profile(id: "p-0123456789abcdef"))
    }

    /// Where each blocked section's blocks lie in the file (after its block table).
    static func blockAreas(_ bytes: [UInt8]) -> [(section: Int, range: Range<Int>)] {
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var areas: [(Int, Range<Int>)] = []
        var at = 64 + 32 * ProjectionSnapshot.sectionCount
        for s in 0..<ProjectionSnapshot.sectionCount {
            let length = u64(64 + 32 * s), encoding = u64(64 + 32 * s + 24)
            if encoding == 2 {
                let table = 8 + 32 * u64(at)
                areas.append((s, (at + table)..<(at + length)))
            }
            at += length
        }
        return areas
    }

    /// A flipped byte in any block of the symbols, profiles or lookup section is caught by that block's hash: the
    /// one-customer reader throws, and a full load rebuilds the views with a notice.
    @Test func aDamagedBlockFailsLoudlyAndTheFullLoadRebuilds() throws {
        let t = TemporaryDirectory()
        let (dir, full, settings) = try Self.replayed(t, events: 3000)
        let path = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        let areas = Self.blockAreas(bytes)
        #expect(areas.map(\.section) == [2, 3, 4])
        var rng = SeededGenerator(seed: 5)
        for (section, range) in areas {
            for _ in 0..<3 {
                var bad = bytes
                bad[Int.random(in: range, using: &rng)] ^= 0x41
                try Data(bad).write(to: URL(fileURLWithPath: path))
                let snapshot = try Self.open(dir, settings) // block tables are intact: it opens
                #expect(!Self.readsEveryProfile(snapshot, like: full), "section \(section): a damaged block must be reported")
                let (rebuilt, _, notice) = try ProjectionLoader.load(dir)
                #expect(notice?.contains("rebuilt by replay") == true, "section \(section)")
                #expect(ProjectionReplayTests.render(rebuilt) == ProjectionReplayTests.render(full))
            }
        }
    }

    /// Whether every profile reads alone as in `full`; false at the first read that throws.
    static func readsEveryProfile(_ snapshot: SnapshotProfiles, like full: ProfileProjection) -> Bool {
        for p in full.livingProfiles {
            guard let found = try? snapshot.profile(id: full.graph.id(of: p)), let json = try? snapshot.json(of: p, now: now) else { return false }
            #expect(found == p)
            #expect(text(json) == text(full.json(of: p, now: now)))
        }
        return true
    }

    /// An older format is not read: the one-customer reader declines and a full load rebuilds with a notice.
    @Test func anOlderFormatIsRebuiltWithANotice() throws {
        let t = TemporaryDirectory()
        let (dir, full, settings) = try Self.replayed(t, events: 2000)
        let path = dir.snapshotsPath + "/" + ProjectionSnapshot.fileName
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        bytes[8] = 7
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        guard case .unavailable(let why) = SnapshotProfiles.open(dir, settings: settings, proving: try EventReader(dir)) else {
            Issue.record("a format-7 snapshot must not be read")
            return
        }
        #expect(why.contains("format 7"))
        let (rebuilt, _, notice) = try ProjectionLoader.load(dir)
        #expect(notice?.contains("format 7") == true)
        #expect(ProjectionReplayTests.render(rebuilt) == ProjectionReplayTests.render(full))
    }
}

/// The snapshot writer's per-profile event lists (one pass over the offsets) list what each living profile's event
/// chain holds, in a full replay, in a view restored from the snapshot and caught up, and in an as-of view.
@Suite struct ProfileEventListsTests {
    static func check(_ projection: ProfileProjection) {
        let lists = ProfileEventLists(projection)
        var listed = 0
        for p in 0..<UInt32(projection.heads.count) where projection.graph.isAlive(p) {
            let events = lists.events(of: p).map(UInt64.init)
            #expect(events == projection.eventOffsets(of: p).sorted(), "profile \(p)")
            listed += events.count
        }
        #expect(listed == projection.appliedEvents)
    }

    @Test func listsEqualTheEventChains() throws {
        let t = TemporaryDirectory()
        let (dir, full, settings) = try SnapshotProfilesTests.replayed(t, seed: 29, refusedMerges: true)
        #expect(full.graph.merges > 0)
        Self.check(full)
        let store = try EventStore.open(dir)
        _ = try store.ingest(file: t.write("more.ndjson", (0..<300).map { i in
            #"{"id":"m\#(i)","type":"link","at":"2026-04-01T10:00:00Z","ids":{"email":"a\#(i % 20)@conflict.jp","anonymous_id":"anon-\#(i)"}}"#
        }.joined(separator: "\n")))
        try store.close()
        let reader = try EventReader(dir)
        guard case .loaded(let restored) = ProjectionSnapshot.read(directory: dir.snapshotsPath, settingsHash: settings.hash,
                                                                  rules: settings.rules, config: settings.profile, proving: reader)
        else { Issue.record("the snapshot did not load"); return }
        try restored.catchUp(reader)
        Self.check(restored)
        let asOf = try ProjectionLoader.replay(reader, settings: settings, asOf: 1_772_000_000_000_000)
        Self.check(asOf)
    }
}
