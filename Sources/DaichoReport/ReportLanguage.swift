// The languages a report is written in (docs/console.md "Report").

/// The language of every label, caption and reading in a report.
public enum ReportLanguage: String, Sendable, CaseIterable {
    /// Japanese.
    case ja
    /// English.
    case en
}
