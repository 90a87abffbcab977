import Foundation

/// Writers of one event line: the customer's life-cycle stage picks the type, then the envelope,
/// the ids and the props are written straight into the output buffer.
extension WorkloadGenerator {
    enum EventKind {
        case pageView, track, identify, purchase, inquiry, socialMention, link

        var name: StaticString {
            switch self {
            case .pageView: "page_view"
            case .track: "track"
            case .identify: "identify"
            case .purchase: "purchase"
            case .inquiry: "inquiry"
            case .socialMention: "social_mention"
            case .link: "link"
            }
        }
    }

    /// What one event is about, decided before any byte is written.
    struct Draft {
        var kind: EventKind
        var profile: CustomerProfile
        /// The customer has logged in before this event.
        var loggedIn: Bool
        /// Sent from the mobile app (carries a device id).
        var app: Bool
        /// Kind-specific choice: purchase channel (0 online, 1 shop), inquiry channel, social platform, link pair.
        var variant: Int
    }

    /// Writes one valid event for the next customer.
    mutating func writeEvent(into out: inout ByteSink, late: Bool) {
        let draft = nextDraft()
        let at = nextTime(late: late)
        let reordered = rng.chance(0.04)
        out.append(UInt8(ascii: "{"))
        if reordered {
            // Producers do not agree on key order; a few lines put type and time first, ids last.
            putType(draft.kind.name, into: &out)
            out.append(UInt8(ascii: ","))
            putTime(at, into: &out)
            out.append(UInt8(ascii: ","))
            putEventID(into: &out)
            out.append(UInt8(ascii: ","))
            putProps(draft, into: &out)
            out.append(UInt8(ascii: ","))
            putIDs(draft, into: &out)
            out.append(UInt8(ascii: ","))
            putSource(draft, into: &out)
        } else {
            putEventID(into: &out)
            out.append(UInt8(ascii: ","))
            putType(draft.kind.name, into: &out)
            out.append(UInt8(ascii: ","))
            putTime(at, into: &out)
            out.append(UInt8(ascii: ","))
            putSource(draft, into: &out)
            out.append(UInt8(ascii: ","))
            putIDs(draft, into: &out)
            out.append(UInt8(ascii: ","))
            putProps(draft, into: &out)
        }
        out.put("}\n")
    }

    /// Picks the customer and, from its stage, the event kind.
    mutating func nextDraft() -> Draft {
        let customer = nextCustomer()
        let profile = CustomerProfile(index: customer.index, key: key)
        let seen = Int(activity[customer.rank])
        if seen < Int(UInt32.max) { activity[customer.rank] += 1 }
        let app = profile.usesApp && rng.chance(0.7)
        let kind: EventKind
        let loggedIn = profile.isRegistered && seen > profile.loginAt
        if !profile.isRegistered || seen < profile.loginAt {
            let r = rng.below(100)
            kind = r < 75 ? .pageView : r < 95 ? .track : .socialMention
        } else if seen == profile.loginAt {
            kind = .identify
        } else {
            let r = rng.below(100)
            kind = r < 44 ? .pageView : r < 58 ? .track : r < 72 ? .purchase : r < 79 ? .inquiry
                : r < 88 ? .socialMention : r < 93 ? .identify : r < 97 ? .link : .pageView
        }
        let variant: Int
        switch kind {
        case .purchase: variant = rng.chance(0.15) ? 1 : 0
        case .inquiry: variant = rng.below(4)
        case .socialMention: variant = rng.chance(0.8) ? profile.platform : rng.below(5)
        case .link: variant = rng.below(6)
        case .pageView, .track, .identify: variant = 0
        }
        return Draft(kind: kind, profile: profile, loggedIn: loggedIn, app: app, variant: variant)
    }

    /// `"id":"evt-<16 hex>"`, unique: a bijection of the line number.
    mutating func putEventID(into out: inout ByteSink) {
        sequence += 1
        out.put("\"id\":\"evt-")
        out.putHex(mix64(sequence ^ key), digits: 16)
        out.append(UInt8(ascii: "\""))
    }

    func putType(_ name: StaticString, into out: inout ByteSink) {
        out.put("\"type\":\"")
        out.put(name)
        out.append(UInt8(ascii: "\""))
    }

    /// `"at":"…"`: mostly Tokyo time with milliseconds, some UTC.
    mutating func putTime(_ at: Int64, into out: inout ByteSink) {
        let r = rng.below(20)
        let style: TimeStyle = r < 15 ? .tokyoMillis : r < 16 ? .tokyoMicros : r < 18 ? .utcMillis : .utcSeconds
        out.put("\"at\":\"")
        out.putTimestamp(at, style: style)
        out.append(UInt8(ascii: "\""))
    }

    func putSource(_ draft: Draft, into out: inout ByteSink) {
        let source: StaticString
        switch draft.kind {
        case .pageView, .track, .identify:
            source = draft.app ? (draft.profile.bits & 1 == 0 ? "ios" : "android") : "web"
        case .purchase:
            source = draft.variant == 1 ? "pos" : draft.app ? "ios" : "web"
        case .inquiry:
            source = Self.inquirySources[draft.variant]
        case .socialMention:
            source = "social-listening"
        case .link:
            source = Self.linkSources[draft.variant]
        }
        out.put("\"source\":\"")
        out.put(source)
        out.append(UInt8(ascii: "\""))
    }

    static let inquiryChannels: [StaticString] = ["email", "phone", "chat", "form"]
    static let inquirySources: [StaticString] = ["zendesk", "call-center", "chat-widget", "web-form"]
    static let linkSources: [StaticString] = ["line-login", "web", "web", "crm", "pos", "crm"]
    static let linkMethods: [StaticString] = [
        "line_login", "social_connect", "social_connect", "crm_import", "store_signup", "crm_import",
    ]

    /// `"ids":{…}`: which identifiers a source knows depends on the event kind and the stage.
    mutating func putIDs(_ draft: Draft, into out: inout ByteSink) {
        let p = draft.profile
        out.put("\"ids\":{")
        switch draft.kind {
        case .pageView, .track:
            if draft.loggedIn {
                putUserID(p, into: &out)
                out.append(UInt8(ascii: ","))
            }
            if draft.app {
                putDeviceID(p, into: &out)
            } else {
                putAnonymousID(p, into: &out)
            }
        case .identify:
            putAnonymousID(p, into: &out)
            out.append(UInt8(ascii: ","))
            putUserID(p, into: &out)
            out.append(UInt8(ascii: ","))
            putEmail(p, noisy: false, into: &out)
            if p.hasPhone && rng.chance(0.4) {
                out.append(UInt8(ascii: ","))
                putPhone(p, format: rng.below(5), into: &out)
            }
            if draft.app {
                out.append(UInt8(ascii: ","))
                putDeviceID(p, into: &out)
            }
        case .purchase:
            if draft.variant == 1 && p.hasPhone {
                // A shop register looks the member up by phone number.
                putPhone(p, format: rng.below(5), into: &out)
            } else {
                putUserID(p, into: &out)
                out.append(UInt8(ascii: ","))
                putEmail(p, noisy: rng.chance(0.3), into: &out)
            }
        case .inquiry:
            switch draft.variant {
            case 1 where p.hasPhone:
                putPhone(p, format: rng.below(5), into: &out)
            case 2:
                putUserID(p, into: &out)
            default:
                putEmail(p, noisy: rng.chance(0.5), into: &out)
            }
        case .socialMention:
            putHandle(p, platform: draft.variant, noisy: true, into: &out)
        case .link:
            switch draft.variant {
            case 0: putUserID(p, into: &out); out.append(UInt8(ascii: ",")); putLineID(p, into: &out)
            case 1: putUserID(p, into: &out); out.append(UInt8(ascii: ",")); putHandle(p, platform: 0, noisy: false, into: &out)
            case 2: putUserID(p, into: &out); out.append(UInt8(ascii: ",")); putHandle(p, platform: 1, noisy: false, into: &out)
            case 3 where p.hasPhone:
                putUserID(p, into: &out); out.append(UInt8(ascii: ",")); putPhone(p, format: rng.below(5), into: &out)
            case 4: putUserID(p, into: &out); out.append(UInt8(ascii: ",")); putDeviceID(p, into: &out)
            case 5 where p.hasPhone:
                putEmail(p, noisy: true, into: &out); out.append(UInt8(ascii: ",")); putPhone(p, format: rng.below(5), into: &out)
            default: putEmail(p, noisy: true, into: &out); out.append(UInt8(ascii: ",")); putLineID(p, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `"props":{…}` for the draft's kind, sometimes with campaign, utm_source and lang extras.
    mutating func putProps(_ draft: Draft, into out: inout ByteSink) {
        out.put("\"props\":{")
        switch draft.kind {
        case .pageView: putPageViewProps(into: &out)
        case .track: putTrackProps(into: &out)
        case .identify: putTraits(draft.profile, into: &out)
        case .purchase: putPurchaseProps(into: &out)
        case .inquiry: putInquiryProps(channel: draft.variant, into: &out)
        case .socialMention: putSocialProps(platform: draft.variant, into: &out)
        case .link:
            out.put("\"method\":\"")
            out.put(Self.linkMethods[draft.variant])
            out.append(UInt8(ascii: "\""))
        }
        if rng.chance(0.15) {
            out.put(",\"campaign\":\"")
            out.append(contentsOf: rng.pick(pools.campaigns))
            out.put("\",\"utm_source\":\"")
            out.append(contentsOf: rng.pick(pools.utmSources))
            out.append(UInt8(ascii: "\""))
        }
        if rng.chance(0.1) {
            out.put(rng.chance(0.8) ? ",\"lang\":\"ja\"" : ",\"lang\":\"en\"")
        }
        out.append(UInt8(ascii: "}"))
    }

    mutating func putPageViewProps(into out: inout ByteSink) {
        let productPage = rng.chance(0.6)
        let product = rng.pick(pools.products)
        let page = rng.pick(pools.pages)
        out.put("\"url\":\"https://store.daicho.example")
        putPath(productPage: productPage, product: product, page: page, into: &out)
        out.put("\",\"path\":\"")
        putPath(productPage: productPage, product: product, page: page, into: &out)
        out.put("\",\"title\":\"")
        out.append(contentsOf: productPage ? product.title : page.title)
        out.put("\",\"referrer\":\"")
        out.append(contentsOf: rng.pick(pools.referrers))
        out.put("\",\"action\":\"")
        out.append(contentsOf: rng.pick(pools.actions))
        out.put("\",\"dwell_ms\":")
        out.putDecimal(200 + rng.below(rng.chance(0.8) ? 30_000 : 300_000))
    }

    func putPath(productPage: Bool, product: Pools.Product, page: Pools.Page, into out: inout ByteSink) {
        if productPage {
            out.put("/products/")
            out.append(contentsOf: product.sku)
        } else {
            out.append(contentsOf: page.path)
        }
    }

    mutating func putTrackProps(into out: inout ByteSink) {
        let event = rng.below(pools.trackEvents.count)
        out.put("\"event\":\"")
        out.append(contentsOf: pools.trackEvents[event])
        out.append(UInt8(ascii: "\""))
        switch event {
        case 3:
            out.put(",\"coupon\":\"")
            out.append(contentsOf: rng.pick(pools.coupons))
            out.append(UInt8(ascii: "\""))
        case 6:
            out.put(",\"rating\":")
            out.putDecimal(1 + rng.below(5))
        default:
            break
        }
    }

    mutating func putTraits(_ profile: CustomerProfile, into out: inout ByteSink) {
        out.put("\"traits\":{\"name\":\"")
        out.append(contentsOf: pools.familyKanji[profile.choice(pools.familyKanji.count, shift: 8)])
        out.put(" ")
        out.append(contentsOf: pools.givenKanji[profile.choice(pools.givenKanji.count, shift: 16)])
        out.put("\",\"prefecture\":\"")
        out.append(contentsOf: pools.prefectures[profile.choice(pools.prefectures.count, shift: 32)])
        out.put("\",\"plan\":\"")
        // Plans change over time: a later identify may carry a different plan.
        let plan = rng.chance(0.9) ? profile.choice(pools.plans.count, shift: 40) : rng.below(pools.plans.count)
        out.append(contentsOf: pools.plans[plan])
        out.put("\",\"birth_year\":")
        out.putDecimal(profile.birthYear)
        out.put(rng.chance(0.5) ? ",\"newsletter\":true}" : ",\"newsletter\":false}")
    }

    mutating func putPurchaseProps(into out: inout ByteSink) {
        out.put("\"order_id\":\"ord-")
        out.putHex(mix64(sequence ^ key ^ 0x0D0D), digits: 12)
        let currencyRoll = rng.below(100)
        // Prices are kept in hundredths of the currency unit; yen have no minor unit.
        let (currency, centsPerYen): (StaticString, Int) =
            currencyRoll < 95 ? ("JPY", 0) : currencyRoll < 98 ? ("USD", 150) : ("EUR", 160)
        let count = rng.chance(0.7) ? 1 : 2 + rng.below(3)
        out.put("\",\"currency\":\"")
        out.put(currency)
        out.put("\",\"items\":[")
        var total = 0
        for i in 0..<count {
            let product = rng.pick(pools.products)
            let qty = rng.chance(0.8) ? 1 : 2 + rng.below(3)
            let unitPrice = price(product.yen, centsPerYen: centsPerYen)
            total += qty * unitPrice
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.put("{\"sku\":\"")
            out.append(contentsOf: product.sku)
            out.put("\",\"qty\":")
            out.putDecimal(qty)
            out.put(",\"price\":")
            putMoney(unitPrice, centsPerYen: centsPerYen, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.put("],\"amount\":")
        putMoney(total, centsPerYen: centsPerYen, into: &out)
        switch rng.below(10) {
        case 0: out.put(",\"payment\":\"konbini\"")
        case 1, 2: out.put(",\"payment\":\"paypay\"")
        default: out.put(",\"payment\":\"credit_card\"")
        }
    }

    /// A price in the purchase's unit: yen, or hundredths of a dollar or euro.
    @inline(__always)
    func price(_ yen: Int, centsPerYen: Int) -> Int {
        centsPerYen == 0 ? yen : yen * 100 / centsPerYen
    }

    func putMoney(_ amount: Int, centsPerYen: Int, into out: inout ByteSink) {
        if centsPerYen == 0 { out.putDecimal(amount) } else { out.putCents(amount) }
    }

    mutating func putInquiryProps(channel: Int, into out: inout ByteSink) {
        let r = rng.below(10)
        let category = r < 3 ? 0 : r < 7 ? 1 : r < 9 ? 2 : 3
        let s = rng.below(10)
        let status: StaticString = s < 5 ? "open" : s < 7 ? "pending" : s < 9 ? "resolved" : "closed"
        out.put("\"channel\":\"")
        out.put(Self.inquiryChannels[channel])
        out.put("\",\"category\":\"")
        out.put(Self.inquiryCategories[category])
        out.put("\",\"text\":\"")
        out.append(contentsOf: rng.pick(pools.inquiryTexts[category]))
        out.put("\",\"status\":\"")
        out.put(status)
        out.put("\",\"ticket_id\":\"T-")
        out.putDecimal(100_000 + rng.below(900_000))
        out.append(UInt8(ascii: "\""))
    }

    static let inquiryCategories: [StaticString] = ["complaint", "question", "request", "opinion"]

    mutating func putSocialProps(platform: Int, into out: inout ByteSink) {
        let post = rng.pick(pools.posts)
        // Sentiment in hundredths: the post's tone scaled by 0.2...1.0, or near zero when neutral.
        let sentiment = post.tone == 0 ? rng.within(-20...20) : post.tone * rng.within(20...100)
        out.put("\"platform\":\"")
        out.put(Self.platformNames[platform])
        out.put("\",\"text\":\"")
        out.append(contentsOf: post.text)
        out.put("\",\"sentiment\":")
        out.putCents(sentiment)
        out.put(",\"reach\":")
        out.putDecimal(Int(exp(rng.unit() * 12)) - 1)
    }
}
