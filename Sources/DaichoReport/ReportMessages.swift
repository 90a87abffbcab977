// Every label of the report in Japanese and English: two tables with the same keys (checked by a test).
// Placeholders `{name}` are filled by ReportMessages.text(_:_:_:); both languages use the same placeholders.

import Foundation

/// The key of one label of the report.
enum ReportMessage: String, CaseIterable, Sendable {
    case reportTitle, period, timeZone, asOf, asOfLatest, dataDirectory, eventsInLog, eventsInRange, profiles
    case logEndOffset, generatedNote, contents
    case panelEvents, panelRevenue, panelBySource, panelBuyers, panelRFM, panelVoC, panelSocial, panelIdentity
    case panelProfilesByKind
    case noEvents, noPurchases, noBuyers, noRFMCustomers, noInquiries, noMentions, noIdentityChanges
    case day, month, week, total, currency, source, revenue, orders
    case newBuyers, returningBuyers, returningShare, customers, recency, frequency, recencyDays, frequencyDays
    case rfmSummary, rfmCell, opened, closed, openAtEnd, vocLegend
    case platform, mentions, sentiment, reach, socialLegend
    case merges, refused, newProfiles, identifierKind, profilesHolding
    case monthlyTable, dayTick, monthTick, monthYearTick
    case categoryComplaint, categoryQuestion, categoryRequest, categoryOpinion, categoryNone
    case month1, month2, month3, month4, month5, month6, month7, month8, month9, month10, month11, month12
}

/// The message tables and their lookup.
enum ReportMessages {
    /// The text of `key` in `language` with every `{name}` replaced by its value in `values`.
    static func text(_ key: ReportMessage, _ language: ReportLanguage, _ values: [String: String] = [:]) -> String {
        var text = (language == .ja ? ja : en)[key] ?? key.rawValue
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// The name of month `month` (1…12).
    static func monthName(_ month: Int, _ language: ReportLanguage) -> String {
        let keys: [ReportMessage] = [.month1, .month2, .month3, .month4, .month5, .month6, .month7, .month8, .month9,
                                     .month10, .month11, .month12]
        return text(keys[(month - 1) % 12], language)
    }

    /// The label of an inquiry category: the four of docs/console.md and `(none)` translated, any other as sent.
    static func category(_ name: String, _ language: ReportLanguage) -> String {
        switch name {
        case "complaint": return text(.categoryComplaint, language)
        case "question": return text(.categoryQuestion, language)
        case "request": return text(.categoryRequest, language)
        case "opinion": return text(.categoryOpinion, language)
        case "(none)": return text(.categoryNone, language)
        default: return name
        }
    }

    static let ja: [ReportMessage: String] = [
        .reportTitle: "ダッシュボード レポート",
        .period: "期間",
        .timeZone: "タイムゾーン",
        .asOf: "時点",
        .asOfLatest: "最新（ログの末尾まで）",
        .dataDirectory: "データディレクトリ",
        .eventsInLog: "ログのイベント数",
        .eventsInRange: "期間内のイベント数",
        .profiles: "プロファイル数",
        .logEndOffset: "ログ末尾のオフセット",
        .generatedNote: "daicho report が {dir} のログ（オフセット {offset} まで）から作成しました。数値はすべてイベントから集計した正確な値です。",
        .contents: "目次",
        .panelEvents: "日別イベント数（種類別）",
        .panelRevenue: "日別売上（通貨別）",
        .panelBySource: "ソース・チャネル別の売上",
        .panelBuyers: "新規顧客とリピート顧客",
        .panelRFM: "RFM グリッド",
        .panelVoC: "顧客の声（問い合わせ）",
        .panelSocial: "ソーシャル",
        .panelIdentity: "ID の健全性",
        .panelProfilesByKind: "識別子の種類別プロファイル数",
        .noEvents: "この期間のイベントはありません",
        .noPurchases: "この期間の購入はありません",
        .noBuyers: "この期間に購入した顧客はいません",
        .noRFMCustomers: "この期間に購入した顧客がいないため、RFM グリッドは空です",
        .noInquiries: "この期間の問い合わせはありません",
        .noMentions: "この期間の言及はありません",
        .noIdentityChanges: "この期間の統合・統合拒否・新規プロファイルはありません",
        .day: "日付",
        .month: "月",
        .week: "週",
        .total: "合計",
        .currency: "通貨",
        .source: "ソース",
        .revenue: "売上",
        .orders: "注文数",
        .newBuyers: "新規",
        .returningBuyers: "リピート",
        .returningShare: "リピート率",
        .customers: "顧客数",
        .recency: "リセンシー（最終購入からの日数）",
        .frequency: "フリークエンシー（購入日数 − 1）",
        .recencyDays: "{range} 日",
        .frequencyDays: "{range} 回",
        .rfmSummary: "RFM 通貨 {currency}・期間内に購入した顧客 {customers} 人",
        .rfmCell: "R{r} F{f}: 顧客 {customers} 人、売上 {revenue}",
        .opened: "受付",
        .closed: "完了",
        .openAtEnd: "期間末の未完了: {count} 件",
        .vocLegend: "各週の左の棒が受付、右の淡い棒が完了です。",
        .platform: "プラットフォーム",
        .mentions: "言及数",
        .sentiment: "平均センチメント",
        .reach: "リーチ",
        .socialLegend: "棒は言及数（左軸）、破線は平均センチメント（右軸、−1〜1）です。",
        .merges: "統合",
        .refused: "統合拒否",
        .newProfiles: "新規プロファイル",
        .identifierKind: "識別子の種類",
        .profilesHolding: "保有プロファイル数",
        .monthlyTable: "表は月ごとの合計です（日ごとの値はグラフに記録されています）。",
        .dayTick: "{month}/{day}",
        .monthTick: "{name}",
        .monthYearTick: "{year}年{name}",
        .categoryComplaint: "苦情",
        .categoryQuestion: "質問",
        .categoryRequest: "要望",
        .categoryOpinion: "意見",
        .categoryNone: "（カテゴリなし）",
        .month1: "1月", .month2: "2月", .month3: "3月", .month4: "4月", .month5: "5月", .month6: "6月",
        .month7: "7月", .month8: "8月", .month9: "9月", .month10: "10月", .month11: "11月", .month12: "12月",
    ]

    static let en: [ReportMessage: String] = [
        .reportTitle: "Dashboard report",
        .period: "Period",
        .timeZone: "Time zone",
        .asOf: "As of",
        .asOfLatest: "Latest (to the end of the log)",
        .dataDirectory: "Data directory",
        .eventsInLog: "Events in the log",
        .eventsInRange: "Events in the period",
        .profiles: "Profiles",
        .logEndOffset: "Log end offset",
        .generatedNote: "Made by daicho report from the log in {dir} (up to offset {offset}). Every figure is exact, counted from the events.",
        .contents: "Contents",
        .panelEvents: "Events per day by type",
        .panelRevenue: "Revenue per day by currency",
        .panelBySource: "Revenue by source / channel",
        .panelBuyers: "New vs returning customers",
        .panelRFM: "RFM grid",
        .panelVoC: "Voice of the customer",
        .panelSocial: "Social",
        .panelIdentity: "Identity health",
        .panelProfilesByKind: "Profiles per identifier kind",
        .noEvents: "No events in this period",
        .noPurchases: "No purchases in this period",
        .noBuyers: "No customer bought in this period",
        .noRFMCustomers: "No customer bought in this period, so the RFM grid is empty",
        .noInquiries: "No inquiries in this period",
        .noMentions: "No mentions in this period",
        .noIdentityChanges: "No merges, refused merges or new profiles in this period",
        .day: "Day",
        .month: "Month",
        .week: "Week",
        .total: "Total",
        .currency: "Currency",
        .source: "Source",
        .revenue: "Revenue",
        .orders: "Orders",
        .newBuyers: "New",
        .returningBuyers: "Returning",
        .returningShare: "Returning share",
        .customers: "Customers",
        .recency: "Recency (days since the last purchase)",
        .frequency: "Frequency (purchase days − 1)",
        .recencyDays: "{range} d",
        .frequencyDays: "{range}",
        .rfmSummary: "RFM currency {currency}; {customers} customers bought in the period",
        .rfmCell: "R{r} F{f}: {customers} customers, revenue {revenue}",
        .opened: "Opened",
        .closed: "Closed",
        .openAtEnd: "Open at the period's end: {count}",
        .vocLegend: "Each week: the left bar is opened, the light right bar closed.",
        .platform: "Platform",
        .mentions: "Mentions",
        .sentiment: "Mean sentiment",
        .reach: "Reach",
        .socialLegend: "Bars: mentions (left axis). Dashed lines: mean sentiment (right axis, −1 to 1).",
        .merges: "Merges",
        .refused: "Refused merges",
        .newProfiles: "New profiles",
        .identifierKind: "Identifier kind",
        .profilesHolding: "Profiles holding one",
        .monthlyTable: "The table sums each month (the chart holds every day's figure).",
        .dayTick: "{month}/{day}",
        .monthTick: "{name}",
        .monthYearTick: "{name} {year}",
        .categoryComplaint: "Complaint",
        .categoryQuestion: "Question",
        .categoryRequest: "Request",
        .categoryOpinion: "Opinion",
        .categoryNone: "(no category)",
        .month1: "Jan", .month2: "Feb", .month3: "Mar", .month4: "Apr", .month5: "May", .month6: "Jun",
        .month7: "Jul", .month8: "Aug", .month9: "Sep", .month10: "Oct", .month11: "Nov", .month12: "Dec",
    ]
}
