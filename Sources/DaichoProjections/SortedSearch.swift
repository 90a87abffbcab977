extension RandomAccessCollection where Index == Int {
    /// Binary search of a collection sorted ascending by `key`: the first index whose key is not below `target`
    /// (where `target` would be inserted) and whether that element's key is `target`.
    /// - Complexity: O(log n).
    @inline(__always)
    func sortedIndex<Key: Comparable>(of target: Key, by key: (Element) -> Key) -> (index: Int, found: Bool) {
        var lo = startIndex, hi = endIndex
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if key(self[mid]) < target { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < endIndex && key(self[lo]) == target)
    }
}
