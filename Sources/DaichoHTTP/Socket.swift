import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connected or listening TCP socket (POSIX). Closed when released. Reads and writes wait with `poll` against a
/// deadline, so a slow or silent peer costs a thread its time budget, never forever; writes use `MSG_NOSIGNAL`
/// (a peer gone never kills the process) and resume partial writes.
public final class Socket: @unchecked Sendable {
    public let fd: Int32
    /// The peer's address as text (`127.0.0.1`, `::1`), for connected sockets.
    public let peer: String

    init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    deinit { close(fd) }

    /// Why a socket operation ended.
    public enum Failure: Error, Equatable {
        /// The deadline passed before the operation could proceed.
        case timedOut
        /// The peer closed its side (read returned 0) or reset the connection.
        case closed
        /// Another error, with its errno.
        case system(Int32, String)
    }

    /// Listens on `host:port` (IPv4 or IPv6 literal, or `localhost`).
    /// - Throws: `Failure.system` naming the call that failed (e.g. `bind` with `EADDRINUSE`).
    public static func listen(host: String, port: UInt16, backlog: Int32 = 1024) throws(Failure) -> Socket {
        let host = host == "localhost" ? "127.0.0.1" : host
        var v6 = in6_addr()
        let isV6 = host.contains(":")
        var v4 = in_addr()
        if isV6 {
            guard inet_pton(AF_INET6, host, &v6) == 1 else { throw .system(EINVAL, "not an IP address: \(host)") }
        } else {
            guard inet_pton(AF_INET, host, &v4) == 1 else { throw .system(EINVAL, "not an IP address: \(host)") }
        }
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno, "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc: Int32
        if isV6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            a.sin6_addr = v6
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            a.sin_addr = v4
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw .system(e, "bind \(host):\(port)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let e = errno
            close(fd)
            throw .system(e, "listen")
        }
        return Socket(fd: fd, peer: "")
    }

    /// Connects to `host:port` (an IPv4 or IPv6 literal, or `localhost`).
    public static func connect(host: String, port: UInt16) throws(Failure) -> Socket {
        let host = host == "localhost" ? "127.0.0.1" : host
        let isV6 = host.contains(":")
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno, "socket") }
        var rc: Int32 = -1
        if isV6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { close(fd); throw .system(EINVAL, "not an IP address: \(host)") }
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { close(fd); throw .system(EINVAL, "not an IP address: \(host)") }
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw .system(e, "connect \(host):\(port)")
        }
        return Socket(fd: fd, peer: host)
    }

    /// The port a listening socket is bound to (the one the kernel chose for port 0).
    public var localPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { p in
            if family == sa_family_t(AF_INET6) {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Waits up to `timeoutMillis` for a connection.
    /// - Returns: the connection, or nil when none came in time.
    /// - Throws: `Failure.system` (e.g. `EMFILE`: the caller backs off).
    public func accept(timeoutMillis: Int32) throws(Failure) -> Socket? {
        guard try wait(for: Int16(POLLIN), timeoutMillis: timeoutMillis) else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let c = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
        }
        guard c >= 0 else {
            let e = errno
            if e == EAGAIN || e == EINTR || e == ECONNABORTED { return nil }
            throw .system(e, "accept")
        }
        _ = fcntl(c, F_SETFD, FD_CLOEXEC) // (accept4 is not visible to Swift's Glibc module)
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return Socket(fd: c, peer: Self.address(storage))
    }

    private static func address(_ storage: sockaddr_storage) -> String {
        var s = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafePointer(to: &s) { p in
            if storage.ss_family == sa_family_t(AF_INET6) {
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                }
            } else {
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var addr = a.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                }
            }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Polls for `events` up to `timeoutMillis` (retrying `EINTR` with the remaining time).
    /// - Returns: whether the socket is ready.
    func wait(for events: Int16, timeoutMillis: Int32) throws(Failure) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        let deadline = Deadline(millisFromNow: Int(timeoutMillis))
        while true {
            let rc = poll(&p, 1, Int32(deadline.remainingMillis))
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { throw .system(errno, "poll") }
        }
    }

    /// Reads what is available (at most `into.count` bytes), waiting until `deadline`.
    /// - Returns: the number of bytes read (> 0).
    /// - Throws: `.timedOut`, `.closed` (end of stream or reset), `.system`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: Deadline) throws(Failure) -> Int {
        while true {
            guard try wait(for: Int16(POLLIN), timeoutMillis: Int32(deadline.remainingMillis)) else { throw .timedOut }
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return n }
            if n == 0 { throw .closed }
            let e = errno
            if e == EINTR || e == EAGAIN { continue }
            if e == ECONNRESET { throw .closed }
            throw .system(e, "recv")
        }
    }

    /// Everything the peer sends until it closes the stream (or resets it).
    /// - Throws: `.timedOut` when `deadline` passes first, `.system`.
    public func readUntilClosed(until deadline: Deadline) throws(Failure) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let result: Result<Int, Failure> = buffer.withUnsafeMutableBytes { raw in
                do throws(Failure) { return .success(try read(into: raw, until: deadline)) } catch { return .failure(error) }
            }
            switch result {
            case .success(let n): received += buffer[0..<n]
            case .failure(.closed): return received
            case .failure(let error): throw error
            }
        }
    }

    /// Writes all of `bytes`, waiting until `deadline` for room.
    public func write(_ bytes: UnsafeRawBufferPointer, until deadline: Deadline) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let n = send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if n > 0 { sent += n; continue }
            let e = errno
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                guard try wait(for: Int16(POLLOUT), timeoutMillis: Int32(deadline.remainingMillis)) else { throw .timedOut }
                continue
            }
            if n < 0 && e == EINTR { continue }
            if e == EPIPE || e == ECONNRESET { throw .closed }
            throw .system(e, "send")
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8], until deadline: Deadline) throws(Failure) {
        let result: Result<Void, Failure> = bytes.withUnsafeBytes { raw in
            do throws(Failure) { try write(raw, until: deadline); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Stops further sends; the peer reads the end of the stream after what was sent.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

/// A point in time on the monotonic clock.
public struct Deadline: Sendable {
    let nanos: UInt64

    public init(millisFromNow ms: Int) {
        nanos = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(ms, 0)) * 1_000_000
    }

    /// Milliseconds left (0 when passed), capped to what `poll` takes.
    public var remainingMillis: Int {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= nanos ? 0 : Int(min((nanos - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }

    public var hasPassed: Bool { DispatchTime.now().uptimeNanoseconds >= nanos }
}
