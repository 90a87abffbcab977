import Foundation
import Testing
import Daicho
import DaichoJSON
@testable import DaichoProjections
import DaichoTestSupport

/// Lines numbered from `firstOffset` with offset steps of 10, each with a unique id and the given type and props.
private func lines(_ events: [(type: String, at: String, props: String)], firstOffset: UInt64 = 10) -> [LoggedLine] {
    events.enumerated().map { i, e in
        LoggedLine(line: "{\"id\":\"h\(firstOffset)-\(i)\",\"type\":\"\(e.type)\",\"at\":\"\(e.at)\",\"source\":\"web\"," +
                   "\"ids\":{\"user_id\":\"U-1\"},\"props\":\(e.props)}", offset: firstOffset + UInt64(i) * 10)
    }
}

private func member(_ members: [JSONMember], _ path: String...) -> JSONValue? {
    var value: JSONValue? = .object(members)
    for key in path { value = value?[key] }
    return value
}

private func micros(_ rfc3339: String) -> Int64 {
    var s = rfc3339
    return s.withUTF8 { RFC3339.parse(UnsafeRawBufferPointer($0))!.micros }
}

@Suite("Profile aggregates: hand-computed cases")
struct ProfileAggregatesTests {
    static let purchases = lines([
        ("purchase", "2026-03-01T10:00:00+09:00", #"{"order_id":"o1","amount":1000,"currency":"JPY"}"#),
        ("purchase", "2026-03-03T09:00:00+09:00", #"{"order_id":"o2","amount":500,"currency":"JPY"}"#),
        ("purchase", "2026-03-03T23:30:00+09:00", #"{"order_id":"o3","amount":700,"currency":"JPY"}"#),
        ("purchase", "2026-03-05T12:00:00+09:00", #"{"order_id":"o5","amount":20.5,"currency":"USD"}"#),
        ("purchase", "2026-03-08T01:00:00+09:00", #"{"order_id":"o4","amount":300,"currency":"JPY"}"#),
    ])

    /// In Asia/Tokyo the JPY purchases fall on Mar 1 (1000), Mar 3 (500 + 700 = 1200: two on one day) and Mar 8
    /// (300); the USD order is not an RFM transaction. lifetimes (freq="D"): frequency = 3 days − 1 = 2;
    /// recency = Mar 8 − Mar 1 = 7; T = Mar 14 (as of 2026-03-14T00:00Z = 09:00 JST) − Mar 1 = 13;
    /// monetary_value = mean(1200, 300) = 750 (the birth day Mar 1 dropped).
    @Test("RFM per lifetimes with two purchases on one day and one in another currency (Asia/Tokyo)")
    func rfmTokyo() throws {
        let config = ProfileConfig(businessTimeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let table = SymbolTable()
        var p = ProfileAggregates()
        try apply(Self.purchases.reversed(), to: &p, table: table, config: config)
        let m = p.members(asOf: micros("2026-03-14T00:00:00Z"), table: table, config: config)
        #expect(member(m, "commerce") == .object([
            JSONMember("orders", .int(5)),
            JSONMember("revenue", .object([JSONMember("JPY", .int(2500)), JSONMember("USD", .double(20.5))])),
            JSONMember("first_order_at", .string("2026-03-01T01:00:00Z")),
            JSONMember("last_order_at", .string("2026-03-07T16:00:00Z")),
            JSONMember("frequency", .int(2)), JSONMember("recency_days", .int(7)),
            JSONMember("age_days", .int(13)), JSONMember("monetary", .int(750)),
        ]))
    }

    /// In UTC the last purchase (2026-03-07T16:00Z) falls on Mar 7: days Mar 1 (1000), Mar 3 (00:00Z and 14:30Z:
    /// 1200), Mar 7 (300). frequency 2, recency 6, T 13, monetary (1200 + 300) / 2 = 750.
    /// With a 1001 JPY purchase added on Mar 7, monetary is (1200 + 1301) / 2 = 1250.5.
    @Test("RFM day boundaries follow the business time zone (UTC)")
    func rfmUTC() throws {
        let config = ProfileConfig()
        let table = SymbolTable()
        var p = ProfileAggregates()
        try apply(Self.purchases, to: &p, table: table, config: config)
        let asOf = micros("2026-03-14T23:59:59Z")
        var m = p.members(asOf: asOf, table: table, config: config)
        #expect(member(m, "commerce", "frequency") == .int(2))
        #expect(member(m, "commerce", "recency_days") == .int(6))
        #expect(member(m, "commerce", "age_days") == .int(13))
        #expect(member(m, "commerce", "monetary") == .int(750))
        try apply(lines([("purchase", "2026-03-07T20:00:00Z", #"{"order_id":"o6","amount":1001,"currency":"JPY"}"#)],
                        firstOffset: 100), to: &p, table: table, config: config)
        m = p.members(asOf: asOf, table: table, config: config)
        #expect(member(m, "commerce", "frequency") == .int(2))
        #expect(member(m, "commerce", "monetary") == .double(1250.5))
    }

    @Test("A single purchase day has frequency 0 and monetary 0; no JPY purchase leaves RFM null")
    func rfmEdges() throws {
        let config = ProfileConfig()
        let table = SymbolTable()
        var usd = ProfileAggregates()
        try apply([Self.purchases[3]], to: &usd, table: table, config: config)
        let m = usd.members(asOf: micros("2026-03-14T00:00:00Z"), table: table, config: config)
        #expect(member(m, "commerce", "frequency") == .null)
        #expect(member(m, "commerce", "monetary") == .null)
        var one = ProfileAggregates()
        try apply(Array(Self.purchases[1...2]), to: &one, table: table, config: config)
        let n = one.members(asOf: micros("2026-03-14T00:00:00Z"), table: table, config: config)
        #expect(member(n, "commerce", "frequency") == .int(0))
        #expect(member(n, "commerce", "recency_days") == .int(0))
        #expect(member(n, "commerce", "age_days") == .int(11))
        #expect(member(n, "commerce", "monetary") == .int(0))
    }

    @Test("Revenue counts each order once, at the amount of its latest event")
    func revenueLatestEventPerOrder() throws {
        let config = ProfileConfig()
        let table = SymbolTable()
        var p = ProfileAggregates()
        // The correction (later at) arrives first; the original arrives late and must not overwrite it.
        try apply(lines([("purchase", "2026-03-02T00:00:00Z", #"{"order_id":"o1","amount":800,"currency":"JPY"}"#)], firstOffset: 50),
                  to: &p, table: table, config: config)
        try apply(lines([("purchase", "2026-03-01T00:00:00Z", #"{"order_id":"o1","amount":1000,"currency":"JPY"}"#)], firstOffset: 10),
                  to: &p, table: table, config: config)
        let m = p.members(asOf: 0, table: table, config: config)
        #expect(member(m, "commerce", "orders") == .int(1))
        #expect(member(m, "commerce", "revenue") == .object([JSONMember("JPY", .int(800))]))
    }

    @Test("Late page views join two sessions, extend one, or add one")
    func lateSessions() throws {
        let config = ProfileConfig() // 30-minute gap
        let table = SymbolTable()
        var p = ProfileAggregates()
        func view(_ time: String, _ offset: UInt64) throws -> [Session] {
            try apply(lines([("page_view", "2026-03-01T\(time):00Z", #"{"path":"/"}"#)], firstOffset: offset),
                      to: &p, table: table, config: config)
            return Array(p.web!.value.sessions)
        }
        func s(_ a: String, _ b: String) -> Session { Session(start: micros("2026-03-01T\(a):00Z"), end: micros("2026-03-01T\(b):00Z")) }
        #expect(try view("10:00", 10) == [s("10:00", "10:00")])
        #expect(try view("11:30", 20) == [s("10:00", "10:00"), s("11:30", "11:30")])
        #expect(try view("10:20", 30) == [s("10:00", "10:20"), s("11:30", "11:30")])
        // Extends the first by exactly the gap; 40 minutes still separate the sessions.
        #expect(try view("10:50", 40) == [s("10:00", "10:50"), s("11:30", "11:30")])
        // 15 and 25 minutes from its neighbours: joins both sessions.
        #expect(try view("11:05", 50) == [s("10:00", "11:30")])
        // Well before: adds a session; inside one: changes nothing.
        #expect(try view("08:00", 60) == [s("08:00", "08:00"), s("10:00", "11:30")])
        #expect(try view("10:10", 70) == [s("08:00", "08:00"), s("10:00", "11:30")])
        // Late and just after the earlier session's end: extends it backwards-in-arrival.
        #expect(try view("08:30", 80) == [s("08:00", "08:30"), s("10:00", "11:30")])
        let m = p.members(asOf: 0, table: table, config: config)
        #expect(member(m, "web", "sessions") == .int(2))
        #expect(member(m, "web", "page_views") == .int(8))
    }

    @Test("A late identify does not overwrite a newer trait value; same-time ties go to the higher offset")
    func lateIdentify() throws {
        let config = ProfileConfig()
        let table = SymbolTable()
        var p = ProfileAggregates()
        try apply(lines([("identify", "2026-03-02T00:00:00Z", #"{"traits":{"name":"Sato","tags":["a",{"b":1.5}]}}"#)], firstOffset: 20),
                  to: &p, table: table, config: config)
        try apply(lines([("identify", "2026-03-01T00:00:00Z", #"{"traits":{"name":"Suzuki","plan":"gold","tags":null}}"#)], firstOffset: 40),
                  to: &p, table: table, config: config)
        var traits = member(p.members(asOf: 0, table: table, config: config), "traits")
        #expect(traits == .object([JSONMember("name", .string("Sato")), JSONMember("plan", .string("gold")),
                                   JSONMember("tags", .array([.string("a"), .object([JSONMember("b", .double(1.5))])]))]))
        try apply(lines([("identify", "2026-03-02T00:00:00Z", #"{"traits":{"name":"Tanaka"}}"#)], firstOffset: 10),
                  to: &p, table: table, config: config)
        traits = member(p.members(asOf: 0, table: table, config: config), "traits")
        #expect(traits?["name"] == .string("Sato"))
        try apply(lines([("identify", "2026-03-02T00:00:00Z", #"{"traits":{"name":"Kato","age":41,"vip":true}}"#)], firstOffset: 30),
                  to: &p, table: table, config: config)
        traits = member(p.members(asOf: 0, table: table, config: config), "traits")
        #expect(traits?["name"] == .string("Kato"))
        #expect(traits?["age"] == .int(41))
        #expect(traits?["vip"] == .bool(true))
    }

    @Test("Beyond trackedPaths distinct paths, Space-Saving keeps the heavy path with a bounded over-count")
    func spaceSavingPaths() throws {
        let config = ProfileConfig(topPaths: 2, trackedPaths: 4)
        let table = SymbolTable()
        var p = ProfileAggregates()
        var events: [(type: String, at: String, props: String)] = []
        for i in 0..<30 {
            let path = i % 3 == 0 ? "/hot" : "/cold-\(i)"
            events.append(("page_view", "2026-03-01T10:\(String(format: "%02d", i)):00Z", "{\"path\":\"\(path)\"}"))
        }
        try apply(lines(events), to: &p, table: table, config: config)
        #expect(p.web!.value.paths.count == 4)
        let top = member(p.members(asOf: 0, table: table, config: config), "web", "top_paths")
        guard case .array(let entries)? = top, case .object(let first)? = entries.first, case .int(let count) = first[1].value else {
            Issue.record("no top_paths"); return
        }
        #expect(first[0].value == .string("/hot"))
        // True count 10; Space-Saving never under-counts and over-counts by at most the minimum tracked count.
        let minimum = p.web!.value.paths.map(\.count).min()!
        #expect(count >= 10 && count <= 10 + Int64(minimum))
    }

    @Test("Serialize then deserialize gives equal aggregates; every cut is an error")
    func serializationRoundTrip() throws {
        var g = SeededGenerator(seed: 42)
        let config = ProfileConfig(businessTimeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let table = SymbolTable()
        var profiles = [ProfileAggregates()]
        for _ in 0..<30 {
            var p = ProfileAggregates()
            try apply(randomLines(count: Int.random(in: 1...40, using: &g), using: &g), to: &p, table: table, config: config)
            profiles.append(p)
        }
        var bytes: [UInt8] = []
        for p in profiles { p.serialize(into: &bytes) }
        let (decoded, position) = try bytes.withUnsafeBytes { raw throws -> ([ProfileAggregates], Int) in
            var position = 0
            var decoded: [ProfileAggregates] = []
            for _ in profiles { decoded.append(try ProfileAggregates.deserialize(raw, at: &position)) }
            return (decoded, position)
        }
        #expect(decoded == profiles)
        #expect(position == bytes.count)
        var one: [UInt8] = []
        profiles[1].serialize(into: &one)
        for cut in 0..<one.count {
            one.withUnsafeBytes { raw in
                var position = 0
                #expect(throws: ProfileSnapshotError.self) {
                    _ = try ProfileAggregates.deserialize(UnsafeRawBufferPointer(rebasing: raw[0..<cut]), at: &position)
                }
            }
        }
    }

    @Test("The literal key refs of the hot path equal the static table's")
    func literalKeyRefs() {
        let pairs: [(UInt32, String)] = [
            (Key.path, "path"), (Key.dwellMs, "dwell_ms"), (Key.orderID, "order_id"), (Key.amount, "amount"),
            (Key.currency, "currency"), (Key.channel, "channel"), (Key.category, "category"), (Key.status, "status"),
            (Key.platform, "platform"), (Key.sentiment, "sentiment"), (Key.reach, "reach"), (Key.traits, "traits"),
            (Key.complaint, "complaint"), (Key.question, "question"), (Key.request, "request"), (Key.opinion, "opinion"),
            (Key.open, "open"), (Key.pending, "pending"),
        ]
        for (ref, name) in pairs { #expect(ref == StaticStrings.ref(name), "\(name)") }
    }

    @Test("A profile of five page views stays under 512 bytes")
    func memoryOfSmallProfile() throws {
        let config = ProfileConfig()
        let table = SymbolTable()
        var p = ProfileAggregates()
        try apply(lines((0..<5).map { i in ("page_view", "2026-03-0\(1 + i % 2)T10:0\(i):00Z", "{\"path\":\"/items/\(i)\",\"dwell_ms\":1200}") }),
                  to: &p, table: table, config: config)
        #expect(p.memoryBytes < 512)
    }
}
