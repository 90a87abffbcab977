import Testing
@testable import Daicho

@Suite struct DedupSetTests {
    /// The fast set against Swift's Set as the reference model, through many growths.
    @Test func agreesWithSetOnSeededRandomFingerprints() {
        var rng = SeededGenerator(seed: 42)
        var fast = DedupSet(capacity: 4)
        var reference = Set<UInt64>()
        var pool: [UInt64] = [0, 1]
        for _ in 0..<200_000 {
            let f: UInt64 = Int.random(in: 0..<4, using: &rng) == 0 ? pool.randomElement(using: &rng)! : rng.next()
            pool.append(f)
            let expected = reference.insert(f == 0 ? 1 : f).inserted
            #expect(fast.insert(f) == expected)
        }
        #expect(fast.count == reference.count)
        for f in pool.prefix(1000) { #expect(fast.contains(f)) }
        #expect(!fast.contains(0xDEAD_BEEF_0000_0001))
    }

    @Test func staysWithinSixteenBytesPerFingerprint() {
        var rng = SeededGenerator(seed: 1)
        var set = DedupSet()
        for n in 1...300_000 {
            _ = set.insert(rng.next())
            if n > 1000 { #expect(set.memoryBytes <= 16 * n) }
        }
    }
}
