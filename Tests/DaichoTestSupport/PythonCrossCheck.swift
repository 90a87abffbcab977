import Foundation

/// Cross-checks against Python references (schemas/check*.py with `jsonschema`, libphonenumber's `phonenumbers`).
///
/// A test that needs one declares `.enabled(if: PythonCrossCheck.canRun("jsonschema"), ...)`, so the runner reports
/// it as skipped (not passed) when `python3` or a package is missing. `make test` installs the packages;
/// `.ci/run` also sets `DAICHO_REQUIRE_CROSS_CHECKS=1`, which makes `canRun` true regardless, so in CI a missing
/// package fails the test instead of skipping it.
public enum PythonCrossCheck {
    /// True when CI demands every cross-check (`DAICHO_REQUIRE_CROSS_CHECKS=1`).
    public static var required: Bool { ProcessInfo.processInfo.environment["DAICHO_REQUIRE_CROSS_CHECKS"] == "1" }

    /// Whether a cross-check needing `modules` should run: they import in `python3`, or CI requires the check.
    public static func canRun(_ modules: String...) -> Bool {
        if required { return true }
        guard let result = try? run(["-c", "import " + modules.joined(separator: ", ")]) else { return false }
        return result.status == 0
    }

    /// Runs `python3 arguments...` (found on PATH) and waits for it.
    /// - Returns: the exit status and what it printed.
    /// - Throws: when `python3` cannot be started.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try runChild("/usr/bin/env", ["python3"] + arguments)
        return (r.status, r.stdout, r.stderr)
    }
}

/// The repository root (found from this file's path).
public let repositoryRootURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
