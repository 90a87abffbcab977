import Foundation
import Testing
@testable import Daicho

/// Props are checked while they are encoded: which reason wins, and that a rejected line leaves nothing behind.
@Suite struct PropsEncodingTests {
    static func track(_ id: String, props: String) -> String {
        #"{"id":"\#(id)","type":"track","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":\#(props)}"#
    }

    @Test func aDuplicateKeyInTheParentIsReportedBeforeOneInANestedObject() {
        let line = Self.track("a", props: #"{"event":"E","x":{"b":1,"b":2},"c":1,"c\u0030":0,"c":3}"#)
        #expect(encodeLines([line]).rejects == [#""props": duplicate key "c""#])
    }

    @Test func escapedAndPlainSpellingsOfAKeyAreDuplicates() {
        let line = Self.track("a", props: #"{"event":"E","k":1,"\u006b":2}"#)
        #expect(encodeLines([line]).rejects == [#""props": duplicate key "k""#])
    }

    @Test func aDuplicateInsideAnArrayIsFound() {
        let line = Self.track("a", props: #"{"event":"E","list":[1,{"q":1,"r":2,"q":3}]}"#)
        #expect(encodeLines([line]).rejects == [#""props": duplicate key "q""#])
    }

    @Test func aRuleFailureWinsOverADuplicateKeyAndTheFirstOccurrenceIsChecked() {
        let first = Self.track("a", props: #"{"event":"","event":"E"}"#)
        let second = Self.track("b", props: #"{"event":"E","event":""}"#)
        #expect(encodeLines([first, second]).rejects == [#""props.event": expected a non-empty string"#,
                                                         #""props": duplicate key "event""#])
    }

    @Test func linesRejectedInTheirPropsLeaveNoRecordAndTheNextLinesEncodeWhole() throws {
        var random = SeededGenerator(seed: 7)
        var lines: [String] = []
        var expected: [String] = []
        for i in 0..<200 {
            let bad = random.next() % 3 == 0
            let props = bad ? #"{"event":"E\#(i)","n":\#(i),"n":0}"# : #"{"event":"E\#(i)","n":\#(i),"s":"v\#(i)"}"#
            lines.append(Self.track("e\(i)", props: props))
            if !bad { expected.append("e\(i)") }
        }
        let (payload, rejects) = encodeLines(lines)
        #expect(rejects.compactMap { $0 }.count == lines.count - expected.count)
        let events = try decodeAll(payload)
        #expect(events.map(\.id) == expected)
        for e in events {
            let n = Int(e.id.dropFirst())!
            #expect(e.props == .object([JSONMember("event", .string("E\(n)")),
                                        JSONMember("n", .int(Int64(n))),
                                        JSONMember("s", .string("v\(n)"))]))
        }
    }
}
