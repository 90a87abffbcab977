import Foundation

/// The wall clock in microseconds since the Unix epoch: the unit of event times and frame append times.
public func wallClockMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
