import Foundation

/// A failure to write a workload file.
public struct WorkloadWriteError: Error, CustomStringConvertible, Sendable {
    /// The file that could not be written.
    public var path: String
    /// The `errno` of the failed call.
    public var code: Int32

    public var description: String {
        "cannot write workload file \(path): \(String(cString: strerror(code))); check that the directory exists and is writable"
    }
}

extension WorkloadGenerator {
    /// Writes the whole workload for `config` to a file, replacing it if it exists.
    /// - Parameters:
    ///   - config: What to generate.
    ///   - path: The file to create or truncate.
    /// - Returns: The counts of what was written.
    /// - Throws: ``WorkloadWriteError`` when the file cannot be opened, written or closed.
    /// - Complexity: O(`config.events`), in chunks of about 1 MiB.
    public static func write(_ config: WorkloadConfig, toPath path: String) throws -> WorkloadStats {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WorkloadWriteError(path: path, code: errno) }
        var closed = false
        defer { if !closed { _ = close(fd) } }
        var generator = WorkloadGenerator(config)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var more = true
        while more {
            buffer.removeAll(keepingCapacity: true)
            while buffer.count < 1 << 20 {
                guard generator.nextLine(into: &buffer) else {
                    more = false
                    break
                }
            }
            try writeAll(buffer, to: fd, path: path)
        }
        closed = true
        guard close(fd) == 0 else { throw WorkloadWriteError(path: path, code: errno) }
        return generator.stats
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WorkloadWriteError(path: path, code: errno)
                }
                offset += n
            }
        }
    }
}
