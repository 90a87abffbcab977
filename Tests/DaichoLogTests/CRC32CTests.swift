import Testing
@testable import DaichoLog

@Suite struct CRC32CTests {
    private func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.checksum($0) } }

    /// Bit-at-a-time reference implementation (ReferenceFrame.swift).
    private func reference(_ bytes: [UInt8]) -> UInt32 { referenceCRC32C(bytes) }

    @Test func standardVectors() {
        #expect(checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(checksum([]) == 0)
        #expect(checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func slicingMatchesBitwiseReferenceAtEveryLengthAndSplit() {
        var rng = SeededGenerator(seed: 7)
        let data = (0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for length in 0...data.count {
            let slice = Array(data[0..<length])
            #expect(checksum(slice) == reference(slice))
        }
        let whole = checksum(data)
        for split in 0...data.count {
            let continued = data.withUnsafeBytes { raw in
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[split...]),
                                continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<split])))
            }
            #expect(continued == whole)
        }
    }

    @Test func worksOnUnalignedStart() {
        let data = Array("x123456789".utf8)
        let crc = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[1...])) }
        #expect(crc == 0xE306_9283)
    }
}
