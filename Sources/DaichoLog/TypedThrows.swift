// Typed-throws adapters for standard library and Foundation APIs that only rethrow `any Error`.
import Foundation

extension NSLock {
    /// Runs `body` with the lock held.
    func locked<T>(_ body: () throws(LogError) -> T) throws(LogError) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Runs `body` over the bytes of `array`, keeping the typed error.
func withBytes<T>(of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(LogError) -> T) throws(LogError) -> T {
    try array.withUnsafeBytes { raw in Result { () throws(LogError) -> T in try body(raw) } }.get()
}
