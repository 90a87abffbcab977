// Masking of identifier values for error messages and logs. Spec: docs/identity.md ("Privacy").

/// Masks identifier values so that messages can point at a value without disclosing it.
public enum IdentifierMask {
    /// Returns a masked form of `value` that never shows it whole: `t***@e***.com`, `+81********78`, `a***`.
    ///
    /// Works on raw and on normalized values. At most the first character of each part, the top-level
    /// domain of an e-mail address, and the first and last two digits of a phone number of 8 digits or more
    /// are shown; a part of fewer than two characters is replaced by `***` whole.
    /// - Parameters:
    ///   - value: the identifier value.
    ///   - kind: its kind, which selects the format.
    /// - Returns: the masked text.
    public static func mask(_ value: String, kind: IdentifierKind) -> String {
        switch kind.identifierClass {
        case .email: maskEmail(value)
        case .phone: maskPhone(value)
        case .socialHandle, .userID, .anonymousID, .deviceID: maskPart(Substring(value))
        }
    }

    /// The first character and `***`, or `***` alone for a part of fewer than two characters.
    static func maskPart(_ part: Substring) -> String {
        guard part.count >= 2, let first = part.first else { return "***" }
        return String(first) + "***"
    }

    static func maskEmail(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@"), at != value.startIndex,
              value.index(after: at) != value.endIndex else { return maskPart(Substring(value)) }
        let local = value[..<at]
        let domain = value[value.index(after: at)...]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex,
              domain.index(after: dot) != domain.endIndex else {
            return maskPart(local) + "@" + maskPart(domain)
        }
        return maskPart(local) + "@" + maskPart(domain[..<dot]) + String(domain[dot...])
    }

    static func maskPhone(_ value: String) -> String {
        let digits = value.unicodeScalars.filter { $0.properties.numericType == .decimal }
        guard digits.count >= 8 else { return "***" }
        let plus = value.unicodeScalars.contains("+") || value.unicodeScalars.contains("＋") ? "+" : ""
        var text = String.UnicodeScalarView()
        text.append(contentsOf: digits.prefix(2))
        text.append(contentsOf: repeatElement("*", count: digits.count - 4))
        text.append(contentsOf: digits.suffix(2))
        return plus + String(text)
    }
}
