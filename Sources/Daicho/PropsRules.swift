import Foundation
import DaichoJSON

// The per-type props rules of docs/ingest.md "Validation" (mirrored by schemas/types/*.schema.json).

/// The ranges of the well-known props that profiles sum (docs/ingest.md "Numbers", docs/profile.md "Exact sums").
public enum PropsBounds {
    /// The largest `amount` and item `price`: 10^12, so a purchase is at most 10^18 µ-units and every total of
    /// them is exact.
    public static let maxAmount = 1e12
    /// The largest `dwell_ms` and `reach`: 2^31 − 1, so a profile's sum (fewer than 2^32 events) stays below
    /// 2^63 and never wraps.
    public static let maxCount: Int64 = (1 << 31) - 1
}

/// Checks the well-known props of each event type; unknown extra props are always allowed.
/// Duplicate keys are found while the props are encoded (`EventLineEncoder`), which also resolves the
/// top-level members these rules read, so the rules never search the props object.
enum PropsRules {
    typealias Reason = EventLineEncoder.Reason

    /// A well-known props key: its static ref (how the encoder's walk finds it) and its text.
    struct Key {
        let ref: UInt32
        let name: StaticString
    }

    static let url = Key(ref: StaticStrings.url, name: "url"), path = Key(ref: StaticStrings.path, name: "path")
    static let title = Key(ref: StaticStrings.title, name: "title"), referrer = Key(ref: StaticStrings.referrer, name: "referrer")
    static let action = Key(ref: StaticStrings.action, name: "action"), dwellMs = Key(ref: StaticStrings.dwellMs, name: "dwell_ms")
    static let orderID = Key(ref: StaticStrings.orderID, name: "order_id"), amount = Key(ref: StaticStrings.amount, name: "amount")
    static let currency = Key(ref: StaticStrings.currency, name: "currency"), items = Key(ref: StaticStrings.items, name: "items")
    static let sku = Key(ref: StaticStrings.sku, name: "sku"), qty = Key(ref: StaticStrings.qty, name: "qty")
    static let price = Key(ref: StaticStrings.price, name: "price"), channel = Key(ref: StaticStrings.channel, name: "channel")
    static let category = Key(ref: StaticStrings.category, name: "category"), text = Key(ref: StaticStrings.text, name: "text")
    static let status = Key(ref: StaticStrings.status, name: "status"), platform = Key(ref: StaticStrings.platform, name: "platform")
    static let sentiment = Key(ref: StaticStrings.sentiment, name: "sentiment"), reach = Key(ref: StaticStrings.reach, name: "reach")
    static let traits = Key(ref: StaticStrings.traits, name: "traits"), event = Key(ref: StaticStrings.event, name: "event")

    static let pageViewStrings = [url, path, title, referrer, action]
    static let categories: [StaticString] = ["complaint", "question", "request", "opinion"]
    static let statuses: [StaticString] = ["open", "pending", "resolved", "closed"]

    /// - Parameters:
    ///   - props: the props token index, or -1 when the event has none.
    ///   - members: by static ref, the token index of the first top-level props value with that key, or -1.
    static func check(type: EventType, props: Int, members: UnsafeBufferPointer<Int32>,
                      tape: JSONTape, line: UnsafeRawBufferPointer) -> Result<Void, Reason> {
        let v = Checker(tape: tape, line: line, props: props, members: members)
        do throws(Reason) {
            switch type {
            case .pageView:
                for key in pageViewStrings { try v.string(key, required: false) }
                try v.integer(dwellMs, min: 0, max: PropsBounds.maxCount, required: false)
            case .purchase:
                try v.string(orderID, required: true, nonEmpty: true)
                try v.number(amount, min: 0, max: PropsBounds.maxAmount, required: true)
                try v.currency(currency)
                try v.items()
            case .inquiry:
                try v.string(channel, required: true, nonEmpty: true)
                try v.oneOf(category, categories, required: true)
                try v.string(text, required: false)
                try v.oneOf(status, statuses, required: false)
            case .socialMention:
                try v.string(platform, required: true, nonEmpty: true)
                try v.string(text, required: false)
                try v.number(sentiment, min: -1, max: 1, required: false)
                try v.integer(reach, min: 0, max: PropsBounds.maxCount, required: false)
            case .identify:
                guard let t = v.member(traits) else { throw Reason(text: "missing field \"traits\" in props") }
                guard tape[t].kind == .object else { throw Reason(text: "\"props.traits\": expected an object") }
            case .link:
                break
            case .track:
                try v.string(event, required: true, nonEmpty: true)
            case .segmentDefined, .segmentDropped, .offsetsLost:
                break // written by DaichoSegments and `daicho repair`, which validates the definition (docs/segments.md)
            }
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
        /// The resolved top-level members (see `check`); nil for a nested object, which is searched on the tape.
        let members: UnsafeBufferPointer<Int32>?
        /// Set when checking `props.items[item]`.
        var item: Int?

        /// Where the checked object is, for messages.
        var location: String { item.map { "props.items[\($0)]" } ?? "props" }

        func member(_ key: Key) -> Int? {
            if let members {
                let i = members[Int(key.ref)]
                return i >= 0 ? Int(i) : nil
            }
            return props >= 0 ? tape.member(props, key.name, in: line) : nil
        }

        func name(_ key: Key) -> String { "\"" + location + "." + key.name.description + "\"" }

        func lookup(_ key: Key, required: Bool) throws(Reason) -> Int? {
            guard let i = member(key) else {
                if required { throw Reason(text: "missing field \"\(key.name)\" in \(location)" + nearMiss(key)) }
                return nil
            }
            return i
        }

        /// `"; found "amout" (did you mean amount?)"` when a key of the checked object is a near miss of `key`.
        func nearMiss(_ key: Key) -> String {
            guard props >= 0, tape[props].kind == .object else { return "" }
            var k = props + 1
            while k < Int(tape[props].end) {
                let given = tape.string(k, in: line)
                if !RejectHints.didYouMean(given, among: [key.name.description]).isEmpty {
                    return "; found \(quotedValue(Array(given.utf8))) (did you mean \(key.name)?)"
                }
                k = Int(tape[k + 1].end)
            }
            return ""
        }

        func string(_ key: Key, required: Bool, nonEmpty: Bool = false) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .string, !nonEmpty || tape[i].length > 0 else {
                throw Reason(text: "\(name(key)): expected a\(nonEmpty ? " non-empty" : "") string")
            }
        }

        func number(_ key: Key, min: Double, max: Double?, required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            let ok: Bool
            if tape[i].kind == .number {
                let x = tape.double(i, in: line)
                ok = x >= min && max.map({ x <= $0 }) ?? true
            } else {
                ok = false
            }
            guard ok else {
                let range = max.map { "in [\(format(min)), \(format($0))]" } ?? ">= \(format(min))"
                throw Reason(text: "\(name(key)): expected a number \(range)")
            }
        }

        func integer(_ key: Key, min: Int64, max: Int64?, required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .number, let x = tape.int64(i, in: line), x >= min, max.map({ x <= $0 }) ?? true else {
                let range = max.map { "in [\(min), \($0)]" } ?? ">= \(min)"
                throw Reason(text: "\(name(key)): expected an integer \(range)")
            }
        }

        func oneOf(_ key: Key, _ allowed: [StaticString], required: Bool) throws(Reason) {
            guard let i = try lookup(key, required: required) else { return }
            guard tape[i].kind == .string, allowed.contains(where: { tape.string(i, in: line, equals: $0) }) else {
                throw Reason(text: "\(name(key)): expected one of \(allowed.map(\.description).joined(separator: ", "))")
            }
        }

        func currency(_ key: Key) throws(Reason) {
            guard let i = try lookup(key, required: true) else { return }
            let t = tape[i]
            let ok = t.kind == .string && t.length == 3 && t.flags & JSONToken.hasEscapes == 0
                && (0..<3).allSatisfy { line[Int(t.start) + $0] >= UInt8(ascii: "A") && line[Int(t.start) + $0] <= UInt8(ascii: "Z") }
            guard ok else { throw Reason(text: "\(name(key)): expected a currency code (3 letters A-Z)") }
        }

        func items() throws(Reason) {
            guard let i = try lookup(PropsRules.items, required: false) else { return }
            guard tape[i].kind == .array else { throw Reason(text: "\"props.items\": expected an array") }
            var j = i + 1, n = 0
            while j < Int(tape[i].end) {
                let item = Checker(tape: tape, line: line, props: j, members: nil, item: n)
                guard tape[j].kind == .object else { throw Reason(text: "\"props.items[\(n)]\": expected an object") }
                try item.string(sku, required: true, nonEmpty: true)
                try item.integer(qty, min: 1, max: nil, required: true)
                try item.number(price, min: 0, max: PropsBounds.maxAmount, required: true)
                j = Int(tape[j].end)
                n += 1
            }
        }
    }
}

/// A bound as written in messages: 0 not 0.0.
private func format(_ x: Double) -> String { x == x.rounded() ? String(Int64(x)) : String(x) }
