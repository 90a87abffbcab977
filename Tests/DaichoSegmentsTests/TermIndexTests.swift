import Daicho
import Testing
@testable import DaichoSegments

/// The term index (docs/segments.md "Cost"): an event tries only the terms keyed by its props' values plus the
/// unkeyed ones, and misses no term whose filter it passes (reference: every term's `contribution`).
@Suite struct TermIndexTests {

    @Test func anEventTriesOnlyTheTermsItsPropsSelect() throws {
        // Forty segments' worth of keyed terms over paths and actions, a few terms without a key.
        var rules = (0..<40).map { i in
            (0..<16).map { j in "count(page_view where path == \"/p\(i)-\(j)\" within 7d) >= 1" }.joined(separator: " or ")
        }
        rules += ["count(page_view where action in [\"add_to_cart\", \"wishlist\"] and dwell_ms > 100) >= 1",
                  "count(page_view where \"/p3-4\" == path) >= 2",
                  "count(page_view where dwell_ms > 1000 within 1d) >= 1",
                  "count(page_view) >= 1",
                  "count(page_view where props.path == \"/p5-5\" or action == \"view\") >= 1"]
        var terms: [AggregateTerm] = []
        for rule in rules {
            for term in try CompiledRule(compiling: rule).terms where !terms.contains(term) { terms.append(term) }
        }
        var index = TermIndex()
        var scan = PropsScan()
        // Every term's props get slots (as the projection does), then the index adds the key props' slots.
        let slots = terms.map { $0.props.map { scan.slot(of: $0) } }
        for (id, term) in terms.enumerated() { index.add(id, term, scan: &scan) }
        #expect(index.unkeyed.count == 3)

        let lines = [
            #"{"id":"1","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"path":"/p3-4","dwell_ms":2000}}"#,
            #"{"id":"2","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"path":"/nowhere","action":"wishlist","dwell_ms":500}}"#,
            #"{"id":"3","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"path":"/p5-5","action":"view"}}"#,
            #"{"id":"4","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"path":"/x","action":"add_to_cart"}}"#,
            #"{"id":"5","type":"page_view","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"}}"#,
        ]
        var tried: [[Int]] = []
        try forEachEncodedEvent(lines) { e in
            var candidates: [Int] = []
            scan.read(e)
            index.forEachCandidate(scan.values) { candidates.append($0) }
            let matching = terms.indices.filter { terms[$0].contribution(of: e) != nil }
            // One pass over the props gives each term what its own read of the event gives.
            for (id, term) in terms.enumerated() {
                let scanned = term.contribution(ScannedPropsInputs(event: e, values: scan.values, slots: slots[id]))
                #expect(scanned == term.contribution(of: e), "event \(tried.count + 1), term \(id)")
            }
            #expect(Set(matching).isSubset(of: Set(candidates)), "event \(tried.count + 1) misses a term it feeds")
            #expect(candidates.count == Set(candidates).count, "a term tried twice")
            tried.append(candidates)
        }
        // 645 terms in all; each event tries the 3 unkeyed ones and those keyed by its path's or action's value.
        #expect(terms.count == 645)
        #expect(tried.map(\.count) == [3 + 2, 3 + 1, 3 + 1, 3 + 1, 3])
    }
}
