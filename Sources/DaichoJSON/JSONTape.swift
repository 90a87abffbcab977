// The flat token tape that JSONParser fills: one token per JSON value, in document order.

/// The kind of one JSON value on a ``JSONTape``.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null
}

/// One value in a flat tape (simdjson-style). Containers are followed by their members; `end` lets you skip.
///
/// Field meaning by kind:
/// - `string`: `start` is the byte index of the first content byte after the opening quote, `length` the raw
///   (still escaped) content length between the quotes; `flags` holds ``hasEscapes`` and ``nonASCII``.
/// - `number`: `start` is the first byte of the literal, `length` its byte length; `flags` holds ``isInteger``.
/// - `object`: `start` is the index of `{`, `length` the member count. `array`: index of `[`, element count.
/// - `true`, `false`, `null`: `start` is the index of the first letter, `length` the literal's length.
/// - every kind: `end` is the index (in tokens) of the first token after this whole value.
public struct JSONToken: Sendable, Equatable {
    /// String flag: the raw content contains at least one backslash escape.
    @inlinable public static var hasEscapes: UInt8 { 1 << 0 }
    /// String flag: the raw content contains at least one byte >= 0x80 (validated UTF-8).
    @inlinable public static var nonASCII: UInt8 { 1 << 1 }
    /// Number flag: the literal has no '.', 'e' or 'E'.
    @inlinable public static var isInteger: UInt8 { 1 << 0 }

    /// What kind of value this token stands for.
    public var kind: JSONKind
    /// Kind-specific flags (see ``hasEscapes``, ``nonASCII``, ``isInteger``).
    public var flags: UInt8
    /// Byte offset of the value's content (see the type's documentation).
    public var start: UInt32
    /// Byte length (strings, numbers, literals) or member/element count (objects, arrays).
    public var length: UInt32
    /// Index of the first token after this whole value.
    public var end: UInt32

    /// Creates a token from its fields.
    @inlinable
    public init(kind: JSONKind, flags: UInt8, start: UInt32, length: UInt32, end: UInt32) {
        self.kind = kind
        self.flags = flags
        self.start = start
        self.length = length
        self.end = end
    }
}

/// A flat tape of ``JSONToken``s describing one parsed JSON document.
///
/// Object layout: `[object][key string][value...][key string][value...]...`; array: `[array][elem...]...`.
/// Token 0 is the root value. Reuse one tape across documents so parsing does not allocate.
public struct JSONTape: Sendable {
    /// The tokens in document order; token 0 is the root.
    public var tokens: ContiguousArray<JSONToken>

    /// Creates an empty tape.
    public init() {
        tokens = []
    }

    /// Creates an empty tape with room for `capacity` tokens.
    public init(reservingCapacity capacity: Int) {
        tokens = []
        tokens.reserveCapacity(capacity)
    }

    /// Removes all tokens, keeping the storage for reuse.
    public mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
    }

    /// The number of tokens.
    @inlinable
    public var count: Int { tokens.count }

    /// The token at index `i`.
    @inlinable
    public subscript(i: Int) -> JSONToken { tokens[i] }
}
