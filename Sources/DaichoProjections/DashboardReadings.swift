import Daicho

// The one-line reading of each dashboard panel, in Japanese and English, by the fixed rules of docs/console.md
// "Readings". Numbers are written plainly: integers without grouping, money as the exact decimal, percentages
// rounded to whole numbers, sentiments to two decimals with a sign.

/// The panels' readings.
enum DashboardReadings {
    static func reading(ja: String, en: String) -> JSONValue {
        .object([JSONMember("ja", .string(ja)), JSONMember("en", .string(en))])
    }

    /// `part` as a whole percentage of `whole` (> 0).
    static func percent(_ part: Int128, of whole: Int128) -> String {
        String(Int((Double(part) / Double(whole) * 100).rounded()))
    }

    /// The change from `before` to `now` as "+35 %" (en) and "+35%" (ja); nil when `before` is 0.
    static func change(_ now: Int64, _ before: Int64) -> (ja: String, en: String)? {
        guard before != 0 else { return nil }
        let p = Int((Double(now - before) / Double(before) * 100).rounded())
        let signed = (p >= 0 ? "+" : "") + String(p)
        return (signed + "%", signed + " %")
    }

    /// "1 order", "2 orders": a count and its noun, plural unless 1.
    static func count(_ n: some BinaryInteger, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }

    static func sentiment(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let sign = hundredths > 0 ? "+" : hundredths < 0 ? "-" : ""
        let m = abs(hundredths)
        return sign + String(m / 100) + "." + (m % 100 < 10 ? "0" : "") + String(m % 100)
    }

    static let categoryJa = ["苦情", "質問", "要望", "意見", "分類なし"]
    static let categoryEn = ["Complaint", "Question", "Request", "Opinion", "Uncategorized"]

    /// Events of the last 7 days against the 7 before (ranges of 14 days or more), else the range's total.
    static func events(_ f: DashboardFigures) -> JSONValue {
        let perDay = (0..<f.range.count).map { i in f.eventsPerType.reduce(0) { $0 + $1[i] } }
        guard perDay.count >= 14 else {
            let n = perDay.reduce(0, +)
            return reading(ja: "期間中のイベントは\(n)件", en: "Events in the range: \(n)")
        }
        let last = perDay.suffix(7).reduce(0, +), before = perDay.dropLast(7).suffix(7).reduce(0, +)
        guard let c = change(last, before) else {
            return reading(ja: "直近7日間のイベントは\(last)件（その前の7日間は0件）",
                           en: "Events in the last 7 days: \(last) (none in the 7 days before)")
        }
        return reading(ja: "直近7日間のイベントは\(last)件（その前の7日間比 \(c.ja)）",
                       en: "Events in the last 7 days: \(last) (\(c.en) on the 7 days before)")
    }

    /// The currency with the most orders (ties: its code): its revenue, orders and top source's share.
    static func revenue(_ f: DashboardFigures) -> JSONValue {
        guard let top = f.currencies.max(by: { ($0.orders, $1.name) < ($1.orders, $0.name) }) else {
            return reading(ja: "期間中の売上はありません", en: "No revenue in the range")
        }
        let money = Dashboard.money(top.total)
        let orders = count(top.orders, "order")
        guard let source = f.sources.first(where: { $0.currency == top.name }), top.total > 0 else {
            return reading(ja: "\(top.name)の売上は\(money)（注文\(top.orders)件）", en: "\(top.name) \(money) from \(orders)")
        }
        let share = percent(source.revenue, of: top.total)
        return reading(ja: "\(top.name)の売上は\(money)（注文\(top.orders)件）、最大のソースは\(source.source)（\(share)%）",
                       en: "\(top.name) \(money) from \(orders); top source \(source.source) (\(share) %)")
    }

    /// The share of returning buyers among buyer-days.
    static func buyers(_ f: DashboardFigures) -> JSONValue {
        let (new, returning) = f.buyersTotals
        guard new + returning > 0 else { return reading(ja: "期間中の購入はありません", en: "No purchases in the range") }
        let share = percent(Int128(returning), of: Int128(new + returning))
        return reading(ja: "リピート購入者の割合は\(share)%（延べ購入者\(new + returning)、うちリピート\(returning)、新規\(new)）",
                       en: "Returning buyers: \(share) % of \(count(new + returning, "buyer-day")) (\(returning) returning, \(new) new)")
    }

    /// The largest cell (most customers; ties: the first in cell order) and the R5 F5 cell.
    static func rfm(_ g: DashboardRFM) -> JSONValue {
        guard !g.customers.isEmpty else {
            return reading(ja: "期間中に\(g.currency)で購入した顧客はいません", en: "No customer bought in \(g.currency) in the range")
        }
        let cells = g.cells
        var best = cells[0]
        for c in cells where c.customers > best.customers { best = c }
        let champions = cells[4].customers // r 5, f 5
        let share = percent(Int128(best.customers), of: Int128(g.customers.count))
        return reading(ja: "対象顧客\(g.customers.count)人、最多のセルはR\(best.r)・F\(best.f)（\(best.customers)人、\(share)%）、R5・F5は\(champions)人",
                       en: "\(count(g.customers.count, "customer")); the largest cell is R\(best.r) F\(best.f) with \(best.customers) (\(share) %); R5 F5 holds \(champions)")
    }

    /// The category with the most inquiries opened in the range's last week (ties: the most the week before, then
    /// category order) against the week before (one week:
    /// the range's total), and the open count at the end.
    static func voc(_ f: DashboardFigures) -> JSONValue {
        let open = f.openAtEnd
        guard f.weeks.count >= 2 else {
            let n = f.opened.reduce(0) { $0 + $1.reduce(0, +) }
            return reading(ja: "期間中の新規問い合わせは\(n)件、期間末の未対応は\(open)件",
                           en: "Inquiries opened in the range: \(n); \(open) open at the range's end")
        }
        let last = f.weeks.count - 1
        let top = f.categories.max {
            (f.opened[$0][last], f.opened[$0][last - 1], $1) < (f.opened[$1][last], f.opened[$1][last - 1], $0)
        }!
        let now = f.opened[top][last], before = f.opened[top][last - 1], week = f.weeks[last]
        guard now + before > 0 else {
            return reading(ja: "直近2週間に新規の問い合わせはありません。期間末の未対応は\(open)件",
                           en: "No inquiries opened in the last two weeks; \(open) open at the range's end")
        }
        let (ja, en) = change(now, before).map { ("前週比 \($0.ja)", "\($0.en) on the week before") } ?? ("前週は0件", "none the week before")
        return reading(ja: "\(categoryJa[top])の問い合わせが\(week)に\(now)件（\(ja)）、期間末の未対応は\(open)件",
                       en: "\(categoryEn[top]) inquiries opened in \(week): \(now) (\(en)); \(open) open at the range's end")
    }

    /// Mentions and the top platform; the mean sentiment of the last week against the week before when both have
    /// one, else over the range.
    static func social(_ f: DashboardFigures) -> JSONValue {
        let platforms = f.platforms
        let n = platforms.reduce(0) { $0 + $1.total.mentions }
        guard n > 0, let top = platforms.first else { return reading(ja: "期間中の言及はありません", en: "No mentions in the range") }
        var weeks = [DashboardMentions](repeating: DashboardMentions(), count: f.weeks.count), total = DashboardMentions()
        for p in platforms {
            for (i, w) in p.weeks.enumerated() {
                weeks[i].sentimentCount += w.sentimentCount
                weeks[i].sentimentSum += w.sentimentSum
            }
            total.sentimentCount += p.total.sentimentCount
            total.sentimentSum += p.total.sentimentSum
        }
        func mean(_ m: DashboardMentions) -> Double? {
            m.sentimentCount == 0 ? nil : Double(m.sentimentSum) / (Double(m.sentimentCount) * 1_000_000)
        }
        let head = (ja: "言及\(n)件（最多は\(top.name)）", en: "\(count(n, "mention")), most on \(top.name)")
        if weeks.count >= 2, let now = mean(weeks[weeks.count - 1]), let before = mean(weeks[weeks.count - 2]) {
            let week = f.weeks[weeks.count - 1]
            return reading(ja: head.ja + "、\(week)の平均センチメントは\(sentiment(now))（前週 \(sentiment(before))）",
                           en: head.en + "; mean sentiment \(sentiment(now)) in \(week) (\(sentiment(before)) the week before)")
        }
        guard let overall = mean(total) else {
            return reading(ja: head.ja + "、センチメントの記録なし", en: head.en + "; no sentiment given")
        }
        return reading(ja: head.ja + "、期間の平均センチメントは\(sentiment(overall))",
                       en: head.en + "; mean sentiment \(sentiment(overall)) over the range")
    }

    /// Merges, refused merges and new profiles of the range, and the living profiles of the view.
    static func identity(_ f: DashboardFigures) -> JSONValue {
        let merges = f.merges.reduce(0, +), refused = f.refused.reduce(0, +), new = f.newProfiles.reduce(0, +)
        let profiles = f.projection.profileCount
        return reading(ja: "期間中の統合\(merges)件、統合拒否\(refused)件、新規プロフィール\(new)件（プロフィール総数\(profiles)）",
                       en: "\(count(merges, "merge")), \(count(refused, "refused merge")) and \(count(new, "new profile")) in the range; "
                           + "\(count(profiles, "profile")) in all")
    }
}
