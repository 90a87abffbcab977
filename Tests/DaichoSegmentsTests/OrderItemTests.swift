import Daicho
import Testing
@testable import DaichoSegments

/// Issue 8: `count(purchase where props.items contains "sku-1") > 0` was accepted and matched nobody.
/// Conditions on an order's items are written `any item where …` and checked against each element.
@Suite struct OrderItemTests {
    func contributions(_ rule: String, _ itemsOfOrders: [String]) throws -> [Bool] {
        let term = try CompiledRule(compiling: rule).terms[0]
        let lines = itemsOfOrders.enumerated().map { n, items in
            #"{"id":"o\#(n)","type":"purchase","at":"2026-01-01T00:00:00Z","ids":{"user_id":"u"},"props":{"order_id":"o\#(n)","amount":100,"currency":"JPY"\#(items.isEmpty ? "" : ",\"items\":" + items)}}"#
        }
        var out: [Bool] = []
        try forEachEncodedEvent(lines) { out.append(term.contribution(of: $0) != nil) }
        return out
    }

    /// Orders, and whether each has an item matching each rule, written out by hand (the reference).
    static let orders = [
        #"[{"sku":"sku-1","qty":1,"price":500}]"#,
        #"[{"sku":"sku-2","qty":3,"price":200,"category":"shoes"},{"sku":"sku-1","qty":2,"price":500,"category":"bags"}]"#,
        #"[{"sku":"sku-3","qty":5,"price":100,"category":"shoes"}]"#,
        "",
        "[]",
    ]

    @Test(arguments: [
        ("count(purchase where any item where sku == \"sku-1\") > 0", [true, true, false, false, false]),
        ("count(purchase where any item where sku == \"sku-1\" and qty >= 2) > 0", [false, true, false, false, false]),
        ("count(purchase where any item where item.category == \"shoes\") > 0", [false, true, true, false, false]),
        ("count(purchase where any item where qty * price >= 500) > 0", [true, true, true, false, false]),
        ("count(purchase where (any item where sku == \"sku-3\") or amount > 1000) > 0", [false, false, true, false, false]),
        ("count(purchase where not any item where sku == \"sku-1\") > 0", [false, false, true, true, true]),
        ("count(purchase where any item where item.colour == \"red\") > 0", [false, false, false, false, false]),
    ])
    func anyItemTestsEachElement(rule: String, expected: [Bool]) throws {
        #expect(try contributions(rule, Self.orders) == expected)
    }

    @Test(arguments: [
        ("count(purchase where any item where colour == \"red\") > 0",
         "1:37: unknown member colour of an order item; expected one of sku, qty, price, or item.NAME"),
        ("count(page_view where any item where sku == \"a\") > 0",
         "1:23: any item where … is for the items of a purchase: count(purchase where any item where sku == \"…\")"),
        ("any item where sku == \"a\"", "1:1: any item where … is for the items of a purchase: count(purchase where any item where sku == \"…\")"),
        ("count(purchase where any item where qty == \"2\") > 0", "1:41: cannot compare number with string"),
        ("count(purchase where any sku == \"a\") > 0", "1:26: expected item after any (any item where …), found sku"),
    ])
    func anyItemErrors(rule: String, message: String) {
        let error = #expect(throws: RuleError.self) { try CompiledRule(compiling: rule) }
        #expect(error.map { "\($0.line):\($0.column): \($0.message)" } == message)
    }
}
