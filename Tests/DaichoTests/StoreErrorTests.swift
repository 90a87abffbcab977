import Foundation
import Testing
import DaichoLog
@testable import Daicho

/// Errors beyond the log keep their kind and cause (errno, file, offset), so the CLI can choose the exit status
/// and the remedy instead of mapping one string to exit 2.
@Suite struct StoreErrorTests {
    func event(_ id: String) -> Event {
        Event(id: id, type: .track, at: 1_000, identifiers: [Identifier(kind: .userID, normalized: "", raw: "u-\(id)")],
              props: .object([JSONMember("event", .string("App Opened"))]))
    }

    @Test func readingADirectoryWithoutALogIsNoLog() throws {
        let t = TemporaryDirectory()
        let missing = DataDirectory(t.path + "/none")
        let error = #expect(throws: StoreError.self) { try EventReader(missing) }
        #expect(error?.kind == .noLog)
        #expect(error?.path == missing.path)
        #expect(error?.message.contains("run `daicho append` first") == true)
    }

    @Test func aSecondWriterIsLocked() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let error = #expect(throws: StoreError.self) { try EventStore.open(t.data) }
        #expect(error?.kind == .locked)
        #expect(error?.path == t.data.logPath)
        try store.close()
    }

    @Test func ingestOfAMissingFileKeepsItsErrnoAndPath() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let path = t.path + "/missing.ndjson"
        let error = #expect(throws: IngestError.self) { try store.ingest(file: path) }
        #expect(error?.storeError.kind == .io)
        #expect(error?.storeError.errno == ENOENT)
        #expect(error?.storeError.path == path)
        try store.close()
    }

    @Test func anInvalidEventIsAnInvalidArgument() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let error = #expect(throws: StoreError.self) { try store.appendInternal([event("a")]) }
        #expect(error?.kind == .invalidArgument)
        try store.close()
    }

    /// A damaged frame is `.corrupt`, with the log file named, whether the reader meets it on open or on reading.
    @Test func aDamagedFrameIsCorrupt() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        for batch in 0..<3 { _ = try store.append((0..<50).map { event("e\(batch)-\($0)") }) }
        try store.close()
        let segment = t.data.logPath + "/00000000000000000000.seg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let error = #expect(throws: StoreError.self) {
            try EventReader(t.data).forEach { _, _ in true }
        }
        #expect(error?.kind == .corrupt)
        #expect(error?.path?.hasPrefix(t.data.logPath) == true)
    }

    @Test func aLogErrorKeepsItsKindFileAndErrno() {
        let e = StoreError(LogError(.io, "cannot write x: No space left on device", path: "/d/log/x", errno: ENOSPC), offset: 7)
        #expect(e.kind == .io && e.errno == ENOSPC && e.path == "/d/log/x" && e.offset == 7)
        #expect(StoreError(LogError(.writerFailed, "failed", path: "/d")).kind == .unavailable)
        #expect(StoreError(LogError(.corrupt, "bad", path: "/d")).kind == .corrupt)
    }
}
