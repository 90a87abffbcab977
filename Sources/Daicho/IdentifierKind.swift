// Identifier kinds: the closed, append-only list of names an event may use in `ids`.
// Spec: docs/identity.md ("Identifier kinds"). The index in `IdentifierKind.all` is a wire code.

/// How values of an identifier kind are normalized and masked.
public enum IdentifierClass: UInt8, Sendable {
    /// An opaque id issued by the producer's own system (case preserved).
    case userID
    /// An e-mail address (lower-cased, one '@').
    case email
    /// A telephone number (normalized to E.164, `+<digits>`).
    case phone
    /// An opaque id of an unidentified visitor (case preserved).
    case anonymousID
    /// An opaque id of a device or browser (case preserved).
    case deviceID
    /// A public handle on a social platform (lower-cased, no leading '@').
    case socialHandle
}

/// A known identifier kind: its wire code, its name in JSON and its normalization class.
///
/// Equality and hashing use `code` only; two kinds with the same code are the same kind.
public struct IdentifierKind: Sendable, Hashable, CustomStringConvertible {
    /// The wire code: the index of this kind in `IdentifierKind.all`. Never reused or reordered.
    public let code: UInt8
    /// The name used as a key of `ids` in events.
    public let name: String
    /// How values of this kind are normalized and masked.
    public let identifierClass: IdentifierClass

    private init(_ code: UInt8, _ name: String, _ identifierClass: IdentifierClass) {
        self.code = code
        self.name = name
        self.identifierClass = identifierClass
    }

    public static let userID = IdentifierKind(0, "user_id", .userID)
    public static let email = IdentifierKind(1, "email", .email)
    public static let phone = IdentifierKind(2, "phone", .phone)
    public static let anonymousID = IdentifierKind(3, "anonymous_id", .anonymousID)
    public static let deviceID = IdentifierKind(4, "device_id", .deviceID)
    public static let x = IdentifierKind(5, "x", .socialHandle)
    public static let instagram = IdentifierKind(6, "instagram", .socialHandle)
    public static let line = IdentifierKind(7, "line", .socialHandle)
    public static let youtube = IdentifierKind(8, "youtube", .socialHandle)
    public static let facebook = IdentifierKind(9, "facebook", .socialHandle)
    public static let tiktok = IdentifierKind(10, "tiktok", .socialHandle)
    public static let threads = IdentifierKind(11, "threads", .socialHandle)
    public static let linkedin = IdentifierKind(12, "linkedin", .socialHandle)
    public static let weibo = IdentifierKind(13, "weibo", .socialHandle)
    public static let wechat = IdentifierKind(14, "wechat", .socialHandle)
    public static let kakaotalk = IdentifierKind(15, "kakaotalk", .socialHandle)
    public static let note = IdentifierKind(16, "note", .socialHandle)

    /// Every known kind; `all[i].code == i`. Append only: the index is stored in the log.
    public static let all: [IdentifierKind] = [
        .userID, .email, .phone, .anonymousID, .deviceID,
        .x, .instagram, .line, .youtube, .facebook, .tiktok,
        .threads, .linkedin, .weibo, .wechat, .kakaotalk, .note,
    ]

    /// The kind with the given wire code, or nil for an unknown code.
    /// - Complexity: O(1).
    @inlinable
    public static func withCode(_ code: UInt8) -> IdentifierKind? {
        let all = IdentifierKind.all
        return Int(code) < all.count ? all[Int(code)] : nil
    }

    /// Finds the kind named by the UTF-8 bytes of a JSON key (already unescaped), without creating a `String`.
    /// - Parameter utf8: the key's bytes, e.g. `email`.
    /// - Returns: the kind, or nil when the name is not a known kind (names are case-sensitive).
    /// - Complexity: O(n) in the key length; at most two byte comparisons of known names.
    public static func lookup(_ utf8: UnsafeRawBufferPointer) -> IdentifierKind? {
        guard let first = utf8.first else { return nil }
        let candidate: IdentifierKind
        switch (utf8.count, first) {
        case (1, UInt8(ascii: "x")): return .x
        case (4, UInt8(ascii: "l")): candidate = .line
        case (4, UInt8(ascii: "n")): candidate = .note
        case (5, UInt8(ascii: "e")): candidate = .email
        case (5, UInt8(ascii: "p")): candidate = .phone
        case (5, UInt8(ascii: "w")): candidate = .weibo
        case (6, UInt8(ascii: "t")): candidate = .tiktok
        case (6, UInt8(ascii: "w")): candidate = .wechat
        case (7, UInt8(ascii: "u")): candidate = .userID
        case (7, UInt8(ascii: "y")): candidate = .youtube
        case (7, UInt8(ascii: "t")): candidate = .threads
        case (8, UInt8(ascii: "f")): candidate = .facebook
        case (8, UInt8(ascii: "l")): candidate = .linkedin
        case (9, UInt8(ascii: "d")): candidate = .deviceID
        case (9, UInt8(ascii: "i")): candidate = .instagram
        case (9, UInt8(ascii: "k")): candidate = .kakaotalk
        case (12, UInt8(ascii: "a")): candidate = .anonymousID
        default: return nil
        }
        let equal = candidate.name.utf8.withContiguousStorageIfAvailable { known in
            known.count == utf8.count && zip(known, utf8).allSatisfy { $0 == $1 }
        }
        return equal == true ? candidate : nil
    }

    /// Finds the kind with the given name (case-sensitive), e.g. `"email"`.
    /// - Complexity: O(n) in the name length.
    public static func named(_ name: String) -> IdentifierKind? {
        var name = name
        return name.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    public static func == (lhs: IdentifierKind, rhs: IdentifierKind) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { name }
}
