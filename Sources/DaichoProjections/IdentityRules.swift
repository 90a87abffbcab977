import Daicho
import Foundation

/// The merge protection rules of docs/identity.md "Identity graph": per-kind limits, priority, weak kinds.
public struct IdentityRules: Sendable, Equatable {
    /// Per kind code: the most identifiers of that kind one profile may hold; nil = unlimited.
    public var limits: [Int?]
    /// Per kind code: its priority rank, 1 highest (user_id).
    public var priority: [Int]
    /// Per kind code: true when the kind is weak (never bridges two known customers).
    public var weak: [Bool]

    /// The defaults: user_id 1, email 5, phone 5, one handle per social platform, devices and anonymous ids
    /// unlimited; priority user_id > email > phone > handles > device_id > anonymous_id.
    public init() {
        limits = []
        priority = []
        weak = []
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
    /// "priority": ["user_id", "email", ...], "weak": ["anonymous_id", "device_id"]}`; absent keys keep defaults.
    /// - Throws: `StoreError` naming the unknown kind or the malformed value.
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
    }
}
