// Identifier values that never identify a customer: placeholders that hard-coded or broken producers send
// (`undefined`, `null`, `0`, `test@test.com`, …) and Japanese business phone numbers. Spec: docs/identity.md
// ("Refused identifiers"). Ingest rejects a line whose every identifier is refused; the identity graph ignores
// refused identifiers and counts them (so a changed rule takes effect on replay).

/// Why an identifier is refused by identity resolution.
public enum RefusalReason: Int, Sendable, CaseIterable {
    /// A value in the default placeholder list of its kind.
    case placeholder
    /// A Japanese business number: toll-free 0120/0800, navi dial 0570, premium rate 0990.
    case businessPhone
    /// A value listed in `blocked_values` of `identity.json`.
    case blockedValue

    /// The name of the reason; `daicho stats` counts it as `identity.refused_<name>s`.
    public var name: String {
        switch self {
        case .placeholder: "placeholder"
        case .businessPhone: "business_phone"
        case .blockedValue: "blocked_value"
        }
    }

    /// Text that follows the field name in a message (`"ids.user_id" is a placeholder …`); never the value.
    public var reason: String {
        switch self {
        case .placeholder: "is a placeholder value, not a customer's identifier (docs/identity.md \"Refused identifiers\")"
        case .businessPhone: "is a business number (toll-free 0120/0800, navi dial 0570, premium 0990) that never identifies a customer"
        case .blockedValue: "is listed in blocked_values of identity.json"
        }
    }
}

/// The default refusal rules: placeholders per identifier class and Japanese business numbers.
public enum IdentifierRefusal {
    /// Placeholder words refused for every kind except e-mail and phone, compared ASCII-case-insensitively with the
    /// normalized value.
    public static let placeholderWords: [String] = [
        "undefined", "null", "nil", "none", "nan", "n/a", "na", "unknown", "guest", "anonymous", "test",
        "(null)", "[object object]", "false", "true", "-1",
    ]

    /// Placeholder e-mail addresses, compared ASCII-case-insensitively with the normalized value.
    public static let placeholderEmails: [String] = [
        "test@test.com", "test@example.com", "example@example.com", "none@none.com", "null@null.com",
        "noemail@noemail.com", "no@email.com", "undefined@undefined.com",
    ]

    private static let words: [[UInt8]] = placeholderWords.map { Array($0.utf8) }
    private static let emails: [[UInt8]] = placeholderEmails.map { Array($0.utf8) }

    /// Why a normalized identifier is refused by the default rules, or nil when it may identify a customer.
    ///
    /// Placeholders: for user, anonymous and device ids and handles, a word of `placeholderWords` or a value made
    /// only of `0` and `-` (`0`, `-`, `00000000000`, the all-zero UUID an iOS device sends without tracking
    /// consent); for e-mail, an address of `placeholderEmails`; for phone, a number whose last 8 digits are one
    /// repeated digit (`090-1111-1111`). Business numbers: `+81` toll-free, navi dial and premium rate ranges.
    /// - Parameters:
    ///   - kind: the identifier's kind.
    ///   - normalized: its normalized value.
    /// - Complexity: O(length of the value); no allocation.
    public static func defaultReason(kind: IdentifierKind, normalized value: UnsafeRawBufferPointer) -> RefusalReason? {
        switch kind.identifierClass {
        case .email:
            return matchesAny(value, emails) ? .placeholder : nil
        case .phone:
            if let line = JapanesePhonePlan.lineKind(ofNormalized: value), line.isBusiness { return .businessPhone }
            return repeatsOneDigit(value) ? .placeholder : nil
        case .userID, .anonymousID, .deviceID, .socialHandle:
            return onlyZerosAndHyphens(value) || matchesAny(value, words) ? .placeholder : nil
        }
    }

    /// Whether `value` equals one of `candidates`, ignoring ASCII case.
    public static func matchesAny(_ value: UnsafeRawBufferPointer, _ candidates: [[UInt8]]) -> Bool {
        for c in candidates where c.count == value.count && equalIgnoringASCIICase(value, c) { return true }
        return false
    }

    /// Whether `value` equals `lowered` (ASCII lower case) when A–Z in `value` are lower-cased.
    @inline(__always)
    public static func equalIgnoringASCIICase(_ value: UnsafeRawBufferPointer, _ lowered: [UInt8]) -> Bool {
        guard value.count == lowered.count else { return false }
        for i in 0..<value.count where IdentifierNormalizer.asciiLower(value[i]) != lowered[i] { return false }
        return true
    }

    static func onlyZerosAndHyphens(_ value: UnsafeRawBufferPointer) -> Bool {
        guard !value.isEmpty else { return false }
        for b in value where b != UInt8(ascii: "0") && b != UInt8(ascii: "-") { return false }
        return true
    }

    /// True when the last 8 digits of a normalized phone number are one digit repeated.
    static func repeatsOneDigit(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 9 else { return false }
        let last = value[value.count - 1]
        for i in (value.count - 8)..<value.count where value[i] != last { return false }
        return true
    }
}
