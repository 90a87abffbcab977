// Identifier normalization: the canonical form under which identifiers are compared and stored.
// Spec: docs/identity.md ("Normalization"). The raw value is kept beside the normalized one by the caller.
//
// Two paths produce the same result for ASCII input (a test checks it on random inputs):
// - the ASCII fast path works on the bytes, with no Foundation, no String and no allocation beyond `out`;
// - the Unicode path decodes the bytes, applies NFKC (Foundation) for e-mails, phones and handles, and
//   works on Unicode scalars.
import Foundation

/// Why a raw identifier value has no normalized form. `reason` never contains the value (privacy).
public enum NormalizationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing is left after trimming white space.
    case empty
    /// The normalized value is longer than `IdentifierNormalizer.maximumLength` bytes.
    case tooLong
    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// A character that the kind does not allow (a control character; white space inside an e-mail address
    /// or handle; a second leading '@' of a handle; a letter or symbol in a phone number, including an extension).
    case invalidCharacter
    /// An e-mail address with no '@'.
    case emailWithoutAt
    /// An e-mail address with more than one '@'.
    case emailTooManyAt
    /// An e-mail address with nothing before or after its '@'.
    case emailEmptyPart
    /// A phone number with no digit.
    case phoneNoDigits
    /// A phone number with fewer than 8 digits including the country code.
    case phoneTooShort
    /// A phone number with more than 15 digits including the country code.
    case phoneTooLong
    /// A phone number written with neither '+', an international prefix nor the trunk prefix, in a country
    /// where that is ambiguous.
    case phoneNoCountryCode
    /// A phone number whose country code starts with 0.
    case phoneBadCountryCode
    /// A Japanese number (+81) whose length no number of its range has (docs/identity.md "Japanese numbers").
    case phoneImpossibleLength
    /// A Japanese number (+81) in a range that is not allocated, such as 070-0xxx.
    case phoneUnallocated
    /// A social handle that is only '@'.
    case handleEmpty

    /// Human text describing the failure, to follow the field name; it never contains the value.
    public var reason: String {
        switch self {
        case .empty: "is empty"
        case .tooLong: "is longer than \(IdentifierNormalizer.maximumLength) bytes"
        case .invalidUTF8: "is not valid UTF-8"
        case .invalidCharacter: "contains a character not allowed in this kind of identifier"
        case .emailWithoutAt: "is not an e-mail address (no '@')"
        case .emailTooManyAt: "is not an e-mail address (more than one '@')"
        case .emailEmptyPart: "is not an e-mail address (nothing before or after '@')"
        case .phoneNoDigits: "is not a phone number (no digits)"
        case .phoneTooShort: "is not a phone number (fewer than 8 digits with the country code)"
        case .phoneTooLong: "is not a phone number (more than 15 digits with the country code)"
        case .phoneNoCountryCode:
            "is a phone number without country code or trunk prefix (write it as +<country code><number>)"
        case .phoneBadCountryCode: "is not a phone number (a country code cannot start with 0)"
        case .phoneImpossibleLength: "is not a Japanese phone number (wrong number of digits for its range)"
        case .phoneUnallocated: "is not a Japanese phone number (no number starts with these digits)"
        case .handleEmpty: "is an empty handle"
        }
    }

    public var description: String { reason }
}

/// Turns raw identifier values into their canonical form (see docs/identity.md).
public struct IdentifierNormalizer: Sendable {
    /// The longest normalized value accepted, in UTF-8 bytes.
    public static let maximumLength = 512

    /// The country whose national phone formats are understood (calling code, trunk and international prefix).
    public let defaultCountry: PhoneCountry

    /// Creates a normalizer.
    /// - Parameter defaultCountry: the country assumed for phone numbers written without a country code.
    public init(defaultCountry: PhoneCountry = .japan) {
        self.defaultCountry = defaultCountry
    }

    /// Appends the normalized form of `raw` (unescaped UTF-8) for the given kind to `out`, or returns the failure.
    ///
    /// ASCII input takes a fast path without Foundation or `String`; other input goes through NFKC, so full-width
    /// digits, letters, '＠', '＋' and '－' become ASCII. On failure `out` is left as it was.
    /// - Parameters:
    ///   - raw: the value's bytes, JSON escapes already resolved.
    ///   - kind: the identifier kind, which selects the rules.
    ///   - out: the buffer the normalized bytes are appended to.
    /// - Returns: nil on success, else why the value has no normalized form.
    /// - Complexity: O(n) in the length of `raw`.
    public func normalize(_ raw: UnsafeRawBufferPointer, kind: IdentifierKind,
                          into out: inout [UInt8]) -> NormalizationFailure? {
        let mark = out.count
        let failure = Self.isASCII(raw)
            ? normalizeASCII(raw, kind: kind, into: &out)
            : normalizeUnicode(raw, kind: kind, into: &out)
        if let failure {
            out.removeSubrange(mark...)
            return failure
        }
        if out.count - mark > Self.maximumLength {
            out.removeSubrange(mark...)
            return .tooLong
        }
        return nil
    }

    /// Returns the normalized form of `raw` for the given kind, or the failure.
    /// - Parameters:
    ///   - raw: the value as received.
    ///   - kind: the identifier kind, which selects the rules.
    /// - Returns: the normalized value, or why there is none.
    public func normalize(_ raw: String, kind: IdentifierKind) -> Result<String, NormalizationFailure> {
        var raw = raw
        var out: [UInt8] = []
        let failure = raw.withUTF8 { normalize(UnsafeRawBufferPointer($0), kind: kind, into: &out) }
        if let failure { return .failure(failure) }
        return .success(String(decoding: out, as: UTF8.self))
    }

    // MARK: - ASCII fast path

    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if raw[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    @inline(__always)
    static func isASCIIControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }

    /// `b` with A–Z lower-cased.
    @inline(__always)
    public static func asciiLower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Appends ASCII bytes to `out` with A-Z lower-cased.
    @inline(__always)
    static func appendLowercased(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: bytes)
        out.withUnsafeMutableBufferPointer { buffer in
            for i in start..<buffer.count { buffer[i] = asciiLower(buffer[i]) }
        }
    }

    /// The bounds of `raw` without leading and trailing ASCII white space.
    @inline(__always)
    static func trimmedASCII(_ raw: UnsafeRawBufferPointer) -> Range<Int> {
        var lo = 0
        var hi = raw.count
        while lo < hi && isASCIISpace(raw[lo]) { lo += 1 }
        while hi > lo && isASCIISpace(raw[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    func normalizeASCII(_ raw: UnsafeRawBufferPointer, kind: IdentifierKind,
                        into out: inout [UInt8]) -> NormalizationFailure? {
        switch kind.identifierClass {
        case .email: return Self.emailASCII(raw, into: &out)
        case .phone: return phoneASCII(raw, into: &out)
        case .socialHandle: return Self.handleASCII(raw, into: &out)
        case .userID, .anonymousID, .deviceID: return Self.opaqueASCII(raw, into: &out)
        }
    }

    static func emailASCII(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) -> NormalizationFailure? {
        let r = trimmedASCII(raw)
        if r.isEmpty { return .empty }
        var atCount = 0
        var atIndex = 0
        for i in r {
            let b = raw[i]
            if b <= 0x20 || b == 0x7F { return .invalidCharacter }
            if b == UInt8(ascii: "@") {
                atCount += 1
                atIndex = i
            }
        }
        if atCount == 0 { return .emailWithoutAt }
        if atCount > 1 { return .emailTooManyAt }
        if atIndex == r.lowerBound || atIndex == r.upperBound - 1 { return .emailEmptyPart }
        appendLowercased(UnsafeRawBufferPointer(rebasing: raw[r]), to: &out)
        return nil
    }

    static func handleASCII(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) -> NormalizationFailure? {
        var r = trimmedASCII(raw)
        if r.isEmpty { return .empty }
        if raw[r.lowerBound] == UInt8(ascii: "@") { r = (r.lowerBound + 1)..<r.upperBound }
        if r.isEmpty { return .handleEmpty }
        if raw[r.lowerBound] == UInt8(ascii: "@") { return .invalidCharacter }
        for i in r where raw[i] <= 0x20 || raw[i] == 0x7F { return .invalidCharacter }
        appendLowercased(UnsafeRawBufferPointer(rebasing: raw[r]), to: &out)
        return nil
    }

    static func opaqueASCII(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) -> NormalizationFailure? {
        let r = trimmedASCII(raw)
        if r.isEmpty { return .empty }
        for i in r where isASCIIControl(raw[i]) { return .invalidCharacter }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[r]))
        return nil
    }

    /// Digits read beyond this many make the number too long at once (bounds the work on hostile input).
    static let phoneDigitScanLimit = 24

    func phoneASCII(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) -> NormalizationFailure? {
        if Self.trimmedASCII(raw).isEmpty { return .empty }
        let base = out.count
        out.append(UInt8(ascii: "+"))
        var hasPlus = false
        var seen = false
        var digits = 0
        for b in raw {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if digits > Self.phoneDigitScanLimit { return .phoneTooLong }
                out.append(b)
                seen = true
            case UInt8(ascii: "+"):
                if seen { return .invalidCharacter }
                hasPlus = true
                seen = true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"):
                continue
            default:
                if Self.isASCIISpace(b) { continue }
                return .invalidCharacter
            }
        }
        return finishPhone(&out, base: base, hasPlus: hasPlus)
    }

    // MARK: - Unicode path

    /// The Unicode path; for ASCII input it gives the same result as the fast path.
    func normalizeUnicode(_ raw: UnsafeRawBufferPointer, kind: IdentifierKind,
                          into out: inout [UInt8]) -> NormalizationFailure? {
        guard let decoded = String(validating: raw, as: UTF8.self) else { return .invalidUTF8 }
        switch kind.identifierClass {
        case .userID, .anonymousID, .deviceID:
            let scalars = Self.trimmed(decoded.unicodeScalars)
            if scalars.isEmpty { return .empty }
            if scalars.contains(where: { $0.properties.generalCategory == .control }) { return .invalidCharacter }
            out.append(contentsOf: Substring(scalars).utf8)
            return nil
        case .email:
            return Self.emailUnicode(decoded.precomposedStringWithCompatibilityMapping, into: &out)
        case .socialHandle:
            return Self.handleUnicode(decoded.precomposedStringWithCompatibilityMapping, into: &out)
        case .phone:
            return phoneUnicode(decoded.precomposedStringWithCompatibilityMapping, into: &out)
        }
    }

    /// White space for trimming: Unicode White_Space plus ZERO WIDTH SPACE and the byte order mark.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || s.value == 0x200B || s.value == 0xFEFF
    }

    /// Characters never allowed inside an e-mail address or handle: spaces and control characters.
    static func isForbiddenInside(_ s: Unicode.Scalar) -> Bool {
        isSpace(s) || s.properties.generalCategory == .control
    }

    static func trimmed(_ scalars: String.UnicodeScalarView) -> Substring.UnicodeScalarView {
        var lo = scalars.startIndex
        var hi = scalars.endIndex
        while lo < hi && isSpace(scalars[lo]) { lo = scalars.index(after: lo) }
        while hi > lo && isSpace(scalars[scalars.index(before: hi)]) { hi = scalars.index(before: hi) }
        return Substring(scalars[lo..<hi]).unicodeScalars
    }

    /// Lower-cases by Unicode rules and restores NFKC, which lower-casing may break.
    static func lowercasedNFKC(_ s: Substring.UnicodeScalarView) -> String {
        String(Substring(s)).lowercased().precomposedStringWithCompatibilityMapping
    }

    static func emailUnicode(_ value: String, into out: inout [UInt8]) -> NormalizationFailure? {
        let scalars = trimmed(value.unicodeScalars)
        if scalars.isEmpty { return .empty }
        if scalars.contains(where: isForbiddenInside) { return .invalidCharacter }
        let ats = scalars.indices.filter { scalars[$0] == "@" }
        if ats.isEmpty { return .emailWithoutAt }
        if ats.count > 1 { return .emailTooManyAt }
        if ats[0] == scalars.startIndex || scalars.index(after: ats[0]) == scalars.endIndex { return .emailEmptyPart }
        out.append(contentsOf: lowercasedNFKC(scalars).utf8)
        return nil
    }

    static func handleUnicode(_ value: String, into out: inout [UInt8]) -> NormalizationFailure? {
        var scalars = trimmed(value.unicodeScalars)
        if scalars.isEmpty { return .empty }
        if scalars.first == "@" { scalars.removeFirst() }
        if scalars.isEmpty { return .handleEmpty }
        if scalars.first == "@" || scalars.contains(where: isForbiddenInside) { return .invalidCharacter }
        out.append(contentsOf: lowercasedNFKC(scalars).utf8)
        return nil
    }

    /// Separators dropped from phone numbers besides ASCII ones: white space, dashes, minus, 'ー'.
    static func isPhoneSeparator(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x2D, 0x2E, 0x28, 0x29, 0x2F: true          // - . ( ) /
        case 0x2010...0x2015, 0x2212: true               // hyphens, dashes, minus sign
        case 0x30FC, 0xFF70: true                        // 'ー' often typed for a hyphen in Japan
        default: isSpace(s)
        }
    }

    func phoneUnicode(_ value: String, into out: inout [UInt8]) -> NormalizationFailure? {
        if Self.trimmed(value.unicodeScalars).isEmpty { return .empty }
        let base = out.count
        out.append(UInt8(ascii: "+"))
        var hasPlus = false
        var seen = false
        var digits = 0
        for s in value.unicodeScalars {
            if s.properties.numericType == .decimal, let v = s.properties.numericValue {
                digits += 1
                if digits > Self.phoneDigitScanLimit { return .phoneTooLong }
                out.append(UInt8(ascii: "0") + UInt8(v))
                seen = true
            } else if s == "+" {
                if seen { return .invalidCharacter }
                hasPlus = true
                seen = true
            } else if !Self.isPhoneSeparator(s) {
                return .invalidCharacter
            }
        }
        return finishPhone(&out, base: base, hasPlus: hasPlus)
    }

    // MARK: - Phone numbers: from digits to E.164

    /// Turns `+` followed by the digits read (at `out[base...]`) into E.164 using the default country's rules.
    func finishPhone(_ out: inout [UInt8], base: Int, hasPlus: Bool) -> NormalizationFailure? {
        let first = base + 1
        if out.count == first { return .phoneNoDigits }
        var international = hasPlus
        if !international {
            let country = defaultCountry
            if Self.hasPrefix(out, at: first, country.internationalPrefix) {
                out.removeSubrange(first..<(first + country.internationalPrefix.utf8.count))
                international = true
            } else if let trunk = country.trunkPrefix, Self.hasPrefix(out, at: first, trunk) {
                out.replaceSubrange(first..<(first + trunk.utf8.count), with: country.callingCode.utf8)
            } else if country.bareNumbersAreNational {
                out.insert(contentsOf: country.callingCode.utf8, at: first)
            } else {
                return .phoneNoCountryCode
            }
        }
        if international {
            if out.count > first && out[first] == UInt8(ascii: "0") { return .phoneBadCountryCode }
            Self.dropTrunkZero(&out, first: first)
        }
        let digits = out.count - first
        if digits < 8 { return .phoneTooShort }
        if digits > 15 { return .phoneTooLong }
        return Self.checkJapanese(out, first: first)
    }

    /// Checks a number with calling code 81 against Japan's numbering plan (`JapanesePhonePlan`).
    static func checkJapanese(_ out: [UInt8], first: Int) -> NormalizationFailure? {
        guard out[first] == UInt8(ascii: "8"), out[first + 1] == UInt8(ascii: "1") else { return nil }
        let result = out.withUnsafeBytes { JapanesePhonePlan.classify(UnsafeRawBufferPointer(rebasing: $0[(first + 2)...])) }
        switch result {
        case .success: return nil
        case .failure(.impossibleLength): return .phoneImpossibleLength
        case .failure(.unallocated): return .phoneUnallocated
        }
    }

    @inline(__always)
    static func hasPrefix(_ out: [UInt8], at start: Int, _ prefix: String) -> Bool {
        var i = start
        for p in prefix.utf8 {
            if i >= out.count || out[i] != p { return false }
            i += 1
        }
        return true
    }

    /// Drops a '0' written after a known calling code whose country uses '0' as trunk prefix:
    /// `+81 (0)90…` and `+81 090…` mean `+8190…` (national significant numbers there never start with 0).
    static func dropTrunkZero(_ out: inout [UInt8], first: Int) {
        var code: UInt32 = 0
        for length in 1...3 where out.count > first + length {
            code = code * 10 + UInt32(out[first + length - 1] &- UInt8(ascii: "0"))
            if out[first + length] == UInt8(ascii: "0") && trunkZeroCallingCodes.contains(code) {
                out.remove(at: first + length)
                return
            }
        }
    }

    /// The calling codes (as numbers) of the known countries whose trunk prefix is '0'.
    static let trunkZeroCallingCodes: [UInt32] = PhoneCountry.known
        .filter { $0.trunkPrefix == "0" }
        .compactMap { UInt32($0.callingCode) }
}
