/// A run of complete NDJSON lines from one input, the unit the ingest pipeline parses in parallel.
public struct NDJSONChunk: Sendable {
    /// The input's name as shown in rejects ("-" for stdin).
    public var inputName: String
    /// 1-based line number of the first line in `bytes`.
    public var firstLine: Int
    /// Complete lines, each ended by "\n" (the last line of an input may lack it).
    public var bytes: [UInt8]
    /// Set when a line longer than the reader's hard cap was cut: its line number.
    public var truncatedLine: Int?

    public init(inputName: String, firstLine: Int, bytes: [UInt8], truncatedLine: Int? = nil) {
        self.inputName = inputName; self.firstLine = firstLine; self.bytes = bytes; self.truncatedLine = truncatedLine
    }
}
