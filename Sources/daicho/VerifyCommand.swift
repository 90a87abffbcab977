import Foundation
import Daicho
import DaichoLog

/// `daicho verify`: check every frame and every batch; exit 1 with a report on any corruption.
enum VerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        summary: "Check every frame (checksums, offsets, decompression) and every event batch of the log.",
        usage: "daicho verify [--data DIR]",
        options: [dataOption],
        details: """
        Prints {"ok":true|false,"frames":N,"events":N,"problems":[{"file":...,"byte":N,"offset":N,"message":...}]}.
        Changes nothing. Exit status: 0 clean, 1 corruption found, 2 usage or I/O error.
        """)

    static func run(_ args: [String]) throws -> Int32 {
        guard let a = try ParsedArguments.command(args, spec) else { return ExitStatus.ok }
        let dir = a.dataDirectory
        guard dir.exists else { throw StoreError.noLog(in: dir.path) }
        let report = LogVerifier.verify(directory: dir.logPath)
        var problems = report.problems.map { p in
            JSONMember.problem(file: p.file, byte: p.bytePosition, offset: p.logOffset, message: p.message)
        }
        // Frames that pass the log's checks must also hold well-formed event batches.
        if report.isClean {
            for p in LogStatistics.batchProblems(try EventReader(dir)) {
                problems.append(JSONMember.problem(file: nil, byte: nil, offset: p.offset, message: p.message))
            }
        }
        print(jsonLine([
            JSONMember("ok", .bool(problems.isEmpty)),
            JSONMember("frames", count(report.frames)),
            JSONMember("events", count(report.records)),
            JSONMember("problems", .array(problems)),
        ]))
        return problems.isEmpty ? ExitStatus.ok : ExitStatus.someRejected
    }
}

extension JSONMember {
    /// One problem of a verify report as a JSON object.
    static func problem(file: String?, byte: Int?, offset: UInt64?, message: String) -> JSONValue {
        .object([
            JSONMember("file", file.map { .string($0) } ?? .null),
            JSONMember("byte", byte.map { .int(Int64($0)) } ?? .null),
            JSONMember("offset", offset.map { .int(Int64($0)) } ?? .null),
            JSONMember("message", .string(message)),
        ])
    }
}
