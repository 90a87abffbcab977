// Japan's telephone numbering plan as far as identity needs it: which national significant numbers (the digits
// after +81) exist, and what kind of line each range is. Spec and the table in prose: docs/identity.md
// ("Japanese numbers"). The ranges follow Google's libphonenumber metadata for JP (v9.0), which follows the
// numbering plan of Japan's Ministry of Internal Affairs and Communications; a test compares a corpus with the
// Python port `phonenumbers` (Tests/DaichoTests/PhoneReferenceTests.swift).

/// What kind of line a Japanese number range is (docs/identity.md "Japanese numbers").
public enum JapaneseLineKind: String, Sendable, CaseIterable {
    /// Mobile 070/080/090 and 060 with 11 digits: personal.
    case mobile
    /// Pagers and M2M, 020: one device, treated as personal.
    case pager
    /// Personal numbers (UPT), 060 with 10 digits.
    case personal
    /// IP phones, 050: often a home's or a shop's line.
    case ip
    /// Fixed lines (area codes of 1–5 digits, 10 digits in all): a household's or an office's number.
    case fixed
    /// Toll-free 0120 and 0800: a business's number.
    case tollFree = "toll_free"
    /// Navi dial 0570: a business's number.
    case naviDial = "navi_dial"
    /// Premium rate 0990: a business's number.
    case premium

    /// True for the business ranges, which never identify a customer (toll-free, navi dial, premium rate).
    public var isBusiness: Bool { self == .tollFree || self == .naviDial || self == .premium }
}

/// Why a number after +81 is not a Japanese phone number.
public enum JapanesePhoneError: Error, Sendable, Equatable {
    /// The range exists but a number in it has another length.
    case impossibleLength
    /// No number starts with these digits (not allocated).
    case unallocated
}

/// The ranges of Japan's numbering plan: validity and line kind of a national significant number.
public enum JapanesePhonePlan {
    /// Per two-digit prefix (index 10 × first + second digit) of a 9-digit fixed-line national significant number
    /// (the area code plus the subscriber number; the trunk 0 is not counted), a bit per allowed third digit.
    static let fixedTable: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 100)
        func allow(_ prefix: String, _ thirds: String) {
            let u = Array(prefix.utf8)
            let i = Int(u[0] - 48) * 10 + Int(u[1] - 48)
            for d in thirds.utf8 { table[i] |= 1 << UInt16(d - 48) }
        }
        for (prefix, thirds) in [
            ("11", "235678"), ("12", "3456"), ("13", "3456789"), ("14", "23456"), ("15", "2345678"),
            ("16", "234567"), ("17", "23456789"), ("18", "2345678"), ("19", "123456789"),
            ("46", "02345678"), ("49", "23459"), ("56", "123456789"), ("57", "2345678"),
            ("73", "456789"), ("74", "023456789"),
            ("83", "23456789"), ("84", "56789"), ("85", "123456789"), ("88", "03456789"),
            ("96", "123456789"), ("97", "123456789"), ("99", "123456789"),
        ] { allow(prefix, thirds) }
        for p in ["22", "23", "24", "25", "26", "27", "28", "29", "42", "43", "44", "45", "47", "48",
                  "52", "53", "54", "55", "58", "59", "72", "75", "76", "77", "78", "79",
                  "82", "86", "87", "89", "92", "93", "94", "95", "98"] { allow(p, "0123456789") }
        for p in ["31", "32", "33", "34", "35", "36", "37", "38", "39", "61", "62", "63", "64", "65", "66", "67", "68", "69"] {
            allow(p, "0123456789")
        }
        return table
    }()

    /// Classifies a national significant number (ASCII digits after +81).
    /// - Parameter nsn: the digits after the calling code 81.
    /// - Returns: the line kind, or why no such Japanese number exists.
    /// - Complexity: O(1); no allocation.
    public static func classify(_ nsn: UnsafeRawBufferPointer) -> Result<JapaneseLineKind, JapanesePhoneError> {
        let n = nsn.count
        guard n >= 3 else { return .failure(.impossibleLength) }
        let d0 = Int(nsn[0]) - 48, d1 = Int(nsn[1]) - 48, d2 = Int(nsn[2]) - 48
        func sized(_ kind: JapaneseLineKind, _ length: Int) -> Result<JapaneseLineKind, JapanesePhoneError> {
            n == length ? .success(kind) : .failure(.impossibleLength)
        }
        switch (d0, d1) {
        case (2, 0): return sized(.pager, 10)
        case (5, 0): return d2 == 0 ? .failure(.unallocated) : sized(.ip, 10)
        case (6, 0):
            if n == 9 { return .success(.personal) }
            return d2 == 0 ? .failure(.unallocated) : sized(.mobile, 10)
        case (7, 0), (9, 0): return d2 == 0 ? .failure(.unallocated) : sized(.mobile, 10)
        case (8, 0): return d2 == 0 ? sized(.tollFree, 10) : sized(.mobile, 10) // 0800 is toll-free
        case (1, 2) where d2 == 0: return sized(.tollFree, 9) // 0120
        case (5, 7) where d2 == 0: return sized(.naviDial, 9) // 0570
        case (9, 9) where d2 == 0: return sized(.premium, 9) // 0990
        default:
            guard d0 >= 1, d0 <= 9, d1 >= 0, d1 <= 9, d2 >= 0, d2 <= 9,
                  fixedTable[d0 * 10 + d1] & (1 << UInt16(d2)) != 0 else { return .failure(.unallocated) }
            return sized(.fixed, 9)
        }
    }

    /// The line kind of a normalized phone number (`+81…`), or nil when it is not a valid Japanese number.
    /// - Parameter e164: a normalized phone value such as `+81312345678`.
    /// - Complexity: O(1); no allocation.
    public static func lineKind(ofNormalized e164: UnsafeRawBufferPointer) -> JapaneseLineKind? {
        guard e164.count > 3, e164[0] == UInt8(ascii: "+"), e164[1] == UInt8(ascii: "8"), e164[2] == UInt8(ascii: "1"),
              case .success(let kind) = classify(UnsafeRawBufferPointer(rebasing: e164[3...])) else { return nil }
        return kind
    }
}
