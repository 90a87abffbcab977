import DaichoHTTP
import DaichoTestSupport
import Foundation
import Testing

/// The inflater against Python's zlib (the reference: the same library the senders use), and under damage.
@Suite struct InflateTests {
    /// Python writes a corpus: inputs of many shapes, each compressed as gzip, zlib and raw DEFLATE at levels 0, 1,
    /// 6 and 9 and with strategies that force stored, fixed-Huffman and dynamic blocks.
    static let corpusScript = #"""
import os, random, sys, zlib, gzip
out = sys.argv[1]
rng = random.Random(7)
inputs = {
    "empty": b"",
    "one": b"a",
    "text": ("台帳 customer data platform, ダイチョウ。" * 400).encode(),
    "json": b"".join(b'{"type":"track","userId":"U-%d","event":"Order Completed","properties":{"total":%d}}\n' % (i, i * 37) for i in range(1000)),
    "random": bytes(rng.getrandbits(8) for _ in range(20000)),
    "zeros": bytes(100000),
    "runs": b"".join(bytes([rng.randrange(4)]) * rng.randrange(1, 300) for _ in range(500)),
    "mixed": b"".join((bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 50))) + b"abcabcabc" * rng.randrange(0, 40)) for _ in range(800)),
}
for name, data in inputs.items():
    open(os.path.join(out, name + ".raw"), "wb").write(data)
    for level in (0, 1, 9):
        for strategy, tag in ((zlib.Z_DEFAULT_STRATEGY, "d"), (zlib.Z_FIXED, "f"), (zlib.Z_HUFFMAN_ONLY, "h")):
            for wbits, kind in ((31, "gz"), (15, "zlib"), (-15, "deflate")):
                c = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
                # Flush in pieces so blocks of several kinds and sync points appear.
                parts = [c.compress(data[i:i + 20000]) + (c.flush(zlib.Z_SYNC_FLUSH) if i % 40000 == 0 else b"") for i in range(0, len(data), 20000)]
                blob = b"".join(parts) + c.flush()
                open(os.path.join(out, "%s.%s.%d%s" % (name, kind, level, tag)), "wb").write(blob)
# Two gzip members, a header with every optional field, and a bomb.
open(os.path.join(out, "members.raw"), "wb").write(inputs["text"] + inputs["json"])
open(os.path.join(out, "members.gz.multi"), "wb").write(gzip.compress(inputs["text"]) + gzip.compress(inputs["json"]))
hdr = bytes([0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3]) + b"\x04\x00abcd" + b"name.json\x00" + b"comment\x00"
hcrc = zlib.crc32(hdr) & 0xffff
body = zlib.compressobj(6, zlib.DEFLATED, -15)
deflated = body.compress(inputs["json"]) + body.flush()
full = hdr + bytes([hcrc & 0xff, hcrc >> 8]) + deflated + (zlib.crc32(inputs["json"]) & 0xffffffff).to_bytes(4, "little") + (len(inputs["json"]) & 0xffffffff).to_bytes(4, "little")
open(os.path.join(out, "headers.raw"), "wb").write(inputs["json"])
open(os.path.join(out, "headers.gz.fields"), "wb").write(full)
open(os.path.join(out, "bomb.gz"), "wb").write(gzip.compress(bytes(20_000_000), 9))
"""#

    /// The corpus directory, written once per test run.
    static let corpus: URL? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("daicho-inflate-corpus-\(getuid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        guard let r = try? PythonCrossCheck.run(["-c", corpusScript, dir.path]), r.status == 0 else { return nil }
        return dir
    }()

    static func compressedFiles() -> [URL] {
        guard let corpus else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { !$0.hasSuffix(".raw") && $0 != "bomb.gz" }.sorted().map { corpus.appendingPathComponent($0) }
    }

    static func decode(_ url: URL, _ data: [UInt8], limit: Int) throws -> [UInt8] {
        let kind = url.lastPathComponent.split(separator: ".")[1]
        switch kind {
        case "gz": return try BodyDecoding.gunzip(data, limit: limit)
        default: return try BodyDecoding.inflate(data, limit: limit)
        }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    @Test(.enabled(if: PythonCrossCheck.canRun("zlib"), "python3 writes the corpus"))
    func everyCorpusFileDecodesToWhatPythonCompressed() throws {
        let files = Self.compressedFiles()
        #expect(files.count > 200)
        for url in files {
            let name = url.lastPathComponent.split(separator: ".")[0]
            let expected = try Self.bytes(Self.corpus!.appendingPathComponent("\(name).raw"))
            let got = try Self.decode(url, try Self.bytes(url), limit: 1 << 30)
            #expect(got == expected, "\(url.lastPathComponent)")
        }
    }

    @Test(.enabled(if: PythonCrossCheck.canRun("zlib"), "python3 writes the corpus"))
    func aBombStopsAtTheLimit() throws {
        let bomb = try Self.bytes(Self.corpus!.appendingPathComponent("bomb.gz"))
        #expect(bomb.count < 40_000)
        #expect(throws: InflateError.tooLarge(limit: 1 << 20)) { try BodyDecoding.gunzip(bomb, limit: 1 << 20) }
    }

    @Test(.enabled(if: PythonCrossCheck.canRun("zlib"), "python3 writes the corpus"))
    func theLimitIsExact() throws {
        let url = Self.corpus!.appendingPathComponent("json.gz.9d")
        let size = try Self.bytes(Self.corpus!.appendingPathComponent("json.raw")).count
        #expect(try Self.decode(url, try Self.bytes(url), limit: size).count == size)
        #expect(throws: InflateError.tooLarge(limit: size - 1)) { try Self.decode(url, try Self.bytes(url), limit: size - 1) }
    }

    /// Every cut of a gzip body is an error (the trailer's size and CRC are there to tell), never a crash.
    @Test(.enabled(if: PythonCrossCheck.canRun("zlib"), "python3 writes the corpus"))
    func everyTruncationIsAnError() throws {
        let data = try Self.bytes(Self.corpus!.appendingPathComponent("text.gz.9d"))
        for cut in 0..<data.count {
            #expect(throws: InflateError.self) { try BodyDecoding.gunzip(Array(data[0..<cut]), limit: 1 << 24) }
        }
    }

    /// Flipped bytes and random garbage: an error or some output within the limit — never a crash or a hang; and a
    /// damaged gzip or zlib body that decodes gives the original data (their checksums catch every other change).
    @Test(.enabled(if: PythonCrossCheck.canRun("zlib"), "python3 writes the corpus"))
    func damagedDataIsAnErrorNeverACrash() throws {
        var rng = SeededGenerator(seed: 1951)
        let files = Self.compressedFiles().filter { !$0.lastPathComponent.hasPrefix("empty") && !$0.lastPathComponent.hasPrefix("zeros") }
        for _ in 0..<1000 {
            let url = files.randomElement(using: &rng)!
            var data = try Self.bytes(url)
            guard !data.isEmpty else { continue }
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                data[Int.random(in: 0..<data.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
            let limit = 1 << 22
            let checked = url.lastPathComponent.contains(".gz.") || url.lastPathComponent.contains(".zlib.")
            do {
                let out = try Self.decode(url, data, limit: limit)
                #expect(out.count <= limit)
                // A flip may hit what no checksum covers and nothing reads (gzip's MTIME and OS bytes, the padding
                // bits after the last block); then the data must be the original, never something else.
                if checked {
                    let name = url.lastPathComponent.split(separator: ".")[0]
                    #expect(out == (try Self.bytes(Self.corpus!.appendingPathComponent("\(name).raw"))), "\(url.lastPathComponent)")
                }
            } catch {}
        }
        for length in [0, 1, 2, 10, 100, 5000] {
            for _ in 0..<100 {
                let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                _ = try? BodyDecoding.inflate(garbage, limit: 1 << 22)
                var gz: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
                gz += garbage
                #expect(throws: InflateError.self) { try BodyDecoding.gunzip(gz, limit: 1 << 22) }
            }
        }
    }

    @Test func hostileHeadersAreNamed() {
        #expect(throws: InflateError.malformed("not gzip data (no 1f 8b magic)")) {
            try BodyDecoding.gunzip(Array("{\"batch\":[]}".utf8), limit: 1000)
        }
        #expect(throws: InflateError.truncated) { try BodyDecoding.gunzip([0x1F, 0x8B, 8], limit: 1000) }
        // A stored block whose length does not match its complement.
        #expect(throws: InflateError.malformed("stored block length does not match its complement")) {
            try BodyDecoding.inflate([0x01, 0x05, 0x00, 0x00, 0x00], limit: 1000)
        }
        // Block type 3.
        #expect(throws: InflateError.malformed("block type 3 is reserved")) { try BodyDecoding.inflate([0x07], limit: 1000) }
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
    }
}
