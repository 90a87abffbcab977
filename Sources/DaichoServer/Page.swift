import Daicho
import DaichoHTTP

/// One page of a listing, as the read routes answer it: `{"data":[item…],"next":cursor or null}`
/// (docs/http-api.md "Read routes"; cursors are opaque strings).
struct Page {
    private var out: [UInt8] = Array(#"{"data":["#.utf8)
    private var empty = true

    /// Appends an item.
    mutating func add(_ value: JSONValue) {
        add { EventJSONWriter.appendValue(value, to: &$0) }
    }

    /// Appends an item that `write` appends as JSON.
    mutating func add(_ write: (inout [UInt8]) -> Void) {
        if !empty { out.append(UInt8(ascii: ",")) }
        empty = false
        write(&out)
    }

    /// The 200 response, with `next` the cursor of the following page (nil on the last page).
    func response(next: String?) -> HTTPResponse {
        var body = out
        body.append(contentsOf: Array(#"],"next":"#.utf8))
        body.append(contentsOf: Array((next.map(jsonString) ?? "null").utf8))
        body.append(UInt8(ascii: "}"))
        return .json(200, body)
    }
}
