import Daicho
import Foundation

/// The merge protection rules of docs/identity.md "Identity graph": per-kind limits, priority, weak kinds,
/// household phone ranges and refused values.
public struct IdentityRules: Sendable, Equatable {
    /// Per kind code: the most identifiers of that kind one profile may hold; nil = unlimited.
    public var limits: [Int?]
    /// Per kind code: its priority rank, 1 highest (user_id).
    public var priority: [Int]
    /// Per kind code: true when the kind is weak (never bridges two known customers).
    public var weak: [Bool]
    /// The Japanese line kinds whose numbers are household numbers: they attach to a profile like a weak identifier
    /// but never merge two customers who each hold a strong identifier. Default: fixed lines and IP phones (050).
    public var householdPhones: Set<JapaneseLineKind> {
        get { Set(JapaneseLineKind.allCases.filter { householdMask & Self.bit($0) != 0 }) }
        set { householdMask = newValue.reduce(0) { $0 | Self.bit($1) } }
    }
    /// `householdPhones` as a bit per line kind, so the per-event check in `isHousehold` is one AND, no hashing.
    private var householdMask: UInt16 = IdentityRules.bit(.fixed) | IdentityRules.bit(.ip)
    /// Per kind code: values refused besides the defaults (`blocked_values`), normalized and ASCII-lower-cased.
    public var blocked: [[[UInt8]]]

    /// The defaults: user_id 1, email 5, phone 5, one handle per social platform, devices and anonymous ids
    /// unlimited; priority user_id > email > phone > handles > device_id > anonymous_id.
    public init() {
        limits = []
        priority = []
        weak = []
        blocked = Array(repeating: [], count: IdentifierKind.all.count)
        for kind in IdentifierKind.all {
            switch kind.identifierClass {
            case .userID: limits.append(1); priority.append(1); weak.append(false)
            case .email: limits.append(5); priority.append(2); weak.append(false)
            case .phone: limits.append(5); priority.append(3); weak.append(false)
            case .socialHandle: limits.append(1); priority.append(4); weak.append(false)
            case .deviceID: limits.append(nil); priority.append(5); weak.append(true)
            case .anonymousID: limits.append(nil); priority.append(6); weak.append(true)
            }
        }
    }

    /// Reads `identity.json` (docs/identity.md "Configuration"): `{"limits": {"email": 3, "device_id": null},
    /// "priority": ["user_id", "email", ...], "weak": ["anonymous_id", "device_id"], "household_phones": ["fixed", "ip"],
    /// "blocked_values": {"user_id": ["U-TEST"]}}`; absent keys keep defaults. Blocked values are normalized as ingest
    /// normalizes them (default country JP).
    /// - Throws: `StoreError` naming the unknown kind, line kind or the malformed value (with its normalization failure).
    public init(json data: Data) throws {
        self.init()
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StoreError(.invalidSettings, "identity.json: expected a JSON object")
        }
        func kind(_ name: String) throws -> Int {
            guard let k = IdentifierKind.named(name) else { throw StoreError(.invalidSettings, "identity.json: unknown identifier kind \"\(name)\"") }
            return Int(k.code)
        }
        if let limits = root["limits"] as? [String: Any] {
            for (name, value) in limits {
                let k = try kind(name)
                if value is NSNull { self.limits[k] = nil; continue }
                guard let n = value as? Int, n >= 1 else { throw StoreError(.invalidSettings, "identity.json: limits.\(name) must be an integer >= 1 or null") }
                self.limits[k] = n
            }
        }
        if let order = root["priority"] as? [String] {
            var rank = 1
            var seen = Set<Int>()
            for name in order {
                let k = try kind(name)
                seen.insert(k)
                priority[k] = rank
                rank += 1
            }
            for k in 0..<priority.count where !seen.contains(k) { priority[k] = rank } // unlisted kinds come last
        }
        if let weakKinds = root["weak"] as? [String] {
            weak = Array(repeating: false, count: weak.count)
            for name in weakKinds { weak[try kind(name)] = true }
        }
        if let household = root["household_phones"] {
            guard let names = household as? [String] else {
                throw StoreError(.invalidSettings, "identity.json: household_phones must be a list of line kinds such as [\"fixed\", \"ip\"]")
            }
            householdPhones = []
            for name in names {
                guard let line = JapaneseLineKind(rawValue: name), !line.isBusiness else {
                    let known = JapaneseLineKind.allCases.filter { !$0.isBusiness }.map(\.rawValue).joined(separator: ", ")
                    throw StoreError(.invalidSettings, "identity.json: household_phones: unknown line kind \"\(name)\" (known: \(known))")
                }
                householdPhones.insert(line)
            }
        }
        if let blockedValues = root["blocked_values"] {
            guard let byKind = blockedValues as? [String: Any] else {
                throw StoreError(.invalidSettings, "identity.json: blocked_values must be an object from identifier kind to a list of values")
            }
            let normalizer = IdentifierNormalizer()
            for (name, list) in byKind {
                let k = try kind(name)
                guard let values = list as? [String] else { throw StoreError(.invalidSettings, "identity.json: blocked_values.\(name) must be a list of strings") }
                for (i, value) in values.enumerated() {
                    switch normalizer.normalize(value, kind: IdentifierKind.all[k]) {
                    case .success(let n): blocked[k].append(n.utf8.map(IdentifierNormalizer.asciiLower))
                    case .failure(let f): throw StoreError(.invalidSettings, "identity.json: blocked_values.\(name)[\(i)] \(f.reason)")
                    }
                }
            }
        }
    }

    /// Why identity resolution ignores the identifier (`kind`, normalized `value`), or nil when it may identify a
    /// customer: the default rules (`IdentifierRefusal`), then `blocked_values` (ASCII-case-insensitive).
    /// - Complexity: O(length of the value) plus a comparison per blocked value of the same length; no allocation.
    @inline(__always)
    public func refusal(kind: UInt8, value: UnsafeRawBufferPointer) -> RefusalReason? {
        if let r = IdentifierRefusal.defaultReason(kind: IdentifierKind.all[Int(kind)], normalized: value) { return r }
        let list = blocked[Int(kind)]
        return list.isEmpty || !IdentifierRefusal.matchesAny(value, list) ? nil : .blockedValue
    }

    /// Whether the identifier is a household phone number (docs/identity.md "Household numbers").
    @inline(__always)
    public func isHousehold(kind: UInt8, value: UnsafeRawBufferPointer) -> Bool {
        guard kind == IdentifierKind.phone.code, householdMask != 0,
              let line = JapanesePhonePlan.lineKind(ofNormalized: value) else { return false }
        return householdMask & Self.bit(line) != 0
    }

    @inline(__always)
    private static func bit(_ line: JapaneseLineKind) -> UInt16 {
        let index: Int = switch line {
        case .mobile: 0
        case .pager: 1
        case .personal: 2
        case .ip: 3
        case .fixed: 4
        case .tollFree: 5
        case .naviDial: 6
        case .premium: 7
        }
        return 1 << index
    }
}
