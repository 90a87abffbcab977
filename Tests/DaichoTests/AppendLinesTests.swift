import Foundation
import Testing
@testable import Daicho

/// `EventStore.appendLines`, the group commit of a server: per line an offset, a duplicate or the reason, one
/// frame for the whole call, and the same validation as `daicho append`.
@Suite struct AppendLinesTests {
    static func line(_ id: String, _ extra: String = "") -> ArraySlice<UInt8> {
        ArraySlice(#"{"id":"\#(id)","type":"track","at":"2026-11-01T00:00:00Z","ids":{"user_id":"U-\#(id)"},"props":{"event":"E"\#(extra)}}"#.utf8)
    }

    static let now: Int64 = 1_796_185_810_000_000 // 2026-12-02

    @Test func eachLineGetsItsOutcomeInOrder() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        #expect(try store.appendLines([Self.line("a")], arrivalMicros: Self.now) == [.appended(offset: 0)])
        let outcomes = try store.appendLines([Self.line("b"), Self.line("a"), ArraySlice("{nope".utf8), Self.line("c"),
                                              Self.line("b"), Self.line("d", #","n":1e400"#)], arrivalMicros: Self.now)
        #expect(outcomes[0] == .appended(offset: 1))
        #expect(outcomes[1] == .duplicate) // in the log
        guard case .rejected(let json) = outcomes[2] else { Issue.record("\(outcomes[2])"); return }
        #expect(json.hasPrefix("invalid JSON at byte"))
        #expect(outcomes[3] == .appended(offset: 2))
        #expect(outcomes[4] == .duplicate) // earlier in the same call
        guard case .rejected(let number) = outcomes[5] else { Issue.record("\(outcomes[5])"); return }
        #expect(number.contains("\"props.n\": number beyond the range of a 64-bit float"))
        try store.close()
        let reader = try EventReader(t.data)
        var ids: [String] = []
        var frames = Set<UInt64>()
        try reader.forEach { o, v in ids.append(try v.materialize().id); frames.insert(reader.frameEnd(containing: o) ?? 0); return true }
        #expect(ids == ["a", "b", "c"])
        #expect(frames.count == 2) // one frame per call
    }

    @Test func theFutureSkewIsCheckedAgainstArrival() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        let future = ArraySlice(#"{"id":"f","type":"track","at":"2099-01-01T00:00:00Z","ids":{"user_id":"U"},"props":{"event":"E"}}"#.utf8)
        guard case .rejected(let reason) = try store.appendLines([future], arrivalMicros: Self.now)[0] else { Issue.record("accepted"); return }
        #expect(reason.contains("ahead of arrival"))
        #expect(try store.appendLines([future], arrivalMicros: Self.now, maxFutureSkewMicros: nil) == [.appended(offset: 0)])
    }

    @Test func aCallWithNothingNewWritesNothing() throws {
        let t = TemporaryDirectory()
        let store = try EventStore.open(t.data)
        _ = try store.appendLines([Self.line("a")], arrivalMicros: Self.now)
        #expect(try store.appendLines([Self.line("a"), ArraySlice("x".utf8)], arrivalMicros: Self.now).first == .duplicate)
        #expect(store.nextOffset == 1)
    }
}
