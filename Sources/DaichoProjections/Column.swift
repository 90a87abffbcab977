import Foundation
import CPrefetch

/// A growable array of plain values, owned by one projection structure.
///
/// Its storage is its own heap allocation, or a range of a snapshot section decompressed into memory shared by
/// the section's columns (`MappedFile`): a loaded snapshot is used in place, and the first append that outgrows
/// the range moves the column to the heap. No copy-on-write checks, unlike `Array`:
/// a column is never shared. Not thread-safe.
final class Column<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count: Int
    private(set) var capacity: Int
    /// The mapping `base` points into, kept alive; nil when the storage is owned.
    private var mapping: MappedFile?

    /// An empty column.
    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    /// `count` copies of `value`.
    convenience init(repeating value: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    /// A column over `count` elements of a snapshot section's memory at `pointer` (aligned for `Element`).
    init(mapped pointer: UnsafeMutableRawPointer, count: Int, mapping: MappedFile) {
        precondition(Int(bitPattern: pointer) % MemoryLayout<Element>.alignment == 0, "misaligned column")
        base = pointer.assumingMemoryBound(to: Element.self)
        self.count = count
        capacity = count
        self.mapping = mapping
    }

    deinit {
        if mapping == nil { base.deallocate() }
    }

    @inline(__always)
    subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "column index out of range")
            return base[i]
        }
        set {
            precondition(i >= 0 && i < count, "column index out of range")
            base[i] = newValue
        }
    }

    /// Hints the CPU to fetch element `i` ahead of its use; a no-op for an index not in the column.
    @inline(__always)
    func prefetch(_ i: Int) {
        guard i < count else { return }
        daicho_prefetch(UnsafeRawPointer(base + i))
    }

    var last: Element? { count == 0 ? nil : base[count - 1] }

    /// The elements as a buffer (valid until the next append).
    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Bytes of the elements (valid until the next append).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }

    @inline(__always)
    func append(_ value: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: value)
        count += 1
    }

    func append(contentsOf values: UnsafeBufferPointer<Element>) {
        if count + values.count > capacity { grow(to: count + values.count) }
        if let source = values.baseAddress { (base + count).initialize(from: source, count: values.count) }
        count += values.count
    }

    /// Empties the column, keeping its storage (a per-frame buffer refilled for each frame).
    func removeAll() { count = 0 }

    /// Makes room for `n` elements in all, so appending up to there neither moves nor over-allocates.
    func reserveCapacity(_ n: Int) {
        if n > capacity { grow(to: n, exactly: true) }
    }

    /// Moves the storage to a heap allocation of at least `minimum` elements (growing by half: at most a third of
    /// a grown column is unused, against half when doubling; the extra copies cost about one more per element).
    private func grow(to minimum: Int, exactly: Bool = false) {
        let newCapacity = exactly ? minimum : max(minimum, capacity + capacity / 2, 16)
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        fresh.initialize(from: base, count: count)
        if mapping == nil { base.deallocate() }
        mapping = nil
        base = fresh
        capacity = newCapacity
    }

    /// Bytes held on the heap (a mapped column counts its mapped range, as it is resident when used).
    var memoryBytes: Int { capacity * MemoryLayout<Element>.stride }

    /// Whether every element satisfies `predicate`.
    func allSatisfy(_ predicate: (Element) -> Bool) -> Bool { buffer.allSatisfy(predicate) }
}

extension Column where Element == UInt8 {
    func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }
}

extension SnapshotWriter {
    /// A column: its count, zero padding to a 16-byte boundary of the section, then its elements' memory
    /// (little-endian hosts), so a reader can use the bytes in place.
    mutating func column<T: BitwiseCopyable>(_ c: Column<T>) {
        count(c.count)
        while bytes.count % 16 != 0 { bytes.append(0) }
        bytes.append(contentsOf: c.bytes)
    }
}

extension SnapshotReader {
    /// A column written by `SnapshotWriter.column`, in place in `mapping` (the reader's base must be 16-byte
    /// aligned and inside the mapping).
    mutating func column<T: BitwiseCopyable>(of: T.Type, in mapping: MappedFile) throws(SnapshotError) -> Column<T> {
        let n = try count(minimumBytes: MemoryLayout<T>.stride)
        let pad = (16 - position % 16) % 16
        _ = try bytes(pad)
        let raw = try bytes(n * MemoryLayout<T>.stride)
        return Column(mapped: UnsafeMutableRawPointer(mutating: raw.baseAddress ?? mapping.bytes.baseAddress!), count: n,
                      mapping: mapping)
    }
}
