import Daicho

// Which term stores an event can feed, found from the event's props instead of by evaluating every filter of its
// type (docs/segments.md "Cost"): a term whose filter requires `PROP == "text"` or `PROP in ["a", "b"]` (at its
// top, or under `and`) is keyed by PROP and the hash of each text; an event reads each keyed PROP of its type
// once (from the type's `PropsScan`) and evaluates only the terms under its value's hash, plus the terms that
// have no such key.

/// The term stores of one event type, keyed for lookup by a prop's string value.
struct TermIndex {
    /// A prop some of this type's terms require a string value of, and those terms by the value's hash.
    struct Key {
        let prop: FieldRef
        /// The prop's slot in the event type's `PropsScan`.
        let slot: Int
        var stores: [UInt64: [Int]] = [:]
    }

    /// Stores whose filter has no key: every event of the type evaluates them.
    private(set) var unkeyed: [Int] = []
    private(set) var keys: [Key] = []

    /// Adds store `id` of `term`; a key prop gets its slot in `scan` (where the term's props already are).
    mutating func add(_ id: Int, _ term: AggregateTerm, scan: inout PropsScan) {
        guard let filter = term.filter, let (prop, values) = Self.key(of: filter) else {
            unkeyed.append(id)
            return
        }
        let k = keys.firstIndex { $0.prop.key == prop.key } ?? {
            keys.append(Key(prop: prop, slot: scan.slot(of: prop)))
            return keys.count - 1
        }()
        for value in values {
            let h = Self.hash(value)
            if keys[k].stores[h]?.contains(id) != true { keys[k].stores[h, default: []].append(id) }
        }
    }

    /// Calls `body` with each store an event may feed: the unkeyed ones and those under its keyed props' values
    /// (`values`: the scan of the event's props). Each store at most once (a term has one key, and a value one
    /// hash). No allocation.
    @inline(__always)
    func forEachCandidate(_ values: [RuleValue], _ body: (Int) -> Void) {
        for id in unkeyed { body(id) }
        for key in keys {
            guard case .utf8(let bytes) = values[key.slot], let ids = key.stores[XXHash64.hash(bytes)] else { continue }
            for id in ids { body(id) }
        }
    }

    /// The prop and the string values a filter requires, when it requires one: `PROP == "x"`, `"x" == PROP`,
    /// `PROP in ["x", "y"]`, or one of those under `and` (the leftmost).
    static func key(of node: RuleNode) -> (FieldRef, [String])? {
        switch node {
        case .and(let a, let b): return key(of: a) ?? key(of: b)
        case .compare(.field(let f), .equal, .constant(.string(let s))),
             .compare(.constant(.string(let s)), .equal, .field(let f)):
            return (f, [s])
        case .member(.field(let f), let constants):
            var values: [String] = []
            for c in constants {
                guard case .string(let s) = c else { return nil }
                values.append(s)
            }
            return (f, values)
        default: return nil
        }
    }

    static func hash(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { XXHash64.hash(UnsafeRawBufferPointer($0)) }
    }
}
