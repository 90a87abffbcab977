import DaichoJSON
import Foundation

/// A JSON value tree used to compare the tape with Foundation's JSONSerialization.
/// Objects keep the last of duplicate keys, as JSONSerialization does.
indirect enum Value: Equatable, CustomStringConvertible {
    case object([String: Value])
    case array([Value])
    case string([UInt8])
    case number(Double)
    case bool(Bool)
    case null

    /// Equality where numbers may differ by a few ULPs: JSONSerialization does not round long decimal
    /// literals correctly (observed: "-517865074645.3565" gives -517865074645.35645), so exact number checks
    /// are made against `Double(String)` in ``checkTapeInvariants(_:_:)`` instead.
    func matches(_ other: Value) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map(value.matches) ?? false }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        case (.number(let a), .number(let b)):
            return a == b || (a - b).magnitude <= 1e-14 * max(a.magnitude, b.magnitude)
        default:
            return self == other
        }
    }

    var description: String {
        switch self {
        case .object(let d): return "{" + d.keys.sorted().map { "\($0): \(d[$0]!)" }.joined(separator: ", ") + "}"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .string(let s): return String(reflecting: String(decoding: s, as: UTF8.self))
        case .number(let d): return "\(d)"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }
}

/// Parses `text` with a parser, returning the tape's value tree or the error.
func parseWithTape(_ bytes: [UInt8], maxDepth: Int = 64) -> Result<Value, JSONError> {
    var tape = JSONTape()
    return withExactBuffer(bytes) { b in
        do throws(JSONError) {
            try JSONParser(maxDepth: maxDepth).parse(b, into: &tape)
        } catch {
            return .failure(error)
        }
        checkTapeInvariants(tape, b)
        return .success(treeFromTape(tape, 0, b))
    }
}

/// Runs `body` on a heap copy of exactly `bytes.count` bytes, so a read past the end is caught by the
/// address sanitizer (`swift test --sanitize=address`), unlike an array's spare capacity.
func withExactBuffer<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    return try body(UnsafeRawBufferPointer(buffer))
}

/// Checks the structural promises of a tape: `end` links, member counts, string quotes.
func checkTapeInvariants(_ tape: JSONTape, _ b: UnsafeRawBufferPointer) {
    precondition(tape.count > 0 && Int(tape[0].end) == tape.count, "root must span the tape")
    for (i, t) in tape.tokens.enumerated() {
        switch t.kind {
        case .object, .array:
            var k = i + 1
            for _ in 0..<t.length {
                if t.kind == .object {
                    precondition(tape[k].kind == .string, "object key must be a string")
                    k += 1
                }
                k = Int(tape[k].end)
            }
            precondition(k == Int(t.end), "container end must follow its last member")
        case .string:
            precondition(b[Int(t.start) - 1] == 0x22 && b[Int(t.start) + Int(t.length)] == 0x22, "string quotes")
            precondition(Int(t.end) == i + 1)
        case .number:
            precondition(Int(t.end) == i + 1)
            let literal = String(decoding: UnsafeRawBufferPointer(rebasing: b[Int(t.start)..<Int(t.start + t.length)]),
                                 as: UTF8.self)
            let exact = Double(literal)!
            precondition(tape.double(i, in: b).bitPattern == exact.bitPattern, "double(\(literal)) not correctly rounded")
        default:
            precondition(Int(t.end) == i + 1)
        }
    }
}

/// The value tree of token `i`.
func treeFromTape(_ tape: JSONTape, _ i: Int, _ b: UnsafeRawBufferPointer) -> Value {
    let t = tape[i]
    switch t.kind {
    case .object:
        var d: [String: Value] = [:]
        var k = i + 1
        for _ in 0..<t.length {
            d[tape.string(k, in: b)] = treeFromTape(tape, k + 1, b)
            k = Int(tape[k + 1].end)
        }
        return .object(d)
    case .array:
        var a: [Value] = []
        var k = i + 1
        for _ in 0..<t.length {
            a.append(treeFromTape(tape, k, b))
            k = Int(tape[k].end)
        }
        return .array(a)
    case .string:
        var out: [UInt8] = []
        tape.appendString(i, in: b, to: &out)
        return .string(out)
    case .number: return .number(tape.double(i, in: b))
    case .true: return .bool(true)
    case .false: return .bool(false)
    case .null: return .null
    }
}

/// Parses with JSONSerialization (fragments allowed), the slow reference.
func parseWithFoundation(_ bytes: [UInt8]) -> Result<Value, NSError> {
    do {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        return .success(treeFromFoundation(object))
    } catch {
        return .failure(error as NSError)
    }
}

func treeFromFoundation(_ object: Any) -> Value {
    switch object {
    case let d as [String: Any]: return .object(d.mapValues(treeFromFoundation))
    case let a as [Any]: return .array(a.map(treeFromFoundation))
    case let s as String: return .string(Array(s.utf8))
    case is NSNull: return .null
    case let n as NSNumber:
        if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
        return .number(n.doubleValue)
    default: fatalError("unexpected Foundation value \(type(of: object))")
    }
}

/// Random JSON text generator: valid documents with random whitespace, escapes, UTF-8 and number forms.
struct DocumentGenerator {
    var rng: SeededGenerator

    mutating func document(maxDepth: Int = 5) -> [UInt8] {
        var out: [UInt8] = []
        whitespace(&out)
        value(&out, depth: maxDepth)
        whitespace(&out)
        return out
    }

    mutating func whitespace(_ out: inout [UInt8]) {
        guard Int.random(in: 0..<4, using: &rng) == 0 else { return }
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            out.append([0x20, 0x09, 0x0A, 0x0D].randomElement(using: &rng)!)
        }
    }

    mutating func value(_ out: inout [UInt8], depth: Int) {
        let choice = Int.random(in: 0..<(depth > 0 ? 9 : 7), using: &rng)
        switch choice {
        case 0, 1: string(&out, asciiOnly: false)
        case 2, 3: number(&out)
        case 4: out += Array("true".utf8)
        case 5: out += Array("false".utf8)
        case 6: out += Array("null".utf8)
        case 7:
            out.append(UInt8(ascii: "["))
            let count = Int.random(in: 0...4, using: &rng)
            for k in 0..<count {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(&out)
                value(&out, depth: depth - 1)
                whitespace(&out)
            }
            whitespace(&out)
            out.append(UInt8(ascii: "]"))
        default:
            out.append(UInt8(ascii: "{"))
            let count = Int.random(in: 0...4, using: &rng)
            for k in 0..<count {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(&out)
                string(&out, asciiOnly: true)
                whitespace(&out)
                out.append(UInt8(ascii: ":"))
                whitespace(&out)
                value(&out, depth: depth - 1)
                whitespace(&out)
            }
            whitespace(&out)
            out.append(UInt8(ascii: "}"))
        }
    }

    mutating func string(_ out: inout [UInt8], asciiOnly: Bool) {
        out.append(UInt8(ascii: "\""))
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: out += Array(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"].randomElement(using: &rng)!.utf8)
            case 1:
                let unit = [0x00, 0x1F, 0x41, 0xE9, 0x20AC, 0xFFFF, Int.random(in: 0..<0xD800, using: &rng)]
                    .randomElement(using: &rng)!
                out += Array(String(format: "\\u%04X", unit).utf8)
            case 2:
                let scalar = Int.random(in: 0x10000...0x10FFFF, using: &rng) - 0x10000
                out += Array(String(format: "\\u%04x\\u%04X", 0xD800 + scalar >> 10, 0xDC00 + scalar & 0x3FF).utf8)
            case 3 where !asciiOnly:
                let scalar = [Unicode.Scalar(0xE9)!, Unicode.Scalar(0x53F0)!, Unicode.Scalar(0x1F600)!,
                              Unicode.Scalar(0x10FFFF)!, Unicode.Scalar(0x80)!, Unicode.Scalar(0xFFFD)!]
                    .randomElement(using: &rng)!
                out += Array(String(scalar).utf8)
            default:
                out.append(UInt8.random(in: 0x20...0x7E, using: &rng) == 0x22 ? 0x61 : UInt8.random(in: 0x23...0x5B, using: &rng))
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func number(_ out: inout [UInt8]) {
        if Bool.random(using: &rng) { out.append(UInt8(ascii: "-")) }
        if Int.random(in: 0..<5, using: &rng) == 0 {
            out.append(UInt8(ascii: "0"))
        } else {
            out += Array(String(UInt64.random(in: 1...UInt64(Int64.max), using: &rng) >> UInt64.random(in: 0...62, using: &rng) | 1).utf8)
        }
        if Bool.random(using: &rng) {
            out.append(UInt8(ascii: "."))
            for _ in 0..<Int.random(in: 1...6, using: &rng) { out.append(UInt8.random(in: 0x30...0x39, using: &rng)) }
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            out.append(Bool.random(using: &rng) ? UInt8(ascii: "e") : UInt8(ascii: "E"))
            if let sign = ["", "+", "-"].randomElement(using: &rng) { out += Array(sign.utf8) }
            out += Array(String(Int.random(in: 0...300, using: &rng)).utf8)
        }
    }
}

/// Realistic event lines (Segment-style), ASCII and non-ASCII.
let sampleEventLines: [String] = [
    #"{"type":"track","event":"Order Completed","messageId":"msg-1-a8f3c2d1","userId":"user-42","anonymousId":"anon-5f2e9c","timestamp":"2026-11-23T09:15:00.123+09:00","properties":{"orderId":"ord-7","revenue":129.95,"currency":"JPY","items":3,"coupon":null,"gift":false},"context":{"ip":"203.0.113.9","locale":"ja-JP"}}"#,
    #"{"type":"identify","userId":"u-9","traits":{"email":"taro@example.jp","name":"山田 太郎","tags":["vip","東京"],"age":41},"timestamp":"2026-01-02T03:04:05Z","context":{"library":{"name":"analytics.js","version":"4.1.0"}}}"#,
    #"{"type":"page","anonymousId":"a\"b\\c\u00e9\ud83d\ude00","name":"Home\n\t\r\b\f","properties":{"path":"/","referrer":"https:\/\/example.com","scroll":-1.5e-3,"big":12345678901234567890}}"#,
]
