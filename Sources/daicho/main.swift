import Foundation
import Daicho

// daicho: the command-line interface. Thin: parses arguments, calls the library, prints JSON.

let commands: [(spec: CommandSpec, run: ([String]) throws -> Int32)] = [
    (AppendCommand.spec, AppendCommand.run),
    (ExportCommand.spec, ExportCommand.run),
    (StatsCommand.spec, StatsCommand.run),
    (VerifyCommand.spec, VerifyCommand.run),
    (RepairCommand.spec, RepairCommand.run),
    (ReplayCommand.spec, ReplayCommand.run),
    (ProfileCommand.spec, ProfileCommand.run),
    (ProfilesCommand.spec, ProfilesCommand.run),
    (TimelineCommand.spec, TimelineCommand.run),
    (SegmentCommand.spec, SegmentCommand.run),
    (WatchCommand.spec, WatchCommand.run),
    (ServeCommand.spec, ServeCommand.run),
    (ReportCommand.spec, ReportCommand.run),
    (GenerateCommand.spec, GenerateCommand.run),
]

let topUsage = "daicho COMMAND [OPTIONS]   (daicho COMMAND --help for its options)"

@MainActor func topHelp() -> String {
    var s = "daicho (台帳) \(daichoVersion): an event-sourced customer data platform.\n\nUsage: \(topUsage)\n\nCommands:\n"
    for c in commands { s += "  " + c.spec.name.padding(toLength: 10, withPad: " ", startingAt: 0) + c.spec.summary + "\n" }
    s += """

    Data directory: --data DIR, else $DAICHO_DATA, else ./daicho-data. daicho --version prints the release.
    Exit status: 0 success, 1 some input rejected or corruption found, 2 usage or I/O error,
    3 no profile or segment matches (profile, timeline, segment members|drop).

    """
    return s
}

signal(SIGPIPE, SIG_IGN)
var args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first else {
    writeStandardError(topHelp())
    exit(ExitStatus.usageOrIO)
}
args.removeFirst()
if name == "--version" {
    print("daicho \(daichoVersion)")
    exit(finishStandardOutput(ExitStatus.ok))
}
if name == "--help" || name == "-h" || name == "help" {
    if let sub = args.first, let c = commands.first(where: { $0.spec.name == sub }) { print(c.spec.helpText, terminator: "") }
    else { print(topHelp(), terminator: "") }
    exit(finishStandardOutput(ExitStatus.ok))
}
guard let command = commands.first(where: { $0.spec.name == name }) else {
    printError("daicho: unknown command '\(name)'\nUsage: \(topUsage)\nCommands: \(commands.map(\.spec.name).joined(separator: ", "))")
    exit(ExitStatus.usageOrIO)
}
do {
    exit(finishStandardOutput(try command.run(args)))
} catch {
    exit(report(error, command: name))
}
