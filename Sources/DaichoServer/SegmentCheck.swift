import Daicho
import DaichoHTTP
import DaichoJSON
import DaichoSegments
import Foundation

/// `POST /v1/segments/check` (docs/http-api.md "Read routes"): the console's rule editor checks a rule as the user
/// types — the same validation error as `PUT /v1/segments/{name}`, or the member count the rule would have now —
/// without appending or changing anything.
extension SegmentRoutes {
    /// One check at a time: each evaluates the rule for every profile with the view locked (the live view waits
    /// meanwhile), so concurrent editors queue instead of stalling the view many times over.
    static let checking = NSLock()

    /// Checks `{"rule":"…","name":"…"}` (`name` optional: the segment being redefined, so that a cycle through it
    /// is found as `PUT` would find it): `200 {"valid":true,"members":N}`, or `400` with `PUT`'s
    /// `validation_error`.
    func check(body: [UInt8]) throws(ResponseFailure) -> HTTPResponse {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ResponseFailure(.error(400, #"the body must be a JSON object {"rule":"…"}"#))
        }
        guard let rule = object["rule"] as? String else { throw ResponseFailure(.error(400, #""rule" must be a string"#)) }
        guard let name = object["name"] as? String? else { throw ResponseFailure(.error(400, #""name" must be a string"#)) }
        Self.checking.lock()
        defer { Self.checking.unlock() }
        let members = try views.read { segments throws(ResponseFailure) -> Int in
            do {
                return try segments.membersIfDefined(rule: rule, name: name)
            } catch let error as RuleError {
                throw ResponseFailure(Self.validationError(error))
            } catch let error as StoreError where error.kind == .invalidArgument {
                throw ResponseFailure(.error(400, error.message, code: "validation_error"))
            } catch {
                throw ResponseFailure(.error(503, "the rule cannot be counted: \(error)", headers: [("Retry-After", "5")]))
            }
        }
        return .json(200, IngestRoutes.bytes(.object([JSONMember("valid", .bool(true)),
                                                      JSONMember("members", .int(Int64(members)))])))
    }
}
