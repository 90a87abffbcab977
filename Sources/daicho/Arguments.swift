import Daicho
import DaichoJSON
import DaichoLog

// A small command-line parser: options with values, flags, positionals; errors name the bad option.

/// One option a command accepts.
struct OptionSpec {
    let name: String          // "--data"
    let valueName: String?    // "DIR"; nil for a flag
    let help: String
    var repeatable = false
}

/// What a command accepts, for parsing and for its `--help`.
struct CommandSpec {
    let name: String
    let summary: String
    let usage: String
    let options: [OptionSpec]
    let details: String

    var helpText: String {
        var s = "\(summary)\n\nUsage: \(usage)\n"
        if !options.isEmpty {
            s += "\nOptions:\n"
            let width = options.map { $0.name.count + ($0.valueName.map { $0.count + 1 } ?? 0) }.max() ?? 0
            for o in options + [OptionSpec(name: "--help", valueName: nil, help: "Show this help.")] {
                let left = o.name + (o.valueName.map { " " + $0 } ?? "")
                s += "  " + left + String(repeating: " ", count: max(2, width - left.count + 2)) + o.help + "\n"
            }
        }
        if !details.isEmpty { s += "\n" + details + "\n" }
        return s
    }
}

/// A usage error: the message, then the command's usage (exit status 2).
struct UsageError: Error {
    let message: String
    let usage: String
}

/// Parsed options and positionals of one command line.
struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var wantsHelp = false

    func value(_ name: String) -> String? { values[name]?.last }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// An integer option's value, or `fallback` when absent.
    func int(_ name: String, _ spec: CommandSpec, default fallback: Int? = nil, min: Int = 0) throws(UsageError) -> Int? {
        guard let raw = value(name) else { return fallback }
        guard let v = Int(raw.replacingOccurrences(of: "_", with: "")), v >= min else {
            throw UsageError(message: "\(name): \"\(raw)\" is not an integer >= \(min)", usage: spec.usage)
        }
        return v
    }

    /// Parses a command's arguments; prints its help and returns nil for `--help`.
    static func command(_ args: [String], _ spec: CommandSpec) throws(UsageError) -> ParsedArguments? {
        let a = try parse(args, spec)
        if a.wantsHelp {
            print(spec.helpText, terminator: "")
            return nil
        }
        return a
    }

    /// The `--data` directory, else `$DAICHO_DATA`, else `./daicho-data`.
    var dataDirectory: DataDirectory { DataDirectory(value("--data") ?? DataDirectory.defaultPath) }

    static func parse(_ args: [String], _ spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("--") || a == "-" {
                if a.hasPrefix("-") && a != "-" && !onlyPositionals {
                    throw UsageError(message: "unknown option '\(a)'", usage: spec.usage)
                }
                parsed.positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            if a == "--help" { parsed.wantsHelp = true; continue }
            var name = a
            var inline: String?
            if let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            guard let o = spec.options.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option '\(name)'", usage: spec.usage)
            }
            if o.valueName == nil {
                if inline != nil { throw UsageError(message: "option '\(name)' takes no value", usage: spec.usage) }
                parsed.flags.insert(name)
                continue
            }
            let v: String
            if let inline { v = inline } else {
                guard i < args.count else { throw UsageError(message: "option '\(name)' needs a value (\(o.valueName!))", usage: spec.usage) }
                v = args[i]
                i += 1
            }
            if !o.repeatable && parsed.values[name] != nil {
                throw UsageError(message: "option '\(name)' given twice", usage: spec.usage)
            }
            parsed.values[name, default: []].append(v)
        }
        return parsed
    }
}

/// The `--data` option every data command takes.
let dataOption = OptionSpec(name: "--data", valueName: "DIR",
                            help: "Data directory (default: $DAICHO_DATA, else ./daicho-data).")

/// The `--wait-lock` option of every writing command (append, segment define|drop, repair).
let waitLockOption = OptionSpec(name: "--wait-lock", valueName: "SECONDS",
                                help: "Wait up to SECONDS for another writer to release the log's lock (default 0: fail at once naming its pid).")

extension ParsedArguments {
    /// The `--wait-lock` duration (0 when absent).
    func lockWait(_ spec: CommandSpec) throws(UsageError) -> Duration {
        guard let raw = value("--wait-lock") else { return .zero }
        guard let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
            throw UsageError(message: "--wait-lock: \"\(raw)\" is not a number of seconds from 0 to 86400", usage: spec.usage)
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Log options for a writing command: defaults plus `--wait-lock`.
    func writerOptions(_ spec: CommandSpec) throws(UsageError) -> LogOptions {
        var options = LogOptions()
        options.lockWait = try lockWait(spec)
        return options
    }
}
