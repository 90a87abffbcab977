import DaichoTestSupport
import Foundation
import Testing
@testable import Daicho

/// A deterministic corpus of Japanese phone strings, each as a producer might write it.
enum PhoneCorpus {
    static func digits(_ n: Int, _ rng: inout SeededGenerator) -> String {
        String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    /// Writes national digits (starting with the trunk 0) in a random style: hyphens or spaces between random
    /// groups, the area code in parentheses, `+81` with or without `(0)`, full-width digits and hyphens.
    static func format(national: String, _ rng: inout SeededGenerator) -> String {
        var body = Array(national)
        var prefix = ""
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: prefix = "+81 "; body.removeFirst()
        case 1: prefix = "+81-"; body.removeFirst()
        case 2: prefix = "+81 (0)"; body.removeFirst()
        case 3: prefix = "010-81-"; body.removeFirst()
        default: break
        }
        let separators = ["-", " ", "", "－", "-"]
        var text = ""
        var i = 0
        let parenthesised = prefix.isEmpty && body.count > 6 && Int.random(in: 0..<4, using: &rng) == 0
        while i < body.count {
            let group = min(body.count - i, Int.random(in: 1...5, using: &rng))
            let part = String(body[i..<(i + group)])
            if i == 0 && parenthesised { text += "(" + part + ") " } else {
                if i > 0 { text += separators.randomElement(using: &rng)! }
                text += part
            }
            i += group
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            text = String(text.unicodeScalars.map { s -> Character in
                s.value >= 0x30 && s.value <= 0x39 ? Character(Unicode.Scalar(s.value - 0x30 + 0xFF10)!) : Character(s)
            })
        }
        return prefix + text
    }

    /// About 2,800 strings: every three-digit range after the trunk 0 (fixed lines with 1–5 digit area codes and
    /// the unallocated ones), mobile 060/070/080/090 (with 070-0xxx and the like), IP 050, pagers 020, toll-free
    /// 0120/0800, navi dial 0570, premium 0990, each also a digit too short or too long, impossible lengths of
    /// 9, 14 and 15 digits, and numbers that lost their trunk 0.
    static func make(seed: UInt64 = 0x0312_3456_78) -> [String] {
        var rng = SeededGenerator(seed: seed)
        var nationals: [String] = []
        // 0100–0109 are left out: they start with the international prefix 010, so they are no national numbers.
        for prefix in 110...999 {
            for _ in 0..<2 { nationals.append("0\(prefix)" + digits(6, &rng)) }
        }
        for p in ["060", "070", "080", "090", "050", "020"] {
            for _ in 0..<60 { nationals.append(p + digits(8, &rng)) }
            for _ in 0..<10 { nationals.append(p + "0" + digits(7, &rng)) }
        }
        for (p, n) in [("0120", 6), ("0800", 7), ("0570", 6), ("0990", 6)] {
            for _ in 0..<30 { nationals.append(p + digits(n, &rng)) }
        }
        var wrongLength: [String] = []
        for n in nationals where Int.random(in: 0..<3, using: &rng) == 0 {
            wrongLength.append(Bool.random(using: &rng) ? String(n.dropLast()) : n + digits(1, &rng))
        }
        for length in [8, 13, 14] { // national digits with the trunk 0: 9, 14 and 15 digits with the 0 dropped
            for _ in 0..<20 { wrongLength.append("0\(Int.random(in: 1...9, using: &rng))" + digits(length - 1, &rng)) }
        }
        var corpus = (nationals + wrongLength).map { format(national: $0, &rng) }
        for _ in 0..<20 { // a mobile number that lost its trunk 0 (a spreadsheet dropped it)
            corpus.append("90\(Int.random(in: 1...9, using: &rng))" + digits(7, &rng))
        }
        return corpus
    }
}

@Suite("Phone numbers against libphonenumber")
struct PhoneReferenceTests {
    /// One verdict of schemas/check_phones.py.
    struct Verdict { var valid: Bool; var e164: String?; var type: String? }

    static func reference(_ corpus: [String]) throws -> [Verdict] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("phones-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).txt")
        try Data(corpus.map { $0 + "\n" }.joined().utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repositoryRoot.appendingPathComponent("schemas/check_phones.py").path, file.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Verdict(valid: try #require(o["valid"] as? Bool), e164: o["e164"] as? String, type: o["type"] as? String)
        }
    }

    @Test func theCorpusCoversEveryCase() {
        let corpus = PhoneCorpus.make()
        #expect(corpus.count > 2_500)
        #expect(corpus == PhoneCorpus.make()) // deterministic
        #expect(corpus.contains { $0.hasPrefix("+81") } && corpus.contains { $0.contains("(") }
            && corpus.contains { $0.unicodeScalars.contains { $0.value >= 0xFF10 && $0.value <= 0xFF19 } })
    }

    /// Every string libphonenumber calls valid is accepted with the same E.164 and line kind, and every string it
    /// calls invalid is refused — except the one documented difference (docs/identity.md "Japanese numbers"):
    /// a national number without its trunk 0 is refused here (it may as well have lost its '+').
    @Test(.enabled(if: PythonCrossCheck.canRun("phonenumbers"), "python3 with the phonenumbers package (pip install phonenumbers)"))
    func japaneseNumbersAgreeWithLibphonenumber() throws {
        let corpus = PhoneCorpus.make()
        let verdicts = try Self.reference(corpus)
        try #require(verdicts.count == corpus.count)
        let japan = IdentifierNormalizer()
        var valid = 0, invalid = 0, noTrunk = 0
        var kinds = Set<String>()
        for (text, verdict) in zip(corpus, verdicts) {
            let ours = japan.normalize(text, kind: .phone)
            switch (ours, verdict.valid) {
            case (.success(let e164), true):
                valid += 1
                #expect(e164 == verdict.e164, "\(text)")
                let kind = e164.utf8.withContiguousStorageIfAvailable { JapanesePhonePlan.lineKind(ofNormalized: UnsafeRawBufferPointer($0)) } ?? nil
                #expect(kind?.rawValue == verdict.type, "\(text)")
                kinds.insert(verdict.type ?? "")
            case (.failure(.phoneNoCountryCode), true):
                noTrunk += 1 // the documented difference
            case (.failure, false):
                invalid += 1
            case (.success(let e164), false):
                Issue.record("accepted \(text) as \(e164); libphonenumber calls it invalid")
            case (.failure(let failure), true):
                Issue.record("refused \(text) (\(failure)); libphonenumber: valid \(verdict.e164 ?? "")")
            }
        }
        #expect(noTrunk == 20)
        #expect(valid > 1_000 && invalid > 500)
        #expect(kinds == Set(JapaneseLineKind.allCases.map(\.rawValue)))
    }
}

/// The rows of docs/identity.md "Japanese numbers", checked without Python.
@Suite("Japanese numbering plan")
struct JapanesePhonePlanTests {
    func classify(_ nsn: String) -> Result<JapaneseLineKind, JapanesePhoneError> {
        var s = nsn
        return s.withUTF8 { JapanesePhonePlan.classify(UnsafeRawBufferPointer($0)) }
    }

    static let rows: [(String, JapaneseLineKind)] = [
        ("9012345678", .mobile), ("8012345678", .mobile), ("7012345678", .mobile), ("6012345678", .mobile),
        ("601234567", .personal), ("2012345678", .pager), ("5012345678", .ip),
        ("312345678", .fixed), ("612345678", .fixed), ("112345678", .fixed), ("466123456", .fixed),
        ("996123456", .fixed), ("120123456", .tollFree), ("8001234567", .tollFree), ("570123456", .naviDial),
        ("990123456", .premium),
    ]

    @Test(arguments: rows)
    func documentedRangesHaveTheirLineKind(nsn: String, kind: JapaneseLineKind) {
        #expect(classify(nsn) == .success(kind))
    }

    @Test(arguments: ["7001234567", "5001234567", "9001234567", "212345678", "300123456", "101234567", "461234567",
                      "960123456", "0312345678"])
    func unallocatedRangesAreRefused(nsn: String) {
        #expect(classify(nsn) == .failure(.unallocated))
    }

    @Test(arguments: ["901234567", "90123456789", "31234567", "3123456789", "12012345", "1201234567", "800123456",
                      "57012345", "20123456789", "50123456", "12"])
    func impossibleLengthsAreRefused(nsn: String) {
        #expect(classify(nsn) == .failure(.impossibleLength))
    }

    @Test func onlyBusinessRangesAreBusiness() {
        #expect(JapaneseLineKind.allCases.filter(\.isBusiness) == [.tollFree, .naviDial, .premium])
    }
}
