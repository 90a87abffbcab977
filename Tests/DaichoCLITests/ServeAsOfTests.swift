import DaichoHTTP
import Foundation
import Testing

/// `?as_of=` on `GET /v1/profiles/{selector}` and `…/timeline` of a running `daicho serve` (docs/http-api.md "Read
/// routes"): the answers equal what `daicho profile --as-of` and `daicho timeline --as-of` print for the same
/// directory, with and without segments, while the server keeps serving the present and taking writes.
@Suite(.serialized) struct ServeAsOfTests {
    /// Taro buys on May 1, 5 and 10 (UTC); his phone joins him on May 7; Hanako buys on May 3.
    static let lines = [
        purchaseLine("t1", "taro@example.jp", at: "2026-05-01T10:00:00Z"),
        purchaseLine("h1", "hanako@example.jp", at: "2026-05-03T10:00:00Z"),
        purchaseLine("t2", "taro@example.jp", at: "2026-05-05T10:00:00Z"),
        #"{"id":"i1","type":"identify","at":"2026-05-07T10:00:00Z","ids":{"email":"taro@example.jp","phone":"090-1234-5678"},"props":{"traits":{"plan":"gold"}}}"#,
        purchaseLine("t3", "taro@example.jp", at: "2026-05-10T10:00:00Z"),
    ]

    /// The last one is after the segment of the second test was defined (at the wall clock): its members show.
    static let times = ["2026-05-02", "2026-05-05", "2026-05-06T00:00:00Z", "2026-05-08T09:00:00+09:00", "2026-05-31", "2099-01-01"]

    /// Compares each as-of answer of the server with the CLI's for the same directory.
    static func compare(_ data: String, _ s: ServeCommandTests.Serving, token: String) throws {
        for time in times {
            let encoded = time.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-:.")))!
            let cli = try daicho(["profile", "--data", data, "--email", "taro@example.jp", "--as-of", time])
            #expect(cli.status == 0, "\(cli.stderr)")
            let http = try s.get("/v1/profiles/email:taro%40example.jp?as_of=\(encoded)", token: token)
            #expect(http.status == 200)
            #expect(String(decoding: http.body, as: UTF8.self) == cli.stdout.trimmingCharacters(in: .newlines), "as of \(time)")

            let lines = try daicho(["timeline", "--data", data, "--email", "taro@example.jp", "--as-of", time]).stdout
                .split(separator: "\n").map { ServeCommandTests.object(Array($0.utf8)) }
            let page = try s.get("/v1/profiles/email:taro%40example.jp/timeline?as_of=\(encoded)", token: token)
            #expect(page.status == 200)
            let items = (ServeCommandTests.object(page.body)["data"] as? [NSDictionary]) ?? []
            #expect(items == lines, "timeline as of \(time)")
        }
        // By phone: before May 7 the phone names nobody (404, as the CLI's exit 3); after, Taro.
        #expect(try daicho(["profile", "--data", data, "--phone", "090-1234-5678", "--as-of", "2026-05-06"]).status == 3)
        let before = try s.get("/v1/profiles/phone:090-1234-5678?as_of=2026-05-06", token: token)
        #expect(before.status == 404)
        #expect(!String(decoding: before.body, as: UTF8.self).contains("1234-5678"), "the 404 masks the phone")
        let after = try daicho(["profile", "--data", data, "--phone", "090-1234-5678", "--as-of", "2026-05-08"])
        #expect(String(decoding: try s.get("/v1/profiles/phone:090-1234-5678?as_of=2026-05-08", token: token).body, as: UTF8.self)
                == after.stdout.trimmingCharacters(in: .newlines))
        #expect(try s.get("/v1/profiles/email:taro%40example.jp?as_of=yesterday", token: token).status == 400)
    }

    @Test func asOfAnswersEqualTheCLIsWithoutSegments() throws {
        let t = TemporaryDirectory()
        let data = try dataDirectory(t, appending: Self.lines)
        let s = try ServeCommandTests.Serving(data)
        let (write, read) = try s.keys(data)
        try Self.compare(data, s, token: read)
        // The live view and the writer are undisturbed: a write is taken and read back at once.
        let ack = try s.post(#"{"batch":[{"type":"identify","messageId":"m1","userId":"U1","traits":{"email":"taro@example.jp"}}]}"#, key: write)
        #expect(ack.status == 200)
        let now = ServeCommandTests.object(try s.get("/v1/profiles/user_id:U1", token: read).body)
        #expect((now["commerce"] as? NSDictionary)?["orders"] as? Int == 3)
        #expect(s.terminate().status == 0)
    }

    @Test func asOfAnswersEqualTheCLIsWithSegments() throws {
        let t = TemporaryDirectory()
        let data = try dataDirectory(t, appending: Self.lines)
        let defined = try daicho(["segment", "define", "--data", data, "repeat_buyers", "commerce.orders >= 2"])
        #expect(defined.status == 0, "\(defined.stderr)")
        let s = try ServeCommandTests.Serving(data)
        let (_, read) = try s.keys(data)
        try Self.compare(data, s, token: read)
        #expect(s.terminate().status == 0)
    }
}
