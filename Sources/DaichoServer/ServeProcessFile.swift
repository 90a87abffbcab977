import Daicho
import DaichoHTTP
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `DIR/serve.pid`: `{"pid":N,"url":"http://127.0.0.1:8080"}` while `daicho serve` holds the directory, so a
/// writing command that finds the log locked can name the server to send to instead (docs/http-api.md
/// "`daicho append` while a server holds the directory"). Written after the server listens, removed when it stops.
public struct ServeProcessFile: Sendable, Equatable {
    public var pid: Int32
    /// Where the server listens (`http://host:port`).
    public var url: String

    public init(pid: Int32, url: String) {
        self.pid = pid
        self.url = url
    }

    /// The file name inside the data directory.
    public static let fileName = "serve.pid"

    static func path(in directory: DataDirectory) -> String { directory.path + "/" + fileName }

    /// Writes the file into `directory` (through a temporary file renamed into place).
    /// - Throws: `StoreError` naming the file.
    public func write(in directory: DataDirectory) throws(StoreError) {
        let path = Self.path(in: directory), temporary = path + ".tmp-\(getpid())"
        let text = "{\"pid\":\(pid),\"url\":\(jsonString(url))}\n"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)), rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system("cannot write \(path)", path: path, errno: code)
        }
    }

    /// Removes the file of `directory` (when it is this process's).
    public static func remove(in directory: DataDirectory) {
        guard running(in: directory)?.pid == getpid() else { return }
        unlink(path(in: directory))
    }

    /// The server that holds `directory`, if its file names a process that still runs.
    public static func running(in directory: DataDirectory) -> ServeProcessFile? {
        guard let data = FileManager.default.contents(atPath: path(in: directory)),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let pid = (object["pid"] as? NSNumber)?.int32Value, pid > 0, let url = object["url"] as? String,
              kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return ServeProcessFile(pid: pid, url: url)
    }

}
