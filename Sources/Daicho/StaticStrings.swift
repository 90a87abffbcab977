// The static string table of the batch encoding. See docs/event-encoding.md "ref".
// APPEND ONLY: an entry's index is a wire code stored in the log.

/// Well-known strings with fixed refs, so projections compare integers instead of decoding text.
public enum StaticStrings {
    /// Entry 0 is "no string". Indices are wire codes; never reorder or remove.
    public static let table: [String] = [
        "",
        // page_view
        "url", "path", "title", "referrer", "dwell_ms", "action",
        // purchase
        "order_id", "amount", "currency", "items", "sku", "qty", "price",
        // inquiry
        "channel", "category", "text", "status",
        // social_mention
        "platform", "sentiment", "reach",
        // identify, track
        "traits", "event",
        // common values
        "JPY", "USD", "EUR",
        "email", "phone", "chat", "form",
        "complaint", "question", "request", "opinion",
        "open", "pending", "resolved", "closed",
        "web", "app", "store",
        "view", "add_to_cart", "search", "click",
        "x", "instagram", "line", "youtube", "facebook", "tiktok",
        // common traits and extra props
        "name", "prefecture", "plan", "birth_year", "gender", "campaign", "utm_source", "lang", "ja",
    ]

    /// Number of static entries (`S` in the spec).
    public static let count = UInt32(table.count)

    static let utf8: [[UInt8]] = table.map { Array($0.utf8) }

    // Refs of the keys the model interprets; projections compare against these.
    public static let url = ref("url"), path = ref("path"), title = ref("title"), referrer = ref("referrer")
    public static let dwellMs = ref("dwell_ms"), action = ref("action")
    public static let orderID = ref("order_id"), amount = ref("amount"), currency = ref("currency")
    public static let items = ref("items"), sku = ref("sku"), qty = ref("qty"), price = ref("price")
    public static let channel = ref("channel"), category = ref("category"), text = ref("text"), status = ref("status")
    public static let platform = ref("platform"), sentiment = ref("sentiment"), reach = ref("reach")
    public static let traits = ref("traits"), event = ref("event")

    /// The ref of a static entry; traps on a name not in the table (a programming error).
    public static func ref(_ s: String) -> UInt32 {
        guard let i = table.firstIndex(of: s) else { preconditionFailure("\(s) is not a static string") }
        return UInt32(i)
    }
}
