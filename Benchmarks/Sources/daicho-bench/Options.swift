import Foundation

/// Command-line options of `daicho-bench`.
struct Options {
    var events = 1_000_000
    var customers = 100_000
    var runs = 5
    var seed: UInt64 = 42
    var dir = "Benchmarks/data"
    var only: String?
    /// When set, the memory rows also build a projection of this many customers (3 events each).
    var memoryProfiles: Int?
    /// Customers of the log the segment backfill rows define segments over (2 events each).
    var backfillCustomers = 1_560_000
    /// Runs the scale report instead of the table (docs/benchmarks.md "Scale mode").
    var scale = false
    /// How many times larger the scale report's second workload is (events and customers).
    var scaleFactor = 10

    static let usage = """
        usage: daicho-bench [--events N] [--customers N] [--runs N] [--seed S] [--dir PATH] [--only NAME]
                           [--memory-profiles N] [--backfill-customers N] [--scale] [--scale-factor K]

          --events N      events in the workload file (default 1000000)
          --customers N   customers in the workload (default 100000)
          --runs N        timed runs per benchmark, after one warm-up (default 5)
          --seed S        workload seed (default 42)
          --dir PATH      where the workload file is cached (default Benchmarks/data)
          --only NAME     run only benchmarks whose name contains NAME
          --memory-profiles N  also report memory per component for a workload of N customers
                          (3N events; generated and ingested once, cached in --dir)
          --backfill-customers N  customers of the log the "define ... over" rows backfill segments over
                          (2N events; default 1560000: just over a million profiles; cached in --dir)
          --scale         instead of the table, measure the workload of --events/--customers and the one
                          --scale-factor times larger side by side (issue 9; each generated and ingested
                          once, cached in --dir; 7.5 GB of disk and about 5 min of CPU at the defaults)
          --scale-factor K  size ratio of the --scale workloads (default 10)
        """

    /// An option error: names the option and the bad value.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Thrown for `-h` / `--help`.
    struct HelpRequested: Error {}

    /// Parses `arguments` (without the program name).
    /// - Throws: ``Problem`` naming the unknown option, the missing value or the bad value;
    ///   ``HelpRequested`` for `--help`.
    init(parsing arguments: [String]) throws {
        var rest = arguments[...]
        func value(for option: String) throws -> String {
            guard let v = rest.popFirst() else { throw Problem(description: "missing value for \(option)") }
            return v
        }
        func count(_ text: String, for option: String, minimum: Int) throws -> Int {
            let cleaned = text.replacingOccurrences(of: "_", with: "")
            guard let n = Int(cleaned), n >= minimum else {
                throw Problem(description: "invalid value '\(text)' for \(option): expected an integer >= \(minimum)")
            }
            return n
        }
        while let option = rest.popFirst() {
            switch option {
            case "--events": events = try count(value(for: option), for: option, minimum: 1)
            case "--customers": customers = try count(value(for: option), for: option, minimum: 1)
            case "--runs": runs = try count(value(for: option), for: option, minimum: 1)
            case "--seed":
                let text = try value(for: option)
                guard let s = UInt64(text) else {
                    throw Problem(description: "invalid value '\(text)' for --seed: expected an unsigned integer")
                }
                seed = s
            case "--dir": dir = try value(for: option)
            case "--only": only = try value(for: option)
            case "--memory-profiles": memoryProfiles = try count(value(for: option), for: option, minimum: 1)
            case "--backfill-customers": backfillCustomers = try count(value(for: option), for: option, minimum: 1)
            case "--scale": scale = true
            case "--scale-factor": scaleFactor = try count(value(for: option), for: option, minimum: 2)
            case "-h", "--help": throw HelpRequested()
            default: throw Problem(description: "unknown option '\(option)'")
            }
        }
    }
}
