import Daicho
import DaichoProjections

/// One customer as of a time, read from a data directory as `daicho profile --as-of` and `daicho timeline --as-of`
/// read it (docs/profile.md "One customer as of a time"): the customer's view from the newest as-of checkpoint
/// (`CheckpointCustomer`) when it can answer, else the whole as-of view (`ProjectionLoader`, and `SegmentLoader`
/// when memberships are asked for and the log defines segments). Read-only: it writes no snapshot and takes no
/// lock, so it runs beside the directory's writer (`daicho serve`).
public struct AsOfCustomer {
    /// The as-of view the customer was found in.
    public let profiles: ProfileProjection
    /// The customer's profile in `profiles`.
    public let profile: UInt32
    /// The segments as of the time, when memberships were asked for and the log defines segments.
    public let segments: SegmentProjection?
    /// A reader of the log the view was built from (for the customer's events).
    public let reader: EventReader
    /// The time.
    public let asOf: Int64

    /// Finds the customer `key` as of `asOf` (µs since the epoch).
    /// - Parameters:
    ///   - withSegments: whether the answer needs the memberships (a profile does, a timeline does not).
    ///   - notice: told why a checkpoint or snapshot was passed over (the answer is exact either way).
    /// - Returns: nil when no profile matches as of that time.
    /// - Throws: `StoreError` when the log cannot be read; the loaders' errors.
    public static func find(_ dir: DataDirectory, key: CustomerKey, asOf: Int64, withSegments: Bool,
                            notice: (String) -> Void = { _ in }) throws -> AsOfCustomer? {
        let settings = try ProjectionSettings.load(dir)
        let reader = try EventReader(dir)
        do {
            if case .answered(let projection, let p) = try CheckpointCustomer.view(dir, settings: settings, asOf: asOf, key: key,
                                                                                  reader: reader, withSegments: withSegments) {
                return p.map { AsOfCustomer(profiles: projection, profile: $0, segments: nil, reader: reader, asOf: asOf) }
            }
        } catch let error as SnapshotError {
            notice("\(error); reading the whole as-of view instead")
        }
        let (loaded, loadedReader, why) = try ProjectionLoader.load(dir, asOf: asOf)
        if let why { notice(why) }
        var segments: SegmentProjection?
        var profiles = loaded
        if withSegments && loaded.internalEvents > 0 {
            let (s, _) = try SegmentLoader.load(dir, asOf: asOf, settings: settings)
            if let why = s.notice { notice(why) }
            segments = s
            profiles = s.profiles
        }
        guard let p = key.find(in: profiles) else { return nil }
        return AsOfCustomer(profiles: profiles, profile: p, segments: segments, reader: loadedReader, asOf: asOf)
    }

    /// The profile JSON of docs/profile.md as of the time, with `segments`: the memberships then and when each began.
    public var json: JSONValue {
        SegmentProjection.profileJSON(profiles.json(of: profile, now: asOf), memberships: segments?.memberships(of: profile) ?? [])
    }

    /// The customer's events up to the time, newest first (by event time, then offset): `daicho timeline --as-of`.
    public func events(limit: Int? = nil, types: Set<EventType>? = nil) throws -> [(UInt64, Event)] {
        try Timeline.events(of: profile, in: profiles, reader: reader, limit: limit, types: types)
    }
}
