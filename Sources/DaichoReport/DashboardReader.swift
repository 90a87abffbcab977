// Reads the dashboard object's JSON (docs/console.md "The dashboard object") with DaichoJSON's tape parser.

import DaichoJSON

/// Field-by-field access to a parsed dashboard object; every failure names the path of the bad field.
struct DashboardReader {
    let tape: JSONTape
    let bytes: UnsafeRawBufferPointer

    /// Parses and checks `json`, one dashboard object.
    /// - Throws: ``ReportError`` for invalid JSON, a missing or mistyped field, or a per-day (per-week) array
    ///   whose length differs from `range.days` (`range.weeks`).
    static func read(_ json: [UInt8]) throws -> Dashboard {
        try json.withUnsafeBytes { bytes in
            var tape = JSONTape()
            do throws(JSONError) {
                try JSONParser().parse(bytes, into: &tape)
            } catch {
                throw ReportError(path: "", reason: "\(error)", cause: error)
            }
            return try DashboardReader(tape: tape, bytes: bytes).dashboard()
        }
    }

    func dashboard() throws -> Dashboard {
        guard tape[0].kind == .object else { throw ReportError(path: "", reason: "expected a JSON object") }
        let range = try self.range(member(0, "range", ""))
        let days = range.days.count, weeks = range.weeks.count
        return Dashboard(
            range: range, totals: try totals(member(0, "totals", "")),
            events: try events(member(0, "events", ""), days: days),
            revenue: try revenue(member(0, "revenue", ""), days: days),
            buyers: try buyers(member(0, "buyers", ""), days: days),
            rfm: try rfm(member(0, "rfm", "")),
            voc: try voc(member(0, "voc", ""), weeks: weeks),
            social: try social(member(0, "social", ""), weeks: weeks),
            identity: try identity(member(0, "identity", ""), days: days))
    }

    // MARK: Panels

    func range(_ i: Int) throws -> Dashboard.Range {
        let p = "range"
        let asOf = try optionalMember(i, "as_of", p)
        return Dashboard.Range(
            from: try string(member(i, "from", p), "\(p).from"), to: try string(member(i, "to", p), "\(p).to"),
            days: try array(member(i, "days", p), "\(p).days", read: date),
            weeks: try array(member(i, "weeks", p), "\(p).weeks", read: string),
            timeZone: try string(member(i, "time_zone", p), "\(p).time_zone"),
            asOf: try asOf.flatMap { tape[$0].kind == .null ? nil : try string($0, "\(p).as_of") })
    }

    func totals(_ i: Int) throws -> Dashboard.Totals {
        let p = "totals"
        return Dashboard.Totals(
            events: try int(member(i, "events", p), "\(p).events"),
            profiles: try int(member(i, "profiles", p), "\(p).profiles"),
            eventsInRange: try int(member(i, "events_in_range", p), "\(p).events_in_range"),
            logEndOffset: try int(member(i, "log_end_offset", p), "\(p).log_end_offset"))
    }

    func events(_ i: Int, days: Int) throws -> Dashboard.Events {
        let types = try array(member(i, "types", "events"), "events.types") { t, p in
            Dashboard.EventType(
                type: try string(member(t, "type", p), "\(p).type"),
                perDay: try array(member(t, "per_day", p), "\(p).per_day", length: .perDay(days), read: int),
                total: try int(member(t, "total", p), "\(p).total"))
        }
        return Dashboard.Events(types: types, reading: try reading(member(i, "reading", "events"), "events.reading"))
    }

    func revenue(_ i: Int, days: Int) throws -> Dashboard.Revenue {
        let currencies = try array(member(i, "currencies", "revenue"), "revenue.currencies") { c, p in
            let perDay = try array(member(c, "per_day", p), "\(p).per_day", length: .perDay(days), read: money)
            return Dashboard.Currency(
                currency: try string(member(c, "currency", p), "\(p).currency"),
                perDay: perDay,
                total: try money(member(c, "total", p), "\(p).total"),
                orders: try int(member(c, "orders", p), "\(p).orders"))
        }
        let bySource = try array(member(i, "by_source", "revenue"), "revenue.by_source") { s, p in
            Dashboard.SourceRow(
                currency: try string(member(s, "currency", p), "\(p).currency"),
                source: try string(member(s, "source", p), "\(p).source"),
                revenue: try money(member(s, "revenue", p), "\(p).revenue"),
                orders: try int(member(s, "orders", p), "\(p).orders"))
        }
        return Dashboard.Revenue(currencies: currencies, bySource: bySource,
                                 reading: try reading(member(i, "reading", "revenue"), "revenue.reading"))
    }

    func buyers(_ i: Int, days: Int) throws -> Dashboard.Buyers {
        let p = "buyers"
        return Dashboard.Buyers(
            newPerDay: try array(member(i, "new_per_day", p), "\(p).new_per_day", length: .perDay(days), read: int),
            returningPerDay: try array(member(i, "returning_per_day", p), "\(p).returning_per_day", length: .perDay(days),
                                       read: int),
            new: try int(member(i, "new", p), "\(p).new"),
            returning: try int(member(i, "returning", p), "\(p).returning"),
            returningShare: try double(member(i, "returning_share", p), "\(p).returning_share"),
            reading: try reading(member(i, "reading", p), "\(p).reading"))
    }

    func rfm(_ i: Int) throws -> Dashboard.RFM {
        let p = "rfm"
        let currency = try optionalMember(i, "currency", p)
        let cells = try array(member(i, "cells", p), "\(p).cells") { c, cp in
            let r = try int(member(c, "r", cp), "\(cp).r"), f = try int(member(c, "f", cp), "\(cp).f")
            guard (1...5).contains(r), (1...5).contains(f) else {
                throw ReportError(path: cp, reason: "r and f must be quintiles 1 to 5, found r \(r), f \(f)")
            }
            return Dashboard.RFMCell(r: Int(r), f: Int(f), customers: try int(member(c, "customers", cp), "\(cp).customers"),
                                     revenue: try money(member(c, "revenue", cp), "\(cp).revenue"))
        }
        return Dashboard.RFM(
            currency: try currency.flatMap { tape[$0].kind == .null ? nil : try string($0, "\(p).currency") },
            customers: try int(member(i, "customers", p), "\(p).customers"),
            recencyBounds: try array(member(i, "recency_bounds", p), "\(p).recency_bounds", length: .cutPoints, read: bound),
            frequencyBounds: try array(member(i, "frequency_bounds", p), "\(p).frequency_bounds", length: .cutPoints, read: bound),
            cells: cells, reading: try reading(member(i, "reading", p), "\(p).reading"))
    }

    func voc(_ i: Int, weeks: Int) throws -> Dashboard.VoC {
        let categories = try array(member(i, "categories", "voc"), "voc.categories") { c, p in
            Dashboard.Category(
                category: try string(member(c, "category", p), "\(p).category"),
                openedPerWeek: try array(member(c, "opened_per_week", p), "\(p).opened_per_week", length: .perWeek(weeks),
                                         read: int),
                closedPerWeek: try array(member(c, "closed_per_week", p), "\(p).closed_per_week", length: .perWeek(weeks),
                                         read: int),
                opened: try int(member(c, "opened", p), "\(p).opened"),
                closed: try int(member(c, "closed", p), "\(p).closed"))
        }
        return Dashboard.VoC(categories: categories, openAtEnd: try int(member(i, "open_at_end", "voc"), "voc.open_at_end"),
                             reading: try reading(member(i, "reading", "voc"), "voc.reading"))
    }

    func social(_ i: Int, weeks: Int) throws -> Dashboard.Social {
        let platforms = try array(member(i, "platforms", "social"), "social.platforms") { s, p in
            let sentiments = try array(member(s, "sentiment_per_week", p), "\(p).sentiment_per_week", length: .perWeek(weeks),
                                       read: nullableDouble)
            return Dashboard.Platform(
                platform: try string(member(s, "platform", p), "\(p).platform"),
                mentionsPerWeek: try array(member(s, "mentions_per_week", p), "\(p).mentions_per_week", length: .perWeek(weeks),
                                           read: int),
                sentimentPerWeek: sentiments,
                reachPerWeek: try array(member(s, "reach_per_week", p), "\(p).reach_per_week", length: .perWeek(weeks), read: int),
                mentions: try int(member(s, "mentions", p), "\(p).mentions"),
                sentiment: try nullableDouble(member(s, "sentiment", p), "\(p).sentiment"))
        }
        return Dashboard.Social(platforms: platforms, reading: try reading(member(i, "reading", "social"), "social.reading"))
    }

    func identity(_ i: Int, days: Int) throws -> Dashboard.Identity {
        let p = "identity"
        let kinds = try member(i, "profiles_by_kind", p)
        guard tape[kinds].kind == .object else {
            throw ReportError(path: "\(p).profiles_by_kind", reason: "expected an object, found \(tape[kinds].kind)")
        }
        var byKind: [(kind: String, profiles: Int64)] = []
        var k = kinds + 1
        for _ in 0..<tape[kinds].length {
            let name = tape.string(k, in: bytes)
            byKind.append((name, try int(k + 1, "\(p).profiles_by_kind.\(name)")))
            k = Int(tape[k + 1].end)
        }
        return Dashboard.Identity(
            mergesPerDay: try array(member(i, "merges_per_day", p), "\(p).merges_per_day", length: .perDay(days), read: int),
            refusedPerDay: try array(member(i, "refused_per_day", p), "\(p).refused_per_day", length: .perDay(days), read: int),
            newProfilesPerDay: try array(member(i, "new_profiles_per_day", p), "\(p).new_profiles_per_day", length: .perDay(days),
                                         read: int),
            merges: try int(member(i, "merges", p), "\(p).merges"),
            refused: try int(member(i, "refused", p), "\(p).refused"),
            newProfiles: try int(member(i, "new_profiles", p), "\(p).new_profiles"),
            profilesByKind: byKind, reading: try reading(member(i, "reading", p), "\(p).reading"))
    }

    func reading(_ i: Int, _ path: String) throws -> Dashboard.Reading {
        Dashboard.Reading(ja: try string(member(i, "ja", path), "\(path).ja"),
                          en: try string(member(i, "en", path), "\(path).en"))
    }

    // MARK: Values

    /// The value of `key` in object `object`, or nil when the key is missing.
    func optionalMember(_ object: Int, _ key: StaticString, _ path: String) throws -> Int? {
        guard tape[object].kind == .object else {
            throw ReportError(path: path, reason: "expected an object, found \(tape[object].kind)")
        }
        return tape.member(object, key, in: bytes)
    }

    /// The value of the required `key` in object `object`.
    func member(_ object: Int, _ key: StaticString, _ path: String) throws -> Int {
        guard let value = try optionalMember(object, key, path) else {
            throw ReportError(path: path.isEmpty ? "\(key)" : "\(path).\(key)", reason: "missing")
        }
        return value
    }

    /// The length an array must have, and what its error says when it has another.
    enum Length {
        /// One entry per day of `range.days` (that many days).
        case perDay(Int)
        /// One entry per week of `range.weeks` (that many weeks).
        case perWeek(Int)
        /// The four quintile cut points of an RFM axis.
        case cutPoints

        var count: Int {
            switch self {
            case .perDay(let n), .perWeek(let n): n
            case .cutPoints: 4
            }
        }

        func reason(found: Int) -> String {
            switch self {
            case .perDay(let n): "expected \(n) entries (one per day of range.days), found \(found)"
            case .perWeek(let n): "expected \(n) entries (one per week of range.weeks), found \(found)"
            case .cutPoints: "expected 4 cut points, found \(found)"
            }
        }
    }

    /// The elements of array `i`, each read by `read` from its token and its path (`path[k]`), after checking the
    /// array's length when `length` is given: what every array of the dashboard object is read with.
    func array<T>(_ i: Int, _ path: String, length: Length? = nil, read: (Int, String) throws -> T) throws -> [T] {
        guard tape[i].kind == .array else { throw ReportError(path: path, reason: "expected an array, found \(tape[i].kind)") }
        let count = Int(tape[i].length)
        if let length, count != length.count { throw ReportError(path: path, reason: length.reason(found: count)) }
        var out: [T] = []
        out.reserveCapacity(count)
        var k = i + 1
        for index in 0..<count {
            out.append(try read(k, "\(path)[\(index)]"))
            k = Int(tape[k].end)
        }
        return out
    }

    /// A quintile cut point: an integer or null.
    func bound(_ i: Int, _ path: String) throws -> Int64? {
        tape[i].kind == .null ? nil : try int(i, path)
    }

    func int(_ i: Int, _ path: String) throws -> Int64 {
        guard tape[i].kind == .number, let v = tape.int64(i, in: bytes) else {
            throw ReportError(path: path, reason: "expected an integer, found \(describe(i))")
        }
        return v
    }

    func double(_ i: Int, _ path: String) throws -> Double {
        guard tape[i].kind == .number, case let v = tape.double(i, in: bytes), v.isFinite else {
            throw ReportError(path: path, reason: "expected a finite number, found \(describe(i))")
        }
        return v
    }

    func nullableDouble(_ i: Int, _ path: String) throws -> Double? {
        tape[i].kind == .null ? nil : try double(i, path)
    }

    func string(_ i: Int, _ path: String) throws -> String {
        guard tape[i].kind == .string else { throw ReportError(path: path, reason: "expected a string, found \(describe(i))") }
        return tape.string(i, in: bytes)
    }

    /// A `YYYY-MM-DD` day (month 1–12, day 1–31).
    func date(_ i: Int, _ path: String) throws -> String {
        let text = try string(i, path)
        let p = Periods.parts(text)
        guard text.utf8.count == 10, (1...12).contains(p.month), (1...31).contains(p.day) else {
            throw ReportError(path: path, reason: "expected a day as YYYY-MM-DD, found \(describe(i))")
        }
        return text
    }

    func money(_ i: Int, _ path: String) throws -> Money {
        guard let m = Money(try string(i, path)) else {
            throw ReportError(path: path, reason: "expected an exact decimal amount such as \"19.99\", found \(describe(i))")
        }
        return m
    }

    /// A short description of token `i` for an error: its kind, and the text of a short string or number.
    func describe(_ i: Int) -> String {
        let t = tape[i]
        switch t.kind {
        case .string where t.length <= 40: return "the string \"\(tape.string(i, in: bytes))\""
        case .number where t.length <= 40:
            return "the number " + String(decoding: bytes[Int(t.start)..<Int(t.start + t.length)], as: UTF8.self)
        default: return "\(t.kind)"
        }
    }
}
