import DaichoWorkload
import Foundation

/// The benchmark workload: an NDJSON file generated once per configuration and cached.
struct Workload: Sendable {
    var config: WorkloadConfig
    /// The NDJSON file.
    var path: String
    /// What the file holds (lines, bytes, duplicates, late and bad lines).
    var stats: WorkloadStats

    /// Returns the cached workload file for `config` in `dir`, generating it first when missing.
    ///
    /// The file name carries the generator version and the configuration; a sidecar `.stats` file
    /// holds the counts. Both are written to temporary names and renamed, so an interrupted run
    /// never leaves a half-written file behind.
    /// - Throws: When the directory or the files cannot be created or read.
    static func prepare(_ config: WorkloadConfig, in dir: String) throws -> Workload {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let base = "\(dir)/workload-v\(WorkloadGenerator.version)-e\(config.events)-c\(config.customers)-s\(config.seed)-t\(config.start / 1_000_000)"
        let path = base + ".ndjson"
        let statsPath = base + ".stats"
        if FileManager.default.fileExists(atPath: path),
            let text = try? String(contentsOfFile: statsPath, encoding: .utf8),
            let stats = parseStats(text),
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == stats.bytes
        {
            print("using cached workload \(path)")
            return Workload(config: config, path: path, stats: stats)
        }
        print("generating workload \(path) (\(config.events) events, \(config.customers) customers)...")
        let stats = try WorkloadGenerator.write(config, toPath: path + ".tmp")
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        let text = "\(stats.lines) \(stats.bytes) \(stats.duplicates) \(stats.late) \(stats.bad)\n"
        try text.write(toFile: statsPath, atomically: true, encoding: .utf8)
        return Workload(config: config, path: path, stats: stats)
    }

    private static func parseStats(_ text: String) -> WorkloadStats? {
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 5 else { return nil }
        return WorkloadStats(
            lines: numbers[0], bytes: numbers[1], duplicates: numbers[2], late: numbers[3], bad: numbers[4])
    }
}
