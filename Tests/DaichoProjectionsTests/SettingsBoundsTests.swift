import Daicho
@testable import DaichoProjections
import DaichoTestSupport
import Foundation
import Testing

/// Issue 8 "User numbers never wrap or trap": `daicho.json` values that would trap or wrap are refused with the
/// file, the key and the allowed range (docs/profile.md "Settings").
@Suite struct SettingsBoundsTests {
    static func load(_ json: String) throws -> ProjectionSettings {
        let t = TemporaryDirectory()
        let dir = DataDirectory(t.path)
        try Data(json.utf8).write(to: URL(fileURLWithPath: dir.settingsPath))
        return try ProjectionSettings.load(dir)
    }

    static func error(_ json: String) -> String? {
        do { _ = try load(json); return nil } catch { return "\(error)" }
    }

    @Test("a huge or non-positive session_gap_minutes is refused instead of trapping", arguments: [
        "1e20", "153722867280913", "525601", "0", "-5",
    ])
    func hugeSessionGapIsRefusedInsteadOfTrapping(_ minutes: String) throws {
        let message = try #require(Self.error(#"{"session_gap_minutes": \#(minutes)}"#))
        #expect(message.hasSuffix("daicho.json: session_gap_minutes must be a number > 0 and at most 525600 (one year)"), "\(message)")
    }

    @Test func aSessionGapOfOneYearIsAccepted() throws {
        #expect(try Self.load(#"{"session_gap_minutes": 525600}"#).profile.sessionGapMicros == 525_600 * 60_000_000)
    }

    @Test("max_future_skew takes digits and a unit s, m, h or d, up to 3650 days", arguments: [
        ("24h", Int64(86_400_000_000)), ("0s", 0), ("90s", 90_000_000), ("30m", 1_800_000_000), ("7d", 604_800_000_000),
        ("3650d", 315_360_000_000_000),
    ])
    func maxFutureSkewParses(_ text: String, _ micros: Int64) throws {
        #expect(try Self.load(#"{"max_future_skew": "\#(text)"}"#).profile.maxFutureSkewMicros == micros)
    }

    @Test("a malformed or out-of-range max_future_skew is refused", arguments: [
        #""3651d""#, #""-1h""#, #""24""#, #""h""#, #""1.5h""#, #""24 h""#, #""1w""#, "24", #""99999999999999999999d""#,
    ])
    func badMaxFutureSkewIsRefused(_ value: String) throws {
        let message = try #require(Self.error(#"{"max_future_skew": \#(value)}"#))
        #expect(message.hasSuffix(#"daicho.json: max_future_skew must be a duration such as "24h", "30m" or "7d" (0s to 3650d)"#), "\(message)")
    }

    @Test func theDefaultSkewIs24Hours() throws {
        #expect(try Self.load("{}").profile.maxFutureSkewMicros == 24 * 3_600_000_000)
        #expect(ProjectionSettings().profile.maxFutureSkewMicros == IngestOptions.defaultMaxFutureSkewMicros)
    }
}

/// `compression_level` (docs/log-format.md §3): zstd's levels 1 to 19, default 2; anything else is refused
/// naming the file, the key and the range.
@Suite struct CompressionLevelSettingTests {
    @Test("compression_level takes zstd's levels 1 to 19", arguments: [1, 2, 3, 19])
    func levelsParse(_ level: Int) throws {
        #expect(try SettingsBoundsTests.load(#"{"compression_level": \#(level)}"#).profile.compressionLevel == Int32(level))
    }

    @Test func theDefaultLevelIs2() throws {
        #expect(try SettingsBoundsTests.load("{}").profile.compressionLevel == 2)
    }

    @Test("a compression_level outside 1...19 or not a whole number is refused", arguments: [
        "0", "20", "-1", "99999999999", #""3""#, "null",
    ])
    func badLevelsAreRefused(_ value: String) throws {
        let message = try #require(SettingsBoundsTests.error(#"{"compression_level": \#(value)}"#))
        #expect(message.hasSuffix("daicho.json: compression_level must be a whole number from 1 to 19 (zstd's levels; default 2)"), "\(message)")
    }
}

/// `true` and `false` are not numbers: Foundation reads them as 1 and 0, so every numeric key of `daicho.json`
/// refuses them explicitly instead of taking a boolean for a count, a level or a gap.
@Suite struct SettingsBooleanTests {
    @Test("a boolean is refused where daicho.json takes a number", arguments: [
        ("session_gap_minutes", "session_gap_minutes must be"), ("checkpoint_every", "checkpoint_every must be"),
        ("checkpoints_kept", "checkpoints_kept must be"), ("compression_level", "compression_level must be"),
        ("snapshot_min_events", "snapshot_min_events must be"),
    ])
    func booleansAreRefused(_ key: String, _ message: String) throws {
        for value in ["true", "false"] {
            let error = try #require(SettingsBoundsTests.error(#"{"\#(key)": \#(value)}"#), "\(key): \(value) was accepted")
            #expect(error.contains(message), "\(error)")
        }
        // The numbers 1 and 0 stay numbers.
        #expect(SettingsBoundsTests.error(#"{"\#(key)": 1}"#) == nil)
    }
}
