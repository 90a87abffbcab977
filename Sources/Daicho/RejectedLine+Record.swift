import Foundation

extension RejectedLine {
    /// Appends one record of a rejects file (docs/ingest.md "Rejects file") and its newline: `input`, `line`,
    /// `reason`, and the line as it was read — `raw`, or `raw_base64` when it is not valid UTF-8 — with
    /// `"truncated": true` when only its start was kept.
    public static func appendRecord(input: String, line: Int, reason: String, bytes: some Collection<UInt8>,
                                    truncated: Bool = false, to out: inout [UInt8]) {
        var members = [JSONMember("input", .string(input)), JSONMember("line", .int(Int64(line))),
                       JSONMember("reason", .string(reason))]
        if let text = String(validating: bytes, as: UTF8.self) {
            members.append(JSONMember("raw", .string(text)))
        } else {
            members.append(JSONMember("raw_base64", .string(Data(bytes).base64EncodedString())))
        }
        if truncated { members.append(JSONMember("truncated", .bool(true))) }
        EventJSONWriter.appendValue(.object(members), to: &out)
        out.append(0x0A)
    }
}
