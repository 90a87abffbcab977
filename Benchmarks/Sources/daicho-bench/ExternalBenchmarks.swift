import Foundation

/// Competitors measured in the same run over the same file, each skipped with a note when absent:
/// DuckDB loading the NDJSON into a table (through its Python package) and zstd at level 3.
func registerExternalBenchmarks(_ h: inout Harness, workload: Workload) {
    registerDuckDB(&h, workload: workload)
    registerZstd(&h, workload: workload)
}

/// DuckDB through its Python package, timed inside Python: `duckdb load` (`CREATE TABLE … AS SELECT * FROM
/// read_json(…)`) and `duckdb dedup + aggregates` (load, keep one row per event id, and materialize per-identifier
/// aggregates: the nearest DuckDB equivalent of a profile replay, without an identity graph).
private func registerDuckDB(_ h: inout Harness, workload: Workload) {
    guard let python = findExecutable("python3"),
        (try? runProcess(python, ["-c", "import duckdb"]))?.status == 0
    else {
        h.note("duckdb rows skipped: python3 with the duckdb package not found (pip install duckdb)")
        return
    }
    let file = workload.path.replacingOccurrences(of: "'", with: "''")
    let load = "CREATE TABLE t AS SELECT * FROM read_json('\(file)', format='newline_delimited', ignore_errors=true)"
    duckDBRow(&h, python: python, name: "duckdb load", statements: [load], counted: "t")
    duckDBRow(&h, python: python, name: "duckdb dedup + aggregates", statements: [
        load,
        "CREATE TABLE e AS SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY id ORDER BY \"at\") = 1",
        """
        CREATE TABLE profiles AS SELECT coalesce(ids.user_id::VARCHAR, ids.email::VARCHAR, ids.phone::VARCHAR, ids.anonymous_id::VARCHAR, ids.device_id::VARCHAR) AS ident, \
        count(*) AS events, min("at") AS first_seen, max("at") AS last_seen, \
        count(*) FILTER (WHERE type = 'page_view') AS page_views, \
        count(DISTINCT props.order_id) FILTER (WHERE type = 'purchase') AS orders, \
        sum(TRY_CAST(props.amount AS DOUBLE)) FILTER (WHERE type = 'purchase') AS revenue, \
        count(*) FILTER (WHERE type = 'inquiry') AS inquiries, \
        avg(TRY_CAST(props.sentiment AS DOUBLE)) FILTER (WHERE type = 'social_mention') AS sentiment \
        FROM e GROUP BY 1
        """,
    ], counted: "e")
}

/// One DuckDB row: runs `statements` in order (timed together) and counts the rows of table `counted`.
private func duckDBRow(_ h: inout Harness, python: String, name: String, statements: [String], counted: String) {
    let body = statements.map { "con.execute(\"\"\"\($0)\"\"\")" }.joined(separator: "\n")
    let script = """
        import duckdb, time
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        start = time.perf_counter()
        \(body)
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM \(counted)").fetchone()[0]
        print("DAICHO_BENCH", seconds, rows)
        """
    h.addMeasured([Row(name: name, unit: "events/s")]) {
        let result = try runProcess(python, ["-c", script])
        guard result.status == 0,
            let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("DAICHO_BENCH ") })
        else { throw ExternalToolError(tool: "duckdb", output: result.output) }
        let fields = line.split(separator: " ")
        guard fields.count == 3, let seconds = Double(fields[1]), let rows = Double(fields[2]) else {
            throw ExternalToolError(tool: "duckdb", output: result.output)
        }
        return [Measurement(items: rows, seconds: seconds)]
    }
}

/// `zstd -3 compress` / `zstd -3 decompress`: speeds reported by `zstd -b3 FILE`; the sizes come from
/// `zstd -3 -c FILE | wc -c`.
private func registerZstd(_ h: inout Harness, workload: Workload) {
    guard let zstd = findExecutable("zstd") else {
        h.note("zstd skipped: the zstd command was not found (apt-get install zstd)")
        return
    }
    let bytes = Double(workload.stats.bytes)
    h.addMeasured([
        Row(name: "zstd -3 compress", unit: "MB/s", scale: 1e-6),
        Row(name: "zstd -3 decompress", unit: "MB/s", scale: 1e-6),
    ]) {
        let result = try runProcess(zstd, ["-b3", workload.path])
        guard result.status == 0, let figures = parseZstdBench(result.output) else {
            throw ExternalToolError(tool: "zstd -b3", output: result.output)
        }
        return [
            Measurement(items: bytes, seconds: bytes / (figures.compressMBps * 1e6)),
            Measurement(items: bytes, seconds: bytes / (figures.decompressMBps * 1e6)),
        ]
    }
    let quoted = "'" + workload.path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    let compressed = ZstdSize()
    h.addFact("workload file", unit: "bytes") { bytes }
    h.addFact("zstd -3 size", unit: "bytes") { try compressed.value(zstd: zstd, quotedPath: quoted) }
    h.addFact("zstd -3 ratio", unit: "x") { bytes / (try compressed.value(zstd: zstd, quotedPath: quoted)) }
}

/// The size of `zstd -3 -c FILE | wc -c`, computed once for both facts that need it.
private final class ZstdSize {
    private var cached: Double?

    func value(zstd: String, quotedPath: String) throws -> Double {
        if let cached { return cached }
        let result = try runProcess("/bin/sh", ["-c", "'\(zstd)' -3 -c \(quotedPath) | wc -c"])
        guard result.status == 0, let size = Double(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ExternalToolError(tool: "zstd -3 -c", output: result.output) }
        cached = size
        return size
    }
}

/// Compression and decompression speeds from `zstd -b` output such as
/// ` 3#file : 50000000 -> 8390059 (x5.959), 185.2 MB/s, 1078.3 MB/s` (MB = 10⁶ bytes).
/// The output rewrites its line with carriage returns; the last complete figure wins.
func parseZstdBench(_ output: String) -> (ratio: Double, compressMBps: Double, decompressMBps: Double)? {
    let pattern = #"\(x([0-9.]+)\),\s*([0-9.]+) MB/s,\s*([0-9.]+) MB/s"#
    guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
    let text = output as NSString
    guard let match = regex.matches(in: output, range: NSRange(location: 0, length: text.length)).last else {
        return nil
    }
    let numbers = (1...3).compactMap { Double(text.substring(with: match.range(at: $0))) }
    guard numbers.count == 3, numbers[1] > 0, numbers[2] > 0 else { return nil }
    return (numbers[0], numbers[1], numbers[2])
}

/// An external tool failed or printed something unexpected.
struct ExternalToolError: Error, CustomStringConvertible {
    var tool: String
    var output: String
    var description: String { "\(tool) failed or printed unexpected output: \(output.suffix(300))" }
}

/// The full path of `name` in `PATH`, or nil.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs `executable` with `arguments`; returns its exit status and its merged stdout and stderr.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
