import Daicho
@testable import DaichoServer
import Foundation
import Testing

/// `--trusted-proxy` (docs/http-api.md "Behind a proxy"): `X-Forwarded-For` names the client, for an ingested
/// message's `context.ip`, only when the peer is a trusted proxy; otherwise the peer is the client.
@Suite(.serialized) struct TrustedProxyTests {
    @Test func theClientIsTheRightMostUntrustedAddressOnlyBehindATrustedPeer() throws {
        let proxies = try TrustedProxies(["10.0.0.1", "10.0.0.2", "::1"])
        // An untrusted peer: whatever it forwards is ignored.
        #expect(proxies.client(peer: "198.51.100.4", forwardedFor: ["203.0.113.9"]) == "198.51.100.4")
        // A trusted peer without the header, with one, and with a chain through another trusted proxy.
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: []) == "10.0.0.1")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.9, 10.0.0.2"]) == "203.0.113.9")
        // What the client wrote itself (left of what the proxy appended) is never taken.
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["1.2.3.4", "203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["nonsense, 10.0.0.2"]) == "10.0.0.2")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["10.0.0.2"]) == "10.0.0.2")
        // IPv6 in any spelling.
        #expect(proxies.client(peer: "0:0:0:0:0:0:0:1", forwardedFor: ["2001:db8::7"]) == "2001:db8::7")
        #expect(throws: TrustedProxies.InvalidAddress.self) { try TrustedProxies(["proxy.example.jp"]) }
    }

    /// The `context.ip` of each message posted with `X-Forwarded-For: 1.2.3.4, 203.0.113.9` by a server that
    /// trusts `trusted`, read back through the Profile API.
    func contextIPs(trusted: [String]) throws -> [String: String] {
        let s = try ServingDirectory(trustedProxies: try TrustedProxies(trusted))
        let body = #"{"batch":[{"type":"track","messageId":"m1","userId":"U-1","event":"E"},"# +
            #"{"type":"track","messageId":"m2","userId":"U-1","event":"E","context":{"ip":"192.0.2.50"}}]}"#
        let ack = try s.request("POST", "/v1/batch", auth: "Basic " + Data((s.writeKey + ":").utf8).base64EncodedString(),
                                headers: ["X-Forwarded-For: 1.2.3.4, 203.0.113.9"], body: body)
        #expect(ack.json["appended"] as? Int == 2, "\(ack.body)")
        let events = try s.get("/v1/spaces/s/collections/users/profiles/user_id:U-1/events")
        var ips: [String: String] = [:]
        for e in events.data {
            ips[e["message_id"] as? String ?? ""] = (e["context"] as? [String: Any])?["ip"] as? String
        }
        return ips
    }

    @Test func aTrustedProxysForwardedClientBecomesContextIP() throws {
        #expect(try contextIPs(trusted: ["127.0.0.1"]) == ["m1": "203.0.113.9", "m2": "192.0.2.50"])
    }

    @Test func anUntrustedPeersForwardedForIsIgnored() throws {
        #expect(try contextIPs(trusted: []) == ["m1": "127.0.0.1", "m2": "192.0.2.50"])
        #expect(try contextIPs(trusted: ["10.0.0.1"]) == ["m1": "127.0.0.1", "m2": "192.0.2.50"])
    }
}
