/// Where section `index` of a profile snapshot file is stored (its bytes in the file), read from the file's
/// header as Sources/DaichoProjections/ProjectionSnapshot.swift lays it out: a 64-byte header whose bytes 32..<40
/// hold the section count, then a 32-byte table entry per section starting with its stored length (little-endian),
/// then the sections in table order. For tests that damage one section on purpose.
public func snapshotSection(_ index: Int, of file: [UInt8]) -> Range<Int> {
    func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(file[at + $1]) << (8 * $1) } }
    let count = u64(32)
    precondition(index < count, "the snapshot has \(count) sections")
    var start = 64 + 32 * count
    for i in 0..<index { start += u64(64 + 32 * i) }
    return start..<(start + u64(64 + 32 * index))
}
