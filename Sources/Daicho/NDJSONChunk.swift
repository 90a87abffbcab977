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
    /// Where `bytes` goes back once the chunk is parsed (set by `NDJSONChunkReader`).
    var pool: ChunkBufferPool?

    public init(inputName: String, firstLine: Int, bytes: [UInt8], truncatedLine: Int? = nil) {
        self.inputName = inputName; self.firstLine = firstLine; self.bytes = bytes; self.truncatedLine = truncatedLine
    }

    /// Hands `bytes` back to the reader that filled them, for reuse; the chunk is empty afterwards.
    mutating func recycle() {
        guard let pool else { return }
        var bytes: [UInt8] = []
        swap(&bytes, &self.bytes)
        pool.give(bytes)
    }
}
