import Daicho
import Testing

/// Encodes NDJSON event lines into one batch (each must be valid) and calls `body` with each decoded event.
func forEachEncodedEvent(_ lines: [String], _ body: (EventView) -> Void) throws {
    var encoder = EventLineEncoder()
    var builder = BatchBuilder()
    for line in lines {
        let reason = Array(line.utf8).withUnsafeBytes { encoder.encode(line: $0, into: &builder) }
        #expect(reason == nil, "\(line): \(reason ?? "")")
    }
    var payload: [UInt8] = []
    _ = builder.makePayload(into: &payload)
    _ = try payload.withUnsafeBytes { p in try BatchDecoder().forEach(in: p) { body($0) } }
}
