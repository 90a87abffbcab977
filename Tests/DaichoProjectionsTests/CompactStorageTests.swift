import Testing
@testable import DaichoProjections
import DaichoTestSupport

// The compact per-profile storage of issue 9 (docs/benchmarks.md "Memory per profile, issue 9"): the inline
// channel list against a sorted set, and the layouts and growth the memory budget relies on.

@Suite struct CompactStorageTests {
    /// Random inserts in random orders: the list always equals the sorted distinct symbols inserted, reports
    /// exactly the new ones, and holds no heap storage while it has one channel.
    @Test func theChannelListIsASortedSet() {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            var list = ChannelList()
            var reference = Set<UInt32>()
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let s = UInt32.random(in: 0..<20, using: &rng)
                #expect(list.insert(Symbol(raw: s)) == reference.insert(s).inserted)
                #expect(list.map(\.raw) == reference.sorted())
                #expect((list.heapBytes == 0) == (reference.count <= 1))
            }
            for s in 0..<UInt32(20) { #expect(list.contains(Symbol(raw: s)) == reference.contains(s)) }
        }
    }

    /// Two lists built from the same channels in different orders are equal (aggregates compare by value).
    @Test func equalChannelSetsAreEqualLists() {
        var a = ChannelList(), b = ChannelList()
        for s in [5, 1, 9, 3] as [UInt32] { _ = a.insert(Symbol(raw: s)) }
        for s in [9, 3, 1, 5, 1] as [UInt32] { _ = b.insert(Symbol(raw: s)) }
        #expect(a == b)
        #expect(Array(a) == [1, 3, 5, 9].map { Symbol(raw: $0) })
    }

    /// The layouts the per-profile budget is computed with: a trait entry fills its value's padding, and the
    /// aggregates' event count fills the channel list's tail.
    @Test func perProfileLayoutsStayCompact() {
        #expect(MemoryLayout<TraitEntry>.stride == 32)
        #expect(MemoryLayout<ProfileAggregates>.stride == 72)
    }

    /// A profile's traits take exactly the room of their entries (no doubling slack), and keep their order.
    @Test func traitsGrowToTheirExactCount() {
        var traits = ContiguousArray<TraitEntry>()
        for k in [7, 2, 5, 1, 9] as [UInt32] {
            traits.set(TraitEntry(key: Symbol(raw: k), value: .int(Int64(k)), at: 1, offset: UInt64(k)))
        }
        #expect(traits.map(\.key.raw) == [1, 2, 5, 7, 9])
        #expect(traits.capacity == 5)
    }

    /// A column grown one element at a time holds at most half again its count (plus the first 16).
    @Test func columnsGrowByHalf() {
        let column = Column<UInt64>()
        for i in 0..<20_000 {
            column.append(UInt64(i))
            #expect(column.capacity <= max(16, column.count + column.count / 2))
        }
        #expect(column.buffer.elementsEqual(0..<20_000))
    }
}
