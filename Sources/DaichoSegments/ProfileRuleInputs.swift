import Daicho
import DaichoProjections

/// A rule's profile field resolved against the projection once, when the segment is defined: keys (trait
/// names, map keys) become symbols of the projection's table, so evaluation does no string lookups.
enum ResolvedField {
    case fact(ProfileFact)
    case id, mergedIDs, identityMerges, identityConflicts, channels
    case identifiers(kind: UInt8)
    /// A member inside an object-valued trait (`traits.address.prefecture`).
    case nestedTrait(Symbol, path: [String])
    /// An event prop: only meaningful inside aggregate filters, never read from a profile.
    case none

    init(_ ref: FieldRef, symbols: SymbolTable) {
        let key = ref.key ?? ""
        switch ref.field {
        case .id: self = .id
        case .mergedIDs: self = .mergedIDs
        case .identifiers: self = IdentifierKind.named(key).map { .identifiers(kind: $0.code) } ?? .none
        case .identityMerges: self = .identityMerges
        case .identityConflicts: self = .identityConflicts
        case .channels: self = .channels
        case .trait where !ref.path.isEmpty: self = .nestedTrait(symbols.intern(key), path: ref.path)
        case .trait: self = .fact(.trait(symbols.intern(key)))
        case .firstSeen: self = .fact(.firstSeen)
        case .lastSeen: self = .fact(.lastSeen)
        case .events: self = .fact(.events)
        case .webPageViews: self = .fact(.webPageViews)
        case .webSessions: self = .fact(.webSessions)
        case .webDwellMs: self = .fact(.webDwellMs)
        case .webLastPage: self = .fact(.webLastPage)
        case .commerceOrders: self = .fact(.commerceOrders)
        case .commerceRevenue: self = .fact(.commerceRevenue(currency: symbols.intern(key)))
        case .commerceFirstOrderAt: self = .fact(.commerceFirstOrderAt)
        case .commerceLastOrderAt: self = .fact(.commerceLastOrderAt)
        case .commerceFrequency: self = .fact(.commerceFrequency)
        case .commerceRecencyDays: self = .fact(.commerceRecencyDays)
        case .commerceAgeDays: self = .fact(.commerceAgeDays)
        case .commerceMonetary: self = .fact(.commerceMonetary)
        case .supportInquiries: self = .fact(.supportInquiries)
        case .supportByCategory:
            self = .fact(.supportByCategory(["complaint", "question", "request", "opinion"].firstIndex(of: key) ?? 0))
        case .supportByChannel: self = .fact(.supportByChannel(symbols.intern(key)))
        case .supportOpen: self = .fact(.supportOpen)
        case .supportLastInquiryAt: self = .fact(.supportLastInquiryAt)
        case .socialMentions: self = .fact(.socialMentions)
        case .socialByPlatform: self = .fact(.socialByPlatform(symbols.intern(key)))
        case .socialAvgSentiment: self = .fact(.socialAvgSentiment)
        case .socialReach: self = .fact(.socialReach)
        case .socialLastMentionAt: self = .fact(.socialLastMentionAt)
        case .prop: self = .none
        }
    }
}

/// One profile as a segment's rule sees it at the segment clock (docs/segments.md "Evaluation interface"). Fields
/// are read from the profile projection in place: a round that evaluates only aggregate terms never touches the
/// profile's aggregates, and none is copied.
struct ProfileRuleInputs: RuleInputs {
    unowned(unsafe) let segments: SegmentProjection
    unowned(unsafe) let profiles: ProfileProjection
    var segment: SegmentState
    let p: UInt32
    var now: Int64

    init(segments: SegmentProjection, segment: SegmentState, p: UInt32, now: Int64) {
        self.segments = segments
        profiles = segments.profiles
        self.segment = segment
        self.p = p
        self.now = now
    }

    var nextBusinessDay: Int64 {
        let calendar = profiles.config.calendar
        let day = Int64(calendar.day(ofMicros: now)) + 1
        return day * 86_400_000_000 - calendar.offsetSeconds(atMicros: now) * 1_000_000
    }

    func value(_ field: FieldRef) -> RuleValue {
        switch segment.fields[field.index] {
        case .fact(let fact):
            switch profiles.fact(fact, of: p, now: now) {
            case .absent: return .absent
            case .number(let n): return .number(n)
            case .time(let t): return .time(t)
            case .bool(let b): return .bool(b)
            case .symbol(let s): return .string(profiles.symbols.string(s))
            }
        case .id: return .string(profiles.graph.id(of: p))
        case .identityMerges: return .number(Double(profiles.graph.mergedCount(of: p)))
        case .identityConflicts: return .number(Double(profiles.graph.conflicts(of: p).count))
        case .nestedTrait(let key, let path):
            switch profiles.nestedTrait(key, path: path, of: p) {
            case .string(let s)?: return .string(s)
            case .int(let i)?: return .number(Double(i))
            case .double(let d)?: return .number(d)
            case .bool(let b)?: return .bool(b)
            default: return .absent // missing, null, an array or an object
            }
        case .mergedIDs, .channels, .identifiers, .none: return .absent
        }
    }

    func list(_ field: FieldRef, contains element: UnsafeRawBufferPointer) -> Bool {
        switch segment.fields[field.index] {
        case .channels:
            guard let symbol = profiles.symbols.lookup(element) else { return false }
            return profiles.hasChannel(symbol, of: p)
        case .mergedIDs:
            return profiles.graph.mergedIDs(of: p).contains { $0.utf8.elementsEqual(element) }
        case .identifiers(let kind):
            return profiles.graph.hasIdentifier(of: p, kind: kind, value: element)
        default: return false
        }
    }

    func listIsEmpty(_ field: FieldRef) -> Bool {
        switch segment.fields[field.index] {
        case .channels: return profiles.channelCount(of: p) == 0
        case .mergedIDs: return profiles.graph.mergedCount(of: p) == 0
        case .identifiers(let kind): return profiles.graph.identifierCount(of: p, kind: kind) == 0
        default: return true
        }
    }

    func aggregate(_ term: Int) -> AggregateValue {
        segments.stores[segment.terms[term]]!.value(p, now: now)
    }

    func nextChange(ofTerm term: Int) -> Int64? {
        segments.stores[segment.terms[term]]!.nextChange(p, now: now)
    }

    func isMember(ofSegment i: Int) -> Bool {
        segment.referenced[i]?.members.contains(p) ?? false
    }
}
