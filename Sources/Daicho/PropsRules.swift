import Foundation
import DaichoJSON

// The per-type props rules of docs/ingest.md "Validation" (mirrored by schemas/types/*.schema.json).

/// Checks the well-known props of each event type; unknown extra props are always allowed.
enum PropsRules {
    typealias Reason = EventLineEncoder.Reason

    static let categories: [StaticString] = ["complaint", "question", "request", "opinion"]
    static let statuses: [StaticString] = ["open", "pending", "resolved", "closed"]

    /// - Parameter props: the props token index, or -1 when the event has none.
    static func check(type: EventType, props: Int, tape: JSONTape, line: UnsafeRawBufferPointer) -> Result<Void, Reason> {
        var v = Checker(tape: tape, line: line, props: props)
        do throws(Reason) {
            switch type {
            case .pageView:
                for key: StaticString in ["url", "path", "title", "referrer", "action"] { try v.string(key, required: false) }
                try v.integer("dwell_ms", min: 0, required: false)
            case .purchase:
                try v.string("order_id", required: true, nonEmpty: true)
                try v.number("amount", min: 0, max: nil, required: true)
                try v.currency("currency")
                try v.items()
            case .inquiry:
                try v.string("channel", required: true, nonEmpty: true)
                try v.oneOf("category", categories, required: true)
                try v.string("text", required: false)
                try v.oneOf("status", statuses, required: false)
            case .socialMention:
                try v.string("platform", required: true, nonEmpty: true)
                try v.string("text", required: false)
                try v.number("sentiment", min: -1, max: 1, required: false)
                try v.integer("reach", min: 0, required: false)
            case .identify:
                guard let t = v.member("traits") else { throw Reason(text: "missing field \"traits\" in props") }
                guard tape[t].kind == .object else { throw Reason(text: "\"props.traits\": expected an object") }
            case .link:
                break
            case .track:
                try v.string("event", required: true, nonEmpty: true)
            }
            try v.noDuplicateKeys()
        } catch {
            return .failure(error)
        }
        return .success(())
    }

    /// Field checks over one props object.
    struct Checker {
        let tape: JSONTape
        let line: UnsafeRawBufferPointer
        let props: Int
        var path = "props"

        func member(_ key: StaticString) -> Int? {
            props >= 0 ? tape.member(props, key, in: line) : nil
        }

        func name(_ key: StaticString) -> String { "\"" + path + "." + key.description + "\"" }

        func lookup(_ key: StaticString, required: Bool) throws(Reason) -> Int? {
            guard let i = member(key) else {
                if required { throw Reason(text: "missing field \"\(key)\" in \(path)") }
                return nil
            }
            return i
        }

        func string(_ key: StaticString, required: Bool, nonEmpty: Bool = false) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .string, !nonEmpty || tape[i].length > 0 else {
                throw Reason(text: "\(name(key)): expected a\(nonEmpty ? " non-empty" : "") string")
            }
        }

        func number(_ key: StaticString, min: Double, max: Double?, required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            let range = max.map { "in [\(format(min)), \(format($0))]" } ?? ">= \(format(min))"
            guard tape[i].kind == .number else { throw Reason(text: "\(name(key)): expected a number \(range)") }
            let x = tape.double(i, in: line)
            guard x >= min, max.map({ x <= $0 }) ?? true else { throw Reason(text: "\(name(key)): expected a number \(range)") }
        }

        func integer(_ key: StaticString, min: Int64, required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .number, let x = tape.int64(i, in: line), x >= min else {
                throw Reason(text: "\(name(key)): expected an integer >= \(min)")
            }
        }

        func oneOf(_ key: StaticString, _ allowed: [StaticString], required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .string, allowed.contains(where: { tape.string(i, in: line, equals: $0) }) else {
                throw Reason(text: "\(name(key)): expected one of \(allowed.map(\.description).joined(separator: ", "))")
            }
        }

        func currency(_ key: StaticString) throws(Reason) {
            guard let i = try lookup(key, required: true) else { return }
            let t = tape[i]
            let ok = t.kind == .string && t.length == 3 && t.flags & JSONToken.hasEscapes == 0
                && (0..<3).allSatisfy { line[Int(t.start) + $0] >= UInt8(ascii: "A") && line[Int(t.start) + $0] <= UInt8(ascii: "Z") }
            guard ok else { throw Reason(text: "\(name(key)): expected a currency code (3 letters A-Z)") }
        }

        func items() throws(Reason) {
            guard let i = try lookup("items", required: false) else { return }
            guard tape[i].kind == .array else { throw Reason(text: "\"props.items\": expected an array") }
            var j = i + 1, n = 0
            while j < Int(tape[i].end) {
                let item = Checker(tape: tape, line: line, props: j, path: "props.items[\(n)]")
                guard tape[j].kind == .object else { throw Reason(text: "\"props.items[\(n)]\": expected an object") }
                try item.string("sku", required: true, nonEmpty: true)
                try item.integer("qty", min: 1, required: true)
                try item.number("price", min: 0, max: nil, required: true)
                j = Int(tape[j].end)
                n += 1
            }
        }

        /// Rejects any object in the props with the same key twice (its meaning would be ambiguous).
        func noDuplicateKeys() throws(Reason) {
            guard props >= 0 else { return }
            var i = props
            while i < Int(tape[props].end) {
                if tape[i].kind == .object && tape[i].length > 1 {
                    var keys: [Int] = []
                    var k = i + 1
                    while k < Int(tape[i].end) { keys.append(k); k = Int(tape[k + 1].end) }
                    for a in 0..<keys.count {
                        for b in (a + 1)..<keys.count where sameString(keys[a], keys[b]) {
                            var bytes: [UInt8] = []
                            tape.appendString(keys[b], in: line, to: &bytes)
                            throw Reason(text: "\"props\": duplicate key \(quotedValue(bytes))")
                        }
                    }
                }
                i += 1
            }
        }

        func sameString(_ a: Int, _ b: Int) -> Bool {
            let ta = tape[a], tb = tape[b]
            if ta.flags & JSONToken.hasEscapes == 0 && tb.flags & JSONToken.hasEscapes == 0 {
                return ta.length == tb.length
                    && memcmp(line.baseAddress! + Int(ta.start), line.baseAddress! + Int(tb.start), Int(ta.length)) == 0
            }
            var x: [UInt8] = [], y: [UInt8] = []
            tape.appendString(a, in: line, to: &x)
            tape.appendString(b, in: line, to: &y)
            return x == y
        }
    }
}

/// A bound as written in messages: 0 not 0.0.
private func format(_ x: Double) -> String { x == x.rounded() ? String(Int64(x)) : String(x) }
