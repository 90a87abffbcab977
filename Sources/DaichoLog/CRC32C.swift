// CRC32C (Castagnoli), software slicing-by-8. See docs/log-format.md §3.

/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) computed with slicing-by-8.
public enum CRC32C {
    /// Eight 256-entry tables, table `k` at `[k * 256, (k + 1) * 256)`.
    @usableFromInline
    static let table: ContiguousArray<UInt32> = {
        var t = ContiguousArray<UInt32>(repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// Returns the CRC32C of `bytes`, continuing from `crc` (the result of an earlier call).
    /// - Parameters:
    ///   - bytes: the data to checksum.
    ///   - crc: the checksum of the preceding data, or 0 to start.
    /// - Returns: the checksum of the preceding data followed by `bytes`.
    /// - Complexity: O(n), eight bytes per step.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            var c = ~crc
            guard var p = bytes.baseAddress else { return ~c }
            var n = bytes.count
            while n >= 8 {
                let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: word) ^ c
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                n -= 1
            }
            return ~c
        }
    }
}
