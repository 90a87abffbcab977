import Foundation
import Testing
@testable import Daicho

/// The short-string index must give exactly the static table's refs and nothing else.
@Suite struct ShortStaticIndexTests {
    @Test func everyStaticStringFindsItsRef() {
        let index = ShortStaticIndex()
        for (ref, s) in StaticStrings.utf8.enumerated() where !s.isEmpty {
            #expect(s.withUnsafeBytes { index.ref($0) } == UInt32(ref), "\(StaticStrings.table[ref])")
        }
    }

    @Test func nearMissesAreNotStatic() {
        let index = ShortStaticIndex()
        var random = SeededGenerator(seed: 11)
        for s in StaticStrings.utf8 where !s.isEmpty {
            var variants: [[UInt8]] = [Array(s.dropLast()), s + [0x20], [0x20] + s, s + [0]]
            var flipped = s
            let at = Int(random.next() % UInt64(s.count))
            flipped[at] ^= 1 << UInt8(random.next() % 7)
            variants.append(flipped)
            for v in variants where !StaticStrings.utf8.contains(v) {
                #expect(v.withUnsafeBytes { index.ref($0) } == nil, "\(v)")
            }
        }
        #expect([UInt8]().withUnsafeBytes { index.ref($0) } == nil)
        #expect(Array("add_to_cart_add_to_cart".utf8).withUnsafeBytes { index.ref($0) } == nil)
    }

    @Test func theInternerStillGivesStaticRefsAndFreshDynamicOnes() {
        var interner = StringInterner()
        #expect(Array("url".utf8).withUnsafeBytes { interner.ref(for: $0) } == StaticStrings.url)
        let first = Array("not-a-static-string".utf8).withUnsafeBytes { interner.ref(for: $0) }
        let again = Array("not-a-static-string".utf8).withUnsafeBytes { interner.ref(for: $0) }
        #expect(first == StaticStrings.count && again == first)
        #expect(Array("url ".utf8).withUnsafeBytes { interner.ref(for: $0) } == StaticStrings.count + 1)
    }
}
