import Foundation

/// A deterministic generator of realistic customer touchpoint events as NDJSON lines.
///
/// The same ``WorkloadConfig`` always yields byte-identical output. Customers have heavy-tailed
/// activity (most have one to five events, a few have thousands); each browses anonymously, then
/// logs in with an identify event, then purchases, asks, posts and links identifiers, with the
/// identifier noise real sources produce (e-mail case and whitespace, four phone formats, handles
/// with and without "@"), family devices shared by two customers, re-sent duplicates, late events
/// and a few lines the ingest must reject. The event envelope is described in `docs/benchmarks.md`.
///
/// Lines are written as bytes from pre-escaped pools: no `String` is created per line.
public struct WorkloadGenerator {
    /// Version of the output format; bump it when the same config would produce different bytes.
    public static let version = 2

    /// What has been produced so far.
    public private(set) var stats = WorkloadStats()

    let config: WorkloadConfig
    let pools: Pools
    /// Seed-derived key mixed into every hash so different seeds give different identifiers.
    let key: UInt64
    var rng: Xoshiro256
    /// The event clock in microseconds since the Unix epoch: line k's on-time event lies in
    /// [start + k·step, start + (k+1)·step), so every event time is before `start + year` (``WorkloadConfig/end``).
    var clock: Int64
    /// The year divided evenly over the lines (at least 1 µs).
    let step: Int64
    /// Events emitted per customer so far, by activity rank (drives each customer's life cycle;
    /// indexed by rank so the busiest customers' counters share cache lines).
    var activity: ContiguousArray<UInt32>
    /// Scratch memory each line is written into before it is copied out.
    let scratch = Scratch(capacity: 16 << 10)
    /// Recent valid lines, the candidates for re-sent duplicates.
    var recent: ContiguousArray<[UInt8]>
    /// Number of lines ever stored in `recent`.
    var recentStored = 0
    /// Number of event ids handed out.
    var sequence: UInt64 = 0
    /// Customer activity follows weights 1/(rank + zipfOffset); `zipfLogSpan` is the log of the CDF range.
    let zipfOffset: Double
    let zipfLogSpan: Double
    /// Multiplier coprime with `customers` that scatters activity ranks over customer indices.
    let customerStride: Int
    /// A power of ten at least ten times `customers`: the range of the numbers in e-mails and handles.
    let idModulus: Int

    static let recentCapacity = 4096

    /// Creates a generator for `config`.
    /// - Parameter config: What to generate; `customers` must be in 1...100_000_000 and `events` >= 0.
    public init(_ config: WorkloadConfig) {
        precondition(config.events >= 0, "events must be >= 0")
        precondition((1...WorkloadConfig.maximumCustomers).contains(config.customers), "customers must be in 1...\(WorkloadConfig.maximumCustomers)")
        self.config = config
        pools = Pools.shared
        key = mix64(config.seed ^ 0x6461_6963_686F_5F77)  // "daicho_w"
        rng = Xoshiro256(seed: config.seed)
        clock = config.start
        step = max(1, WorkloadConfig.span / Int64(max(config.events, 1)))
        activity = ContiguousArray(repeating: 0, count: config.customers)
        recent = ContiguousArray(repeating: [], count: Self.recentCapacity)
        let n = Double(config.customers)
        zipfOffset = max(1, n / 500)
        zipfLogSpan = log((n + zipfOffset) / zipfOffset)
        var stride = 2_654_435_761 % config.customers
        while stride != 0 && gcd(stride, config.customers) != 1 { stride += 1 }
        customerStride = max(stride, 1)
        var modulus = 10
        while modulus < config.customers * 10 { modulus *= 10 }
        idModulus = modulus
    }

    /// Appends the next NDJSON line, with its trailing newline, to `out`.
    /// - Parameter out: The buffer to append to; existing bytes are kept.
    /// - Returns: `false`, appending nothing, once `config.events` lines have been produced.
    /// - Complexity: O(line length); no allocation once `out` and the duplicate ring have grown.
    public mutating func nextLine(into out: inout [UInt8]) -> Bool {
        guard stats.lines < config.events else { return false }
        let start = out.count
        let roll = rng.unit()
        if roll < config.duplicateRate && recentStored > 0 {
            let available = min(recentStored, Self.recentCapacity)
            out.append(contentsOf: recent[rng.below(available)])
            stats.duplicates += 1
        } else if roll >= config.duplicateRate && roll < config.duplicateRate + config.badLineRate {
            var sink = scratch.sink()
            writeBadLine(into: &sink)
            out.append(contentsOf: sink.written)
            stats.bad += 1
        } else {
            let late = rng.chance(config.lateRate)
            var sink = scratch.sink()
            writeEvent(into: &sink, late: late)
            out.append(contentsOf: sink.written)
            if late { stats.late += 1 }
            let slot = recentStored % Self.recentCapacity
            recent[slot].removeAll(keepingCapacity: true)
            recent[slot].append(contentsOf: sink.written)
            recentStored += 1
        }
        stats.lines += 1
        stats.bytes += out.count - start
        return true
    }

    /// The next customer: its activity rank (heavy-tailed) and its index (ranks scattered over indices).
    @inline(__always)
    mutating func nextCustomer() -> (rank: Int, index: Int) {
        let n = config.customers
        let rank = min(n - 1, Int(zipfOffset * exp(rng.unit() * zipfLogSpan) - zipfOffset))
        return (rank, (rank &* customerStride &+ Int(key % UInt64(n))) % n)
    }

    /// Advances the clock into this line's share of the year and returns an event time, hours or days behind the
    /// clock when `late`.
    @inline(__always)
    mutating func nextTime(late: Bool) -> Int64 {
        clock = config.start + step * Int64(stats.lines) + Int64(rng.below(Int(step)))
        guard late else { return clock }
        // Two steps back keeps a late event behind the previous on-time event (which lies in the step before).
        let lag = rng.chance(0.7)
            ? Int64(rng.within(3_600...172_800)) * 1_000_000
            : Int64(rng.within(2...30)) * 86_400_000_000
        return clock - 2 * step - lag
    }
}

/// Memory one line is written into; owned by the generator, reused for every line.
final class Scratch {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// An empty writer over the whole scratch memory.
    func sink() -> ByteSink { ByteSink(base: base, capacity: capacity) }
}

private func gcd(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
