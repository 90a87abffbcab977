import Daicho
import DaichoProjections
import DaichoReport
import Foundation

/// `daicho report`: the dashboard of docs/console.md for a range of days, as the JSON object `GET /v1/dashboard`
/// answers (`--format json`) or as an HTML report (`--format html`).
enum ReportCommand {
    static let spec = CommandSpec(
        name: "report",
        summary: "Print the dashboard of a range of days: an HTML report, or its JSON object.",
        usage: "daicho report [--data DIR] [--from DATE] [--to DATE] [--as-of TIME] [--lang ja|en] [--format html|json] [--out FILE]",
        options: [
            dataOption,
            OptionSpec(name: "--from", valueName: "DATE", help: "First day (YYYY-MM-DD, business time zone; default: 364 days before --to)."),
            OptionSpec(name: "--to", valueName: "DATE", help: "Last day (default: the day of the newest event)."),
            CustomerSelector.asOfOption,
            OptionSpec(name: "--lang", valueName: "ja|en", help: "Language of the HTML report (default ja)."),
            OptionSpec(name: "--format", valueName: "html|json", help: "html (default): one self-contained file; json: the dashboard object."),
            OptionSpec(name: "--out", valueName: "FILE", help: "Write to FILE instead of standard output."),
        ],
        details: """
        The JSON is the object of docs/console.md "The dashboard object", byte for byte the body of
        GET /v1/dashboard with the same from, to and as_of, followed by a newline.
        Exit status: 0 written, 2 usage or I/O error.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let lang = a.value("--lang") ?? "ja"
        guard lang == "ja" || lang == "en" else { throw UsageError(message: "--lang: \"\(lang)\" is not ja or en", usage: spec.usage) }
        let format = a.value("--format") ?? "html"
        guard format == "html" || format == "json" else {
            throw UsageError(message: "--format: \"\(format)\" is not html or json", usage: spec.usage)
        }
        let asOf = try a.time("--as-of", spec)
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        let (projection, _) = try loadProjection(dir, asOf: asOf)
        let range: DashboardRange
        do throws(DashboardError) {
            range = try DashboardRange(from: a.value("--from"), to: a.value("--to"), of: projection)
        } catch {
            throw UsageError(message: "--\(error.parameter): \(error.message)", usage: spec.usage)
        }
        let json = Dashboard.render(projection, range: range)
        let bytes = format == "json" ? json + [0x0A]
            : try ReportHTML.render(dashboard: json, language: ReportLanguage(rawValue: lang) ?? .ja, dataDirectory: dir.path)
        guard let path = a.value("--out") else {
            _ = writeStandardOutput(bytes) // a closed pipe: the reader wanted no more
            return ExitStatus.ok
        }
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            printError("daicho report: cannot write \(path): \(error.localizedDescription)")
            return ExitStatus.usageOrIO
        }
        return ExitStatus.ok
    }
}
