import DaichoLog
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `DIR/serve.json` (docs/http-api.md "Keys"): the write keys ingest routes accept and the read tokens every other
/// route needs. Created on first start with mode 0600 from the system's random source.
public struct ServeKeys: Sendable, Equatable {
    /// A write key and the `source` its events get when their messages name none.
    public struct WriteKey: Sendable, Equatable {
        public var key: String
        public var source: String?
    }

    public var writeKeys: [WriteKey]
    public var readTokens: [String]

    /// The file name inside the data directory.
    public static let fileName = "serve.json"

    /// A new key: `prefix` and 32 random bytes as 43 URL-safe base64 characters.
    public static func newKey(prefix: String) -> String {
        var random = SystemRandomNumberGenerator() // getrandom(2) on Linux: cryptographically secure
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + b64
    }

    /// One new write key and one new read token.
    public static func generate() -> ServeKeys {
        ServeKeys(writeKeys: [WriteKey(key: newKey(prefix: "dwk_"), source: nil)], readTokens: [newKey(prefix: "drt_")])
    }

    /// The write key `key` (compared in constant time), if it is one.
    public func writeKey(_ key: String) -> WriteKey? {
        var found: WriteKey?
        for k in writeKeys where Self.equalInConstantTime(k.key, key) { found = k }
        return found
    }

    /// Whether `token` is a read token (compared in constant time).
    public func isReadToken(_ token: String) -> Bool {
        var found = false
        for t in readTokens where Self.equalInConstantTime(t, token) { found = true }
        return found
    }

    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// The file's JSON.
    public var json: String {
        let writes = writeKeys.map { k in
            k.source.map { "{\"key\":\"\(k.key)\",\"source\":\"\($0)\"}" } ?? "\"\(k.key)\""
        }
        return "{\"write_keys\":[\(writes.joined(separator: ","))],\"read_tokens\":[\(readTokens.map { "\"\($0)\"" }.joined(separator: ","))]}\n"
    }

    /// Reads `path`.
    /// - Throws: `ServeKeysError` naming what is wrong (the server does not start with keys it cannot read).
    public static func read(path: String) throws(ServeKeysError) -> ServeKeys {
        guard let data = FileManager.default.contents(atPath: path) else { throw ServeKeysError("\(path) cannot be read") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServeKeysError("\(path) is not a JSON object")
        }
        for key in object.keys where key != "write_keys" && key != "read_tokens" {
            throw ServeKeysError("\(path): unknown key \"\(key)\" (known: write_keys, read_tokens)")
        }
        guard let writes = object["write_keys"] as? [Any], let reads = object["read_tokens"] as? [String] else {
            throw ServeKeysError("\(path) needs \"write_keys\" and \"read_tokens\" arrays")
        }
        var keys: [WriteKey] = []
        for w in writes {
            if let s = w as? String, !s.isEmpty {
                keys.append(WriteKey(key: s, source: nil))
            } else if let o = w as? [String: Any], let k = o["key"] as? String, !k.isEmpty {
                keys.append(WriteKey(key: k, source: o["source"] as? String))
            } else {
                throw ServeKeysError("\(path): each write key is a non-empty string or {\"key\": …, \"source\": …}")
            }
        }
        guard !reads.contains(where: \.isEmpty) else { throw ServeKeysError("\(path): a read token is empty") }
        return ServeKeys(writeKeys: keys, readTokens: reads)
    }

    /// Writes the keys to `path` with mode 0600 (through a temporary file renamed into place).
    public func write(path: String) throws(ServeKeysError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServeKeysError("cannot create \(temporary): \(errnoText(errno))") }
        let bytes = Array(json.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ServeKeysError("cannot write \(path): \(errnoText(errno))")
        }
    }

    /// The keys of `path`, created with one new key each when the file does not exist.
    /// - Returns: the keys and whether they were just created.
    public static func loadOrCreate(path: String) throws(ServeKeysError) -> (keys: ServeKeys, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try read(path: path), false) }
        let keys = generate()
        try keys.write(path: path)
        return (keys, true)
    }
}

/// `serve.json` cannot be used.
public struct ServeKeysError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

