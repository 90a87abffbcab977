// In-process wake-ups for readers waiting on a writer in the same process. See docs/log-format.md §9.
import Foundation
import Synchronization

/// A generation counter with a condition: the writer bumps it after publishing `head`.
final class GrowthNotifier: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation: UInt64 = 0

    /// The current generation; pass it to `wait(after:upTo:)`.
    var current: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    /// Wakes every waiter.
    func signal() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the generation differs from `seen` or `seconds` have passed.
    func wait(after seen: UInt64, upTo seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        while generation == seen, condition.wait(until: deadline) {}
        condition.unlock()
    }

    private static let registry = Mutex<[String: GrowthNotifier]>([:])

    /// The notifier shared by every writer and reader of `directory` in this process.
    static func shared(for directory: String) -> GrowthNotifier {
        let key = canonical(directory)
        return registry.withLock { table in
            if let existing = table[key] { return existing }
            let created = GrowthNotifier()
            table[key] = created
            return created
        }
    }

    /// `realpath` of `path`, or `path` itself when it cannot be resolved.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
