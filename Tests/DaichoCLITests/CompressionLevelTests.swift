import Foundation
import Testing

/// `daicho.json` `compression_level` sets the zstd level of the frames `append` writes (docs/log-format.md §3):
/// the events read back are the same at every level; only the bytes on disk differ.
@Suite struct CompressionLevelTests {
    /// Bytes of the log's segment files in data directory `d`.
    static func segmentBytes(_ d: String) throws -> Int {
        let log = d + "/log"
        return try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".seg") }.reduce(0) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: log + "/" + $1)[.size] as? Int) ?? 0)
        }
    }

    @Test func theLevelChangesTheBytesOnDiskAndNotTheEvents() throws {
        let t = TemporaryDirectory()
        let input = t.path + "/generated.ndjson"
        #expect(try daicho(["generate", "--events", "20000", "--customers", "2500", "--seed", "5", "--out", input]).status == 0)
        var sizes: [Int32: Int] = [:]
        var exports: [Int32: String] = [:]
        for level: Int32 in [1, 19] {
            let d = t.path + "/level\(level)"
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            try Data(#"{"compression_level": \#(level)}"#.utf8).write(to: URL(fileURLWithPath: d + "/daicho.json"))
            #expect(try daicho(["append", "--data", d, "--no-snapshot", input]).status <= 1)
            sizes[level] = try Self.segmentBytes(d)
            exports[level] = try daicho(["export", "--data", d]).stdout
            #expect(try daicho(["verify", "--data", d]).status == 0)
        }
        let fast = try #require(sizes[1]), small = try #require(sizes[19])
        #expect(small < fast * 97 / 100, "level 19 wrote \(small) bytes, level 1 \(fast)")
        #expect(exports[1] == exports[19])
        #expect((exports[1]?.count ?? 0) > 1_000_000)
    }
}
