import Foundation

/// What a finished child process printed.
public struct ChildResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` with `arguments`, feeding `stdin` (none: /dev/null), and waits for it. Both pipes are read
/// concurrently so a large output cannot block the child.
/// - Throws: when the process cannot be started.
public func runChild(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                     environment: [String: String]? = nil) throws -> ChildResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    _ = ignoreBrokenPipes
    try p.run()
    if let stdin {
        // A child may exit without reading all of its input (a usage error, say); its status and output tell
        // the test what happened, so a write into its closed pipe is not an error here.
        try? input.fileHandleForWriting.write(contentsOf: stdin)
        try? input.fileHandleForWriting.close()
    }
    nonisolated(unsafe) var errData = Data()
    let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !errThread.isFinished { usleep(1000) }
    return ChildResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
}

/// SIGPIPE ignored in the test process, once: writing into the stdin pipe of a child that has exited must fail
/// with EPIPE, not kill the whole test run.
private let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN); return () }()
