import Foundation

/// Starts `body` on a new thread. For owners that guarantee exclusive access themselves (the projection worker
/// guards its state with locks), so the closure need not be `@Sendable`.
func startBackgroundThread(name: String, _ body: @escaping () -> Void) {
    let box = UncheckedSendable(body)
    let thread = Thread { box.value() }
    thread.name = name
    thread.start()
}

/// Carries a value the owner synchronizes by other means across a `@Sendable` boundary.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
