import Daicho

// Binary form of ProfileAggregates for snapshots. Versioned by the snapshot header that holds it.
//
// aggregates := first_seen:zigzag last_seen:zigzag* events:varint
//               channel_count:varint symbol:varint × channel_count
//               trait_count:varint trait × trait_count
//               sections:u8 (bit 0 web, 1 commerce, 2 support, 3 social) then each present section in that order
// trait      := key:varint at:zigzag* offset:varint value_tag:u8 (0 null, 1 false, 2 true, 3 int, 4 double,
//               5 string, 8 nested) body (int zigzag, double f64 LE, string/nested symbol varint)
// web        := page_views tracked_paths session_gap dwell_ms:zigzag last_at:zigzag* last_offset
//               last_path (symbol + 1, 0 = none) session_count (start:zigzag* length:varint) × n
//               path_count (symbol count) × n
// commerce   := first_at:zigzag* last_at:zigzag* order_count (order currency at:zigzag* offset amount:zigzag) × n
//               day_count (day:zigzag* amount:zigzag128) × n
// support    := inquiries complaints questions requests opinions open last_at:zigzag*
//               channel_count (symbol count) × n
// social     := mentions sentiment_count sentiment_sum:zigzag reach:zigzag last_at:zigzag*
//               platform_count (symbol count) × n
// Times marked * are stored as the wrapping difference from first_seen (sessions: each start from the previous
// one's, the first from first_seen; days: each from the previous one, the first from 0), so they take a few
// bytes instead of eight (snapshot format 9). Unmarked integers are varints. zigzag128 is the zigzag varint of a 128-bit integer: the same bytes as
// zigzag for every value that fits 64 bits, so snapshots written before day totals widened still read.
// Symbols are numbers of the process's SymbolTable, snapshotted beside.

/// Bytes that are not a serialized `ProfileAggregates`.
public struct ProfileSnapshotError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "corrupt profile aggregates: \(message)" }
}

@inline(__always) func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
@inline(__always) func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

/// Appends varints and fixed-width fields.
enum AggregateWriter {
    static func varint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
    static func signed(_ v: Int64, _ out: inout [UInt8]) { varint(zigzag(v), &out) }
    static func signed128(_ v: Int128, _ out: inout [UInt8]) {
        var u = UInt128(bitPattern: (v << 1) ^ (v >> 127))
        while u >= 0x80 { out.append(UInt8(truncatingIfNeeded: u) | 0x80); u >>= 7 }
        out.append(UInt8(truncatingIfNeeded: u))
    }
    static func fixed64(_ v: UInt64, _ out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

/// A bounds-checked cursor over serialized aggregates.
struct AggregateReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    /// Maps each symbol number read to the one returned (a subset of a snapshot restored into a table of its own,
    /// CheckpointCustomer.swift); nil reads them as stored.
    var symbolMap: ((UInt32) -> UInt32)?

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) { self.bytes = bytes; self.position = position }

    mutating func byte() throws(ProfileSnapshotError) -> UInt8 {
        guard position < bytes.count else { throw ProfileSnapshotError(message: "truncated at byte \(position)") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(ProfileSnapshotError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ProfileSnapshotError(message: "varint too long at byte \(position)") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    mutating func signed() throws(ProfileSnapshotError) -> Int64 { unzigzag(try varint()) }

    mutating func signed128() throws(ProfileSnapshotError) -> Int128 {
        var u: UInt128 = 0
        var shift = 0
        while true {
            let b = try byte()
            guard shift < 128 else { throw ProfileSnapshotError(message: "varint too long at byte \(position)") }
            u |= UInt128(b & 0x7F) << shift
            if b < 0x80 { return Int128(bitPattern: u >> 1) ^ -Int128(bitPattern: u & 1) }
            shift += 7
        }
    }

    mutating func u32() throws(ProfileSnapshotError) -> UInt32 {
        let v = try varint()
        guard v <= UInt64(UInt32.max) else { throw ProfileSnapshotError(message: "value \(v) too large at byte \(position)") }
        return UInt32(v)
    }

    mutating func symbol() throws(ProfileSnapshotError) -> Symbol {
        let raw = try u32()
        return Symbol(raw: symbolMap.map { $0(raw) } ?? raw)
    }

    mutating func fixed64() throws(ProfileSnapshotError) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(try byte()) << (8 * UInt64(i)) }
        return v
    }

    /// An element count, checked against the bytes left (each element takes at least one byte).
    mutating func count() throws(ProfileSnapshotError) -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.count - position) else { throw ProfileSnapshotError(message: "count \(n) exceeds the bytes left") }
        return Int(n)
    }

    mutating func string() throws(ProfileSnapshotError) -> String {
        let n = try count()
        defer { position += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)]), as: UTF8.self)
    }

    mutating func symbolCounts() throws(ProfileSnapshotError) -> ContiguousArray<SymbolCount> {
        let n = try count()
        var a = ContiguousArray<SymbolCount>()
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(SymbolCount(symbol: try symbol(), count: try u32())) }
        try checkAscending(a.lazy.map(\.symbol))
        return a
    }

    func checkAscending<S: Sequence>(_ s: S) throws(ProfileSnapshotError) where S.Element: Comparable {
        var previous: S.Element?
        for x in s {
            if let p = previous, !(p < x) { throw ProfileSnapshotError(message: "entries out of order before byte \(position)") }
            previous = x
        }
    }
}

extension ProfileAggregates {
    /// Appends the binary form (format in the header comment of this file).
    public func serialize(into out: inout [UInt8]) {
        typealias W = AggregateWriter
        let base = firstSeen
        func time(_ t: Int64) { W.signed(t &- base, &out) }
        W.signed(firstSeen, &out); time(lastSeen); W.varint(UInt64(eventCount), &out)
        W.varint(UInt64(channels.count), &out)
        for c in channels { W.varint(UInt64(c.raw), &out) }
        W.varint(UInt64(traits.count), &out)
        for t in traits {
            W.varint(UInt64(t.key.raw), &out); time(t.at); W.varint(t.offset, &out)
            switch t.value {
            case .null: out.append(0)
            case .bool(let b): out.append(b ? 2 : 1)
            case .int(let i): out.append(3); W.signed(i, &out)
            case .double(let d): out.append(4); W.fixed64(d.bitPattern, &out)
            case .string(let s): out.append(5); W.varint(UInt64(s.raw), &out)
            case .nested(let s): out.append(8); W.varint(UInt64(s.raw), &out)
            }
        }
        let flags: UInt8 = (web != nil ? 1 : 0) | (commerce != nil ? 2 : 0) | (support != nil ? 4 : 0) | (social != nil ? 8 : 0)
        out.append(flags)
        func counts(_ a: ContiguousArray<SymbolCount>) {
            W.varint(UInt64(a.count), &out)
            for e in a { W.varint(UInt64(e.symbol.raw), &out); W.varint(UInt64(e.count), &out) }
        }
        if let w = web?.value {
            W.varint(UInt64(w.pageViews), &out); W.varint(UInt64(w.trackedPaths), &out); W.signed(w.sessionGap, &out)
            W.signed(w.dwellMs, &out); time(w.lastAt); W.varint(w.lastOffset, &out)
            W.varint(w.lastPath.map { UInt64($0.raw) + 1 } ?? 0, &out)
            W.varint(UInt64(w.sessions.count), &out)
            var previous = base
            for s in w.sessions {
                W.signed(s.start &- previous, &out); W.varint(UInt64(bitPattern: s.end &- s.start), &out)
                previous = s.start
            }
            counts(w.paths)
        }
        if let c = commerce?.value {
            time(c.firstAt); time(c.lastAt)
            W.varint(UInt64(c.orders.count), &out)
            for o in c.orders {
                W.varint(UInt64(o.order.raw), &out); W.varint(UInt64(o.currency.raw), &out)
                time(o.at); W.varint(o.offset, &out); W.signed(o.amount, &out)
            }
            W.varint(UInt64(c.days.count), &out)
            var previousDay: Int64 = 0
            for d in c.days {
                W.signed(Int64(d.day) - previousDay, &out); W.signed128(d.amount, &out)
                previousDay = Int64(d.day)
            }
        }
        if let s = support?.value {
            for n in [s.inquiries, s.complaints, s.questions, s.requests, s.opinions, s.open] { W.varint(UInt64(n), &out) }
            time(s.lastAt)
            counts(s.byChannel)
        }
        if let s = social?.value {
            W.varint(UInt64(s.mentions), &out); W.varint(UInt64(s.sentimentCount), &out)
            W.signed(s.sentimentSum, &out); W.signed(s.reach, &out); time(s.lastAt)
            counts(s.byPlatform)
        }
    }

    /// Reads aggregates written by `serialize(into:)` starting at `position`, and moves `position` past them.
    /// - Throws: `ProfileSnapshotError` when the bytes are truncated or malformed.
    /// - Parameter symbols: maps the symbol numbers read (nil: as stored).
    public static func deserialize(_ bytes: UnsafeRawBufferPointer, at position: inout Int,
                                   symbols: ((UInt32) -> UInt32)? = nil) throws -> ProfileAggregates {
        var r = AggregateReader(bytes, at: position)
        r.symbolMap = symbols
        var p = ProfileAggregates()
        p.firstSeen = try r.signed()
        let base = p.firstSeen
        p.lastSeen = base &+ (try r.signed()); p.eventCount = try r.u32()
        let channelCount = try r.count()
        p.channels.reserveCapacity(channelCount)
        var previousChannel: Symbol?
        for _ in 0..<channelCount {
            let c = try r.symbol()
            if let previousChannel, !(previousChannel < c) {
                throw ProfileSnapshotError(message: "entries out of order before byte \(r.position)")
            }
            _ = p.channels.insert(c)
            previousChannel = c
        }
        let traitCount = try r.count()
        p.traits.reserveCapacity(traitCount)
        for _ in 0..<traitCount {
            let key = try r.symbol(), at = base &+ (try r.signed()), offset = try r.varint()
            let tag = try r.byte()
            let value: TraitValue
            switch tag {
            case 0: value = .null
            case 1: value = .bool(false)
            case 2: value = .bool(true)
            case 3: value = .int(try r.signed())
            case 4: value = .double(Double(bitPattern: try r.fixed64()))
            case 5: value = .string(try r.symbol())
            case 8: value = .nested(try r.symbol())
            default: throw ProfileSnapshotError(message: "unknown trait value tag \(tag)")
            }
            p.traits.append(TraitEntry(key: key, value: value, at: at, offset: offset))
        }
        try r.checkAscending(p.traits.lazy.map(\.key))
        let flags = try r.byte()
        guard flags & ~0x0F == 0 else { throw ProfileSnapshotError(message: "unknown section flags \(flags)") }
        if flags & 1 != 0 {
            let pageViews = try r.u32(), tracked = try r.u32(), gap = try r.signed()
            guard tracked > 0 else { throw ProfileSnapshotError(message: "zero tracked paths") }
            var w = WebSection(trackedPaths: Int(tracked), sessionGap: gap)
            w.pageViews = pageViews
            w.dwellMs = try r.signed(); w.lastAt = base &+ (try r.signed()); w.lastOffset = try r.varint()
            let lastPath = try r.u32()
            w.lastPath = lastPath == 0 ? nil : Symbol(raw: r.symbolMap.map { $0(lastPath - 1) } ?? lastPath - 1)
            let n = try r.count()
            w.sessions.reserveCapacity(n)
            var previous = base
            for _ in 0..<n {
                let start = previous &+ (try r.signed())
                w.sessions.append(Session(start: start, end: start &+ Int64(bitPattern: try r.varint())))
                previous = start
            }
            try r.checkAscending(w.sessions.lazy.map(\.start))
            w.paths = try r.symbolCounts()
            p.web = SectionBox(w)
        }
        if flags & 2 != 0 {
            var c = CommerceSection()
            c.firstAt = base &+ (try r.signed()); c.lastAt = base &+ (try r.signed())
            let n = try r.count()
            c.orders.reserveCapacity(n)
            for _ in 0..<n {
                c.orders.append(OrderEntry(order: try r.symbol(), currency: try r.symbol(), at: base &+ (try r.signed()),
                                           offset: try r.varint(), amount: try r.signed()))
            }
            try r.checkAscending(c.orders.lazy.map(\.order))
            let d = try r.count()
            c.days.reserveCapacity(d)
            var previousDay: Int64 = 0
            for _ in 0..<d {
                let day = previousDay &+ (try r.signed())
                previousDay = day
                guard let day32 = Int32(exactly: day) else { throw ProfileSnapshotError(message: "day \(day) out of range") }
                c.days.append(DayTotal(day: day32, amount: try r.signed128()))
            }
            try r.checkAscending(c.days.lazy.map(\.day))
            p.commerce = SectionBox(c)
        }
        if flags & 4 != 0 {
            var s = SupportSection()
            s.inquiries = try r.u32(); s.complaints = try r.u32(); s.questions = try r.u32()
            s.requests = try r.u32(); s.opinions = try r.u32(); s.open = try r.u32()
            s.lastAt = base &+ (try r.signed())
            s.byChannel = try r.symbolCounts()
            p.support = SectionBox(s)
        }
        if flags & 8 != 0 {
            var s = SocialSection()
            s.mentions = try r.u32(); s.sentimentCount = try r.u32()
            s.sentimentSum = try r.signed(); s.reach = try r.signed(); s.lastAt = base &+ (try r.signed())
            s.byPlatform = try r.symbolCounts()
            p.social = SectionBox(s)
        }
        position = r.position
        return p
    }
}
