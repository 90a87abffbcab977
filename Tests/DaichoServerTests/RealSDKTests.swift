import Daicho
import DaichoHTTP
import DaichoSegmentSpec
@testable import DaichoServer
import DaichoTestSupport
import Foundation
import Testing

/// The real Segment and RudderStack Python SDKs post to a server on a free port, with gzip on and off; every
/// message they send becomes the event docs/segment-compatibility.md says. The SDKs live in a venv that
/// `make test` creates (`.build/sdk-venv`); without it the test is reported skipped (in CI it must run).
@Suite(.serialized) struct RealSDKTests {
    static var python: String? {
        if let p = ProcessInfo.processInfo.environment["DAICHO_SDK_PYTHON"] { return p }
        let venv = repositoryRootURL.appendingPathComponent(".build/sdk-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    static var canRun: Bool { PythonCrossCheck.required || python != nil }

    static let script = #"""
import sys, time
host, key = sys.argv[1], sys.argv[2]
import segment.analytics as seg
for gz in (False, True):
    c = seg.Client(key, host=host, gzip=gz, sync_mode=False, max_retries=2)
    u = "seg-gz" if gz else "seg-plain"
    c.identify(u, {"email": u + "@example.jp", "plan": "premium"}, message_id=u + "-identify")
    c.track(u, "Order Completed", {"order_id": u + "-o1", "total": 5400, "currency": "JPY",
                                  "products": [{"product_id": "p1", "sku": "SKU-1", "price": 2700, "quantity": 2}]}, message_id=u + "-order")
    c.page(u, name="Home", properties={"url": "https://example.jp/", "path": "/"}, message_id=u + "-page")
    c.alias("anon-" + u, u, message_id=u + "-alias")
    c.group(u, "ACME", {"plan": "enterprise"}, message_id=u + "-group")
    c.flush()
    c.join()
from rudderstack.analytics import Client as Rudder
r = Rudder(key, host=host, sync_mode=False, max_retries=2)
r.identify("rudder-1", {"email": "rudder@example.jp"}, message_id="rudder-identify")
r.track("rudder-1", "Coupon Redeemed", {"coupon": "W"}, message_id="rudder-track")
r.flush()
r.join()
print("sent")
"""#

    @Test(.enabled(if: RealSDKTests.canRun, "the SDK venv (.build/sdk-venv, made by make test) is missing"))
    func segmentAndRudderStackSDKsAppendTheirMessages() throws {
        let python = try #require(Self.python, "DAICHO_REQUIRE_CROSS_CHECKS=1 but no SDK venv (make test creates .build/sdk-venv)")
        let t = TemporaryDirectory()
        let data = DataDirectory(t.path + "/data")
        let server = try Server.start(data, host: "127.0.0.1", port: 0)
        let keys = try ServeKeys.read(path: server.keysPath)
        let done = DispatchSemaphore(value: 0)
        Thread { server.run(); done.signal() }.start()
        let r = try runChild(python, ["-c", Self.script, server.url, keys.writeKeys[0].key])
        server.stop()
        done.wait()
        try server.finish()
        #expect(r.status == 0, "\(r.stderr)")
        let reader = try EventReader(data)
        var events: [String: Event] = [:]
        try reader.forEach { _, v in let e = try v.materialize(); events[e.id] = e; return true }
        #expect(events.count == 12, "\(events.keys.sorted())")
        for u in ["seg-plain", "seg-gz"] {
            #expect(events["\(u)-identify"]?.type == .identify)
            #expect(events["\(u)-identify"]?.identifiers.map(\.kind.name).sorted() == ["email", "user_id"])
            #expect(events["\(u)-order"]?.type == .purchase)
            #expect(events["\(u)-order"]?.props?["amount"] == .int(5400))
            #expect(events["\(u)-page"]?.type == .pageView)
            #expect(events["\(u)-alias"]?.type == .link)
            #expect(events["\(u)-group"]?.props?["traits"]?["group_id"] == .string("ACME"))
            #expect(events["\(u)-order"]?.source == "server")
        }
        #expect(events["rudder-identify"]?.identifiers.map(\.kind.name).sorted() == ["email", "user_id"]) // traits in context.traits
        #expect(events["rudder-track"]?.props?["event"] == .string("Coupon Redeemed"))
    }
}
