// The cost bounds of one rule, enforced when it is checked (docs/segments.md "Cost"). They bound the work an
// event can cause: each aggregate term is a filter evaluated per event of its type and a store per profile,
// each windowed term adds deadlines, each distinct prop a filter reads is a scan of the event's props, and
// every test is a step of each re-evaluation.

/// Limits on a single rule's size and cost.
public enum RuleLimits {
    /// Distinct aggregate terms (`count`/`sum`/`avg(…)` with different type, filter, prop or window).
    public static let maxTerms = 32
    /// Distinct aggregate terms with a `within` window.
    public static let maxWindowedTerms = 16
    /// Distinct event props read by the rule's filters and summed values (per event type).
    public static let maxFilterProps = 16
    /// Tests (comparisons, `in`, `contains`, `within`, `exists`), filters included.
    public static let maxTests = 256

    /// The advice every limit message ends with.
    static let advice = "combine alternatives with in [ … ] (count(page_view where path in [\"/a\", \"/b\"] within 7d)) or split the rule into several segments"
}
