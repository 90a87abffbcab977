// The `head` file: the durable end published for readers. See docs/log-format.md §6.
#if canImport(Glibc)
import Glibc
#endif

/// The durable end of the log as published in `head`.
struct HeadRecord: Equatable, Sendable {
    /// One past the last durable record.
    var nextOffset: UInt64
    /// Base offset of the active segment.
    var activeSegmentBase: UInt64
    /// Durable byte length of the active segment.
    var durableBytes: UInt64

    /// The bytes of the segment based at `base` that lie at or below this durable mark (docs/log-format.md §8):
    /// `durableBytes` of the active segment, all of an earlier one (synced before the writer rolled away from it),
    /// none of a later one (never acknowledged).
    func durableBytes(ofSegment base: UInt64) -> Int {
        activeSegmentBase == base ? Int(clamping: durableBytes) : activeSegmentBase > base ? Int.max : 0
    }

    /// Encodes the 40-byte record into `raw`.
    func encode(into raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= LogFormat.headSize)
        raw.storeBytes(of: LogFormat.headMagic.littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: LogFormat.version.littleEndian, toByteOffset: 8, as: UInt16.self)
        for i in 10..<16 { raw[i] = 0 }
        raw.storeBytes(of: nextOffset.littleEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: activeSegmentBase.littleEndian, toByteOffset: 24, as: UInt64.self)
        raw.storeBytes(of: durableBytes.littleEndian, toByteOffset: 32, as: UInt64.self)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8..<LogFormat.headSize]))
        raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
    }

    /// Decodes a record, or nil if the magic, version or CRC does not match (e.g. a torn read).
    static func decode(_ raw: UnsafeRawBufferPointer) -> HeadRecord? {
        guard raw.count >= LogFormat.headSize else { return nil }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        guard u32(0) == LogFormat.headMagic,
              UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) == LogFormat.version,
              CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8..<LogFormat.headSize])) == u32(4)
        else { return nil }
        return HeadRecord(nextOffset: u64(16), activeSegmentBase: u64(24), durableBytes: u64(32))
    }

    /// Overwrites `head` in `file` with one `pwrite` at byte 0 (the caller syncs it).
    func write(to file: PosixFile) throws(LogError) {
        var raw = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        try withUnsafeMutableBytes(of: &raw) { (buffer) throws(LogError) in
            encode(into: buffer)
            try file.write(UnsafeRawBufferPointer(buffer), UnsafeRawBufferPointer(start: nil, count: 0), at: 0)
        }
    }

    /// Creates or replaces `head` in `directory` with this record, atomically: written to `head.new`, synced,
    /// renamed to `head`, and the directory synced (docs/log-format.md §6). A crash leaves the old `head` (or none)
    /// or this one, never an empty or half-written file that readers would refuse. Only a holder of the writer
    /// lock calls this.
    func install(in directory: String) throws(LogError) {
        try LogDirectory.replace(directory + "/" + LogFormat.headFileName,
                                 through: directory + "/" + LogFormat.headTemporaryName, in: directory) { (file) throws(LogError) in
            try write(to: file)
        }
    }

    /// Reads `head` from `directory`.
    /// - Returns: `.missing` when the file does not exist, `.unreadable` when its content does
    ///   not decode (a racing write), else the record.
    static func read(directory: String) throws(LogError) -> HeadReadResult {
        let path = directory + "/" + LogFormat.headFileName
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = Glibc.errno
            if code == ENOENT { return .missing }
            throw LogError(.io, "cannot open \(path): \(errnoText(code))", path: path, errno: code)
        }
        defer { _ = Glibc.close(fd) }
        var raw = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let n = withUnsafeMutableBytes(of: &raw) { pread(fd, $0.baseAddress, LogFormat.headSize, 0) }
        if n < 0 {
            let code = Glibc.errno
            throw LogError(.io, "cannot read \(path): \(errnoText(code))", path: path, errno: code)
        }
        guard n == LogFormat.headSize, let record = withUnsafeBytes(of: &raw, { decode($0) }) else { return .unreadable }
        return .record(record)
    }
}

/// The outcome of reading `head`.
enum HeadReadResult: Equatable {
    case missing
    case unreadable
    case record(HeadRecord)
}
