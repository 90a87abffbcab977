import Daicho
import DaichoJSON

/// A purchase in JPY by the customer with `email` (order id `o-<id>`), as the segment tests append it.
func purchase(_ id: String, _ email: String, at: Int64, amount: Int64 = 1000) -> Event {
    Event(id: id, type: .purchase, at: at, source: "web", identifiers: [Identifier(kind: .email, normalized: "", raw: email)],
          props: .object([JSONMember("order_id", .string("o-\(id)")), JSONMember("amount", .int(amount)),
                          JSONMember("currency", .string("JPY"))]))
}
