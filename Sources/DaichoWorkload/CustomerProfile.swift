/// A customer's stable attributes, derived from its index by hashing: nothing is stored per customer
/// except an event counter, so a million customers cost four megabytes.
struct CustomerProfile {
    /// Index in `0..<customers`.
    let index: Int
    /// Hash of the index: the source of every attribute below.
    let bits: UInt64
    /// A second, independent hash of the index.
    let bits2: UInt64

    init(index: Int, key: UInt64) {
        self.index = index
        bits = mix64(key ^ UInt64(index))
        bits2 = mix64(bits ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// About 72% of customers log in at some point; the rest stay anonymous.
    var isRegistered: Bool { bits % 100 < 72 }
    /// The customer's event number (0-based) at which it logs in with an identify event.
    var loginAt: Int { 1 + Int((bits >> 8) % 3) }
    /// About 60% of customers have given a phone number.
    var hasPhone: Bool { (bits >> 16) % 100 < 60 }
    /// Uses the mobile app rather than the web.
    var usesApp: Bool { (bits >> 24) % 100 < 45 }
    /// A stable index in `0..<count` for the attribute whose bits start at `shift` of the second hash.
    @inline(__always)
    func choice(_ count: Int, shift: UInt64) -> Int { Int((bits2 >> shift) % UInt64(count)) }
    var emailStyle: Int { Int((bits >> 48) % 3) }
    var phonePrefix: Int { Int((bits >> 52) % 3) }
    var birthYear: Int { 1950 + Int((bits >> 56) % 59) }
    /// The social platform the customer mostly posts on (index into `SocialPlatform`).
    var platform: Int {
        let r = bits2 % 100
        return r < 40 ? 0 : r < 70 ? 1 : r < 85 ? 2 : r < 93 ? 3 : 4
    }
}
