// Dialling rules of the countries whose national phone formats the normalizer understands.
// Spec: docs/identity.md ("phone"). Values follow the ITU-T E.164 country codes and each country's
// national numbering plan; where a country has several carrier-specific international prefixes, the
// table holds the principal one (numbers using another should be sent with '+').

/// How phone numbers are written in one country: its calling code and dialling prefixes.
public struct PhoneCountry: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 code, upper case, e.g. `JP`.
    public let isoCode: String
    /// The E.164 country calling code without '+', e.g. `81`.
    public let callingCode: String
    /// The national (trunk) prefix dialled before a national number, e.g. `0`; nil when the country has none.
    public let trunkPrefix: String?
    /// The prefix dialled to call abroad, e.g. `010` in Japan, `00` in most of Europe.
    public let internationalPrefix: String
    /// Whether a number written with neither '+', the international prefix nor the trunk prefix is a national
    /// number (true where national numbers are written without a trunk prefix: North America, Italy, ...).
    /// When false such a number is rejected: it may have lost its leading trunk prefix or its '+'.
    public let bareNumbersAreNational: Bool

    /// Creates a country's dialling rules (all codes are ASCII digits).
    public init(isoCode: String, callingCode: String, trunkPrefix: String?, internationalPrefix: String,
                bareNumbersAreNational: Bool) {
        self.isoCode = isoCode
        self.callingCode = callingCode
        self.trunkPrefix = trunkPrefix
        self.internationalPrefix = internationalPrefix
        self.bareNumbersAreNational = bareNumbersAreNational
    }

    /// Japan: `+81`, trunk prefix `0`, international prefix `010`.
    public static let japan = PhoneCountry(
        isoCode: "JP", callingCode: "81", trunkPrefix: "0", internationalPrefix: "010", bareNumbersAreNational: false)

    /// The documented table (docs/identity.md), ordered by ISO code after Japan.
    public static let known: [PhoneCountry] = [
        japan,
        PhoneCountry(isoCode: "AU", callingCode: "61", trunkPrefix: "0", internationalPrefix: "0011", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "CA", callingCode: "1", trunkPrefix: "1", internationalPrefix: "011", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "CH", callingCode: "41", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "CN", callingCode: "86", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "DE", callingCode: "49", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "ES", callingCode: "34", trunkPrefix: nil, internationalPrefix: "00", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "FR", callingCode: "33", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "GB", callingCode: "44", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "HK", callingCode: "852", trunkPrefix: nil, internationalPrefix: "00", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "IN", callingCode: "91", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "IT", callingCode: "39", trunkPrefix: nil, internationalPrefix: "00", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "KR", callingCode: "82", trunkPrefix: "0", internationalPrefix: "001", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "MY", callingCode: "60", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "NL", callingCode: "31", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "NZ", callingCode: "64", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "PH", callingCode: "63", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "SE", callingCode: "46", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "SG", callingCode: "65", trunkPrefix: nil, internationalPrefix: "001", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "TH", callingCode: "66", trunkPrefix: "0", internationalPrefix: "001", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "TW", callingCode: "886", trunkPrefix: "0", internationalPrefix: "002", bareNumbersAreNational: false),
        PhoneCountry(isoCode: "US", callingCode: "1", trunkPrefix: "1", internationalPrefix: "011", bareNumbersAreNational: true),
        PhoneCountry(isoCode: "VN", callingCode: "84", trunkPrefix: "0", internationalPrefix: "00", bareNumbersAreNational: false),
    ]

    /// The country with the given ISO 3166-1 alpha-2 code (case-insensitive), or nil when it is not in the table.
    /// - Complexity: O(n) in the table size.
    public static func byISOCode(_ code: String) -> PhoneCountry? {
        let upper = code.uppercased()
        return known.first { $0.isoCode == upper }
    }
}
