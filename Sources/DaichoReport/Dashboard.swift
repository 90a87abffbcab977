// The dashboard object of docs/console.md "The dashboard object", as the report reads it.

/// Every panel of one dashboard object. Per-day arrays have one entry per `range.days`, per-week arrays one per
/// `range.weeks` (checked when read).
struct Dashboard {
    /// A panel's one-line reading in both languages.
    struct Reading {
        var ja: String
        var en: String

        func text(_ language: ReportLanguage) -> String { language == .ja ? ja : en }
    }

    struct Range {
        var from: String
        var to: String
        var days: [String]
        var weeks: [String]
        var timeZone: String
        var asOf: String?
    }

    struct Totals {
        var events: Int64
        var profiles: Int64
        var eventsInRange: Int64
        var logEndOffset: Int64
    }

    struct EventType {
        var type: String
        var perDay: [Int64]
        var total: Int64
    }

    struct Events {
        var types: [EventType]
        var reading: Reading
    }

    struct Currency {
        var currency: String
        var perDay: [Money]
        var total: Money
        var orders: Int64
    }

    struct SourceRow {
        var currency: String
        var source: String
        var revenue: Money
        var orders: Int64
    }

    struct Revenue {
        var currencies: [Currency]
        var bySource: [SourceRow]
        var reading: Reading
    }

    struct Buyers {
        var newPerDay: [Int64]
        var returningPerDay: [Int64]
        var new: Int64
        var returning: Int64
        var returningShare: Double
        var reading: Reading
    }

    struct RFMCell {
        var r: Int
        var f: Int
        var customers: Int64
        var revenue: Money
    }

    struct RFM {
        /// The RFM currency; nil when no profile bought in the range.
        var currency: String?
        var customers: Int64
        /// The largest recency (days) of quintiles 5, 4, 3, 2; nil where ties left that quintile empty.
        var recencyBounds: [Int64?]
        /// The largest frequency of quintiles 1, 2, 3, 4; nil where ties left that quintile empty.
        var frequencyBounds: [Int64?]
        var cells: [RFMCell]
        var reading: Reading

        /// The cell (r, f), or nil when the object left it out.
        func cell(r: Int, f: Int) -> RFMCell? { cells.first { $0.r == r && $0.f == f } }
    }

    struct Category {
        var category: String
        var openedPerWeek: [Int64]
        var closedPerWeek: [Int64]
        var opened: Int64
        var closed: Int64
    }

    struct VoC {
        var categories: [Category]
        var openAtEnd: Int64
        var reading: Reading
    }

    struct Platform {
        var platform: String
        var mentionsPerWeek: [Int64]
        /// Mean sentiment per week; nil where no mention of the week carried one.
        var sentimentPerWeek: [Double?]
        var reachPerWeek: [Int64]
        var mentions: Int64
        var sentiment: Double?
    }

    struct Social {
        var platforms: [Platform]
        var reading: Reading
    }

    struct Identity {
        var mergesPerDay: [Int64]
        var refusedPerDay: [Int64]
        var newProfilesPerDay: [Int64]
        var merges: Int64
        var refused: Int64
        var newProfiles: Int64
        /// Identifier kind → living profiles holding one, in the object's order.
        var profilesByKind: [(kind: String, profiles: Int64)]
        var reading: Reading
    }

    var range: Range
    var totals: Totals
    var events: Events
    var revenue: Revenue
    var buyers: Buyers
    var rfm: RFM
    var voc: VoC
    var social: Social
    var identity: Identity
}
