import Daicho

/// Which customer a one-customer query asks for: what `daicho profile`'s selectors and the server's
/// `/v1/profiles/{selector}` name.
public enum CustomerKey: Sendable, Equatable {
    /// A profile id (`p-` and 16 hex digits), its own or one it absorbed.
    case id(String)
    /// An identifier as the producer wrote it (normalized as ingest does).
    case identifier(IdentifierKind, String)

    /// The living profile selected in `projection` (an absorbed id resolves to its survivor), if any.
    public func find(in projection: ProfileProjection) -> UInt32? {
        switch self {
        case .id(let id): projection.graph.profile(id: id)
        case .identifier(let kind, let raw): projection.profile(kind: kind, raw: raw)
        }
    }

    /// The living profile selected in the snapshot `snapshot`, if any.
    /// - Throws: `SnapshotError` when a block it reads is damaged.
    public func find(in snapshot: SnapshotProfiles) throws(SnapshotError) -> UInt32? {
        switch self {
        case .id(let id): try snapshot.profile(id: id)
        case .identifier(let kind, let raw): try snapshot.profile(kind: kind, raw: raw)
        }
    }
}
