import DaichoLog
import Foundation
@testable import Daicho
import Testing

/// The saved dedup set (docs/ingest.md "The dedup file"): opening a log reads the file and only the ids after it,
/// and whatever the file's state — absent, stale, damaged, of another log, ahead of the log — every append stays
/// idempotent by event id, checked against a plain set of the ids appended so far.
@Suite struct DedupFileTests {
    static func line(_ id: Int) -> ArraySlice<UInt8> {
        ArraySlice(#"{"id":"e-\#(id)","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u\#(id % 97)"},"props":{"event":"x"}}"#.utf8)
    }

    /// Appends `ids` in one call and checks each outcome against `reference` (the ids already in the log).
    static func append(_ store: EventStore, _ ids: [Int], reference: inout Set<Int>) throws {
        let outcomes = try store.appendLines(ids.map(line), arrivalMicros: 1_800_000_000_000_000)
        for (id, outcome) in zip(ids, outcomes) {
            let isNew = reference.insert(id).inserted
            if isNew { guard case .appended = outcome else { Issue.record("e-\(id) is new but was \(outcome)"); return } }
            else { #expect(outcome == .duplicate, "e-\(id) was appended before but now \(outcome)") }
        }
    }

    @Test("seeded sessions of appends with repeated ids match a plain set, with the file saved at random thresholds",
          arguments: [UInt64(1), 2, 3])
    func sessionsMatchAReferenceSet(_ seed: UInt64) throws {
        let t = TemporaryDirectory()
        var rng = SeededGenerator(seed: seed)
        var reference = Set<Int>()
        var usedFile = false
        for _ in 0..<8 {
            let store = try EventStore.open(t.data)
            #expect(store.knownEventIDs == reference.count)
            if store.dedupFileCovers > 0 { usedFile = true }
            store.dedupFileMinEvents = [0, 50, 400].randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let ids = (0..<Int.random(in: 1...120, using: &rng)).map { _ in Int.random(in: 0..<1_500, using: &rng) }
                try Self.append(store, ids, reference: &reference)
            }
            try store.close()
        }
        #expect(usedFile, "no session opened from the dedup file")
    }

    /// Writes 300 events and closes, leaving a dedup file covering all of them; returns the reference ids.
    static func savedLog(_ dir: DataDirectory, ids: Range<Int> = 0..<300) throws -> Set<Int> {
        let store = try EventStore.open(dir)
        store.dedupFileMinEvents = 0
        var reference = Set<Int>()
        try append(store, Array(ids), reference: &reference)
        try store.close()
        #expect(FileManager.default.fileExists(atPath: dir.dedupFilePath))
        return reference
    }

    /// Reopens `dir`, re-appends every id of `reference` and a new one: the old are duplicates, the new appended
    /// (and added to `reference`). The file is not rewritten (fewer than `dedupFileMinEvents` new events).
    static func checkIdempotent(_ dir: DataDirectory, _ reference: inout Set<Int>, expectFile: Bool? = nil) throws {
        let store = try EventStore.open(dir)
        defer { try? store.close() }
        if let expectFile { #expect((store.dedupFileCovers > 0) == expectFile) }
        #expect(store.knownEventIDs == reference.count)
        try append(store, reference.sorted() + [20_000 + reference.count], reference: &reference)
    }

    @Test func anIntactFileIsUsedAndAppendsAfterItAreRead() throws {
        let t = TemporaryDirectory()
        var reference = try Self.savedLog(t.data)
        let store = try EventStore.open(t.data)
        store.dedupFileMinEvents = 1_000_000 // not saved again: the next open reads the file, then these ids
        try Self.append(store, Array(250..<400), reference: &reference)
        try store.close()
        try Self.checkIdempotent(t.data, &reference, expectFile: true)
    }

    @Test("a flipped byte anywhere in the file is caught and the set rebuilt from the log")
    func flippedBytesAreCaught() throws {
        let t = TemporaryDirectory()
        var reference = try Self.savedLog(t.data)
        let original = try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath))
        var rng = SeededGenerator(seed: 9)
        let positions = Array(0..<64) + (0..<40).map { _ in Int.random(in: 64..<original.count, using: &rng) }
        for position in positions {
            var damaged = original
            damaged[position] ^= UInt8.random(in: 1...255, using: &rng)
            try damaged.write(to: URL(fileURLWithPath: t.data.dedupFilePath))
            try Self.checkIdempotent(t.data, &reference, expectFile: false)
        }
    }

    @Test func aCutOrEmptyFileIsIgnored() throws {
        let t = TemporaryDirectory()
        var reference = try Self.savedLog(t.data)
        let original = try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath))
        for length in [0, 8, 63, 64, 65, original.count / 2, original.count - 1] {
            try original.prefix(length).write(to: URL(fileURLWithPath: t.data.dedupFilePath))
            try Self.checkIdempotent(t.data, &reference, expectFile: false)
        }
        // The intact file still proves its log (the events after it are read from the log).
        try original.write(to: URL(fileURLWithPath: t.data.dedupFilePath))
        try Self.checkIdempotent(t.data, &reference, expectFile: true)
        var longer = original
        longer.append(0)
        try longer.write(to: URL(fileURLWithPath: t.data.dedupFilePath))
        try Self.checkIdempotent(t.data, &reference, expectFile: false)
    }

    @Test func aFileOfAnotherLogIsIgnored() throws {
        let t = TemporaryDirectory()
        let a = DataDirectory(t.path + "/a"), b = DataDirectory(t.path + "/b")
        _ = try Self.savedLog(a, ids: 0..<300)
        // b holds other events at the same offsets: a's file covers as many offsets but proves another log.
        var referenceB = try Self.savedLog(b, ids: 5_000..<5_300)
        try FileManager.default.removeItem(atPath: b.dedupFilePath)
        try FileManager.default.copyItem(atPath: a.dedupFilePath, toPath: b.dedupFilePath)
        try Self.checkIdempotent(b, &referenceB, expectFile: false)
    }

    @Test func aFileAheadOfTheLogIsIgnored() throws {
        let t = TemporaryDirectory()
        let small = DataDirectory(t.path + "/small"), big = DataDirectory(t.path + "/big")
        // The same first 100 events in both logs; big has 200 more and saves its set covering 300.
        var referenceSmall = try Self.savedLog(small, ids: 0..<100)
        let store = try EventStore.open(big)
        var referenceBig = Set<Int>()
        try Self.append(store, Array(0..<100), reference: &referenceBig)
        try Self.append(store, Array(100..<300), reference: &referenceBig)
        store.dedupFileMinEvents = 0
        try store.close()
        try FileManager.default.removeItem(atPath: small.dedupFilePath)
        try FileManager.default.copyItem(atPath: big.dedupFilePath, toPath: small.dedupFilePath)
        // Used, the file would refuse ids 100..<300 that small never held.
        try Self.checkIdempotent(small, &referenceSmall, expectFile: false)
        let reopened = try EventStore.open(small)
        try Self.append(reopened, Array(100..<300), reference: &referenceSmall)
        try reopened.close()
    }

    @Test func aTableWithAWrongCountIsRefusedEvenWithAGoodChecksum() throws {
        let t = TemporaryDirectory()
        var reference = try Self.savedLog(t.data)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath)))
        func put(_ v: UInt64, at offset: Int) { withUnsafeBytes(of: v.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) } }
        let count = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 48, as: UInt64.self) }
        put(count - 1, at: 48)
        let crc = bytes.withUnsafeBytes { b in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[64...]), continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[8..<56])))
        }
        put(UInt64(crc), at: 56)
        try Data(bytes).write(to: URL(fileURLWithPath: t.data.dedupFilePath))
        try Self.checkIdempotent(t.data, &reference, expectFile: false)
    }

    @Test func smallAppendsLeaveTheFileUntilEnoughChanged() throws {
        let t = TemporaryDirectory()
        _ = try Self.savedLog(t.data)
        let before = try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath))
        var reference = Set(0..<300)
        let store = try EventStore.open(t.data)
        store.dedupFileMinEvents = 50
        try Self.append(store, Array(300..<340), reference: &reference) // 40 < 50: the file stays as it was
        try store.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath)) == before)
        let again = try EventStore.open(t.data)
        #expect(again.dedupFileCovers == 300)
        again.dedupFileMinEvents = 50
        try Self.append(again, Array(340..<360), reference: &reference) // 60 since the file: saved
        try again.close()
        let last = try EventStore.open(t.data)
        #expect(last.dedupFileCovers == 360)
        try last.close()
    }
}

/// The saved set never holds an id the log does not: after an ingest that failed part-way the set in memory holds
/// ids of events that never reached the log, and a saved copy would refuse them for good.
@Suite struct DedupFileFaultTests {
    @Test func idsOfEventsThatNeverReachedTheLogAreNotSaved() throws {
        let t = TemporaryDirectory()
        var reference = try DedupFileTests.savedLog(t.data)
        let saved = try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath))
        let store = try EventStore.open(t.data)
        store.dedupFileMinEvents = 0
        try DedupFileTests.append(store, Array(300..<320), reference: &reference)
        // What a failed ingest leaves: the fingerprint of an event id taken into the set, its frame never appended.
        _ = store.lock.withLock { Array("e-ghost".utf8).withUnsafeBytes { store.dedup.insert(XXHash64.hash($0)) } }
        try store.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: t.data.dedupFilePath)) == saved, "the polluted set was saved")
        let reopened = try EventStore.open(t.data)
        defer { try? reopened.close() }
        let line = ArraySlice(#"{"id":"e-ghost","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"g"},"props":{"event":"x"}}"#.utf8)
        guard case .appended = try reopened.appendLines([line], arrivalMicros: 1_800_000_000_000_000)[0] else {
            Issue.record("the event the log never held was refused as a duplicate")
            return
        }
    }

    /// A writer killed while writing the file leaves `event-ids.dedup.tmp-<pid>`: the next writer removes it (a
    /// temporary of a running process stays), and the file in place is used as it is.
    @Test func aTemporaryLeftByAKilledWriterIsRemoved() throws {
        let t = TemporaryDirectory()
        var reference = try DedupFileTests.savedLog(t.data)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let abandoned = t.data.dedupFilePath + ".tmp-\(gone.processIdentifier)"
        let live = t.data.dedupFilePath + ".tmp-\(getpid())"
        for path in [abandoned, live] { try Data("half a table".utf8).write(to: URL(fileURLWithPath: path)) }
        try DedupFileTests.checkIdempotent(t.data, &reference, expectFile: true)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live))
    }
}
