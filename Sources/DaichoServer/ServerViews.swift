import Daicho
import DaichoHTTP
import DaichoSegments

/// The live view the read routes answer from (profiles and segments, `LiveSegments`), read only once it holds
/// every write acknowledged before the read began: a read after an acknowledged write sees the write.
final class ServerViews: @unchecked Sendable {
    let live: LiveSegments
    let committer: GroupCommitter
    /// How long a read waits for the view to reach the acknowledged writes before it answers 503.
    let maxWait: Duration

    init(live: LiveSegments, committer: GroupCommitter, maxWait: Duration = .seconds(2)) {
        self.live = live
        self.committer = committer
        self.maxWait = maxWait
    }

    /// Runs `body` on the view once it has applied every event before `offset` (default: every acknowledged write).
    /// - Parameter wait: how long to wait for that at most (default `maxWait`).
    /// - Throws: a 503 response when the view does not get there in time or stopped following the log; what
    ///   `body` throws.
    func read<T>(through offset: UInt64? = nil, waitingAtMost wait: Duration? = nil,
                 _ body: (SegmentProjection) throws(ResponseFailure) -> T) throws(ResponseFailure) -> T {
        let target = offset ?? committer.acknowledgedOffset
        guard live.wait(until: target, timeout: wait ?? maxWait) else {
            let why = live.error.map { "the view stopped following the log: \($0)" }
                ?? "the view is at offset \(live.appliedOffset), behind the acknowledged writes (offset \(target))"
            throw ResponseFailure(.error(503, why + "; retry later", headers: [("Retry-After", "1")]))
        }
        let result = live.read { segments in Result { () throws(ResponseFailure) -> T in try body(segments) } }
        return try result.get()
    }
}
