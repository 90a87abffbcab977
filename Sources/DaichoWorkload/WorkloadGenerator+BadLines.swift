/// Lines the ingest must reject, one of four faults picked at random.
extension WorkloadGenerator {
    /// Writes one invalid line: broken JSON (a valid line cut short), an unknown type,
    /// missing or empty ids, or an unparseable time.
    mutating func writeBadLine(into out: inout ByteSink) {
        let fault = rng.below(4)
        if fault == 0 {
            // A line cut off mid-write: always an unterminated object, sometimes mid UTF-8 sequence.
            let start = out.count
            writeEvent(into: &out, late: false)
            let length = out.count - start
            out.removeLast(length - rng.within(8...(length / 2)))
            out.append(UInt8(ascii: "\n"))
            return
        }
        let profile = CustomerProfile(index: nextCustomer().index, key: key)
        out.append(UInt8(ascii: "{"))
        putEventID(into: &out)
        out.put(",\"type\":\"")
        if fault == 1 {
            out.append(contentsOf: rng.pick(pools.unknownTypes))
        } else {
            out.put("page_view")
        }
        out.put("\",\"at\":\"")
        if fault == 3 {
            out.append(contentsOf: rng.pick(pools.badTimes))
        } else {
            out.putTimestamp(clock, style: .tokyoMillis)
        }
        out.put("\",\"source\":\"web\"")
        if fault == 2 {
            if rng.chance(0.5) { out.put(",\"ids\":{}") }
        } else {
            out.put(",\"ids\":{")
            putAnonymousID(profile, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.put(",\"props\":{\"url\":\"https://store.daicho.example/\",\"path\":\"/\"}}\n")
    }
}
