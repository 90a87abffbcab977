import Daicho
import DaichoLog

// MARK: - Integrator: register Daicho's own benchmarks here.
//
// Nothing is registered yet: Daicho's ingest and read paths do not exist in this branch.
// Add one `h.add` per benchmark, for example:
//
//   h.add("ingest", unit: "events/s", target: 1_000_000, versus: "duckdb load",
//         setup: { /* fresh data dir, untimed */ },
//         body: { /* append workload.path; return events accepted */ })
//
// The body is timed (one warm-up, then --runs runs); it returns the items it processed and the
// table shows items/s at the median. `scale: 1e-6` turns bytes/s into MB/s. Sizes and ratios
// (data directory vs `zstd -3` of the file) go in `h.addFact(name, unit:) { ... }`.

/// Registers Daicho's ingest and read benchmarks over `workload` (none yet; see above).
/// - Parameters:
///   - h: The harness to register with.
///   - workload: The cached NDJSON workload file and its counts.
func registerDaichoBenchmarks(_ h: inout Harness, workload: Workload) {
}
