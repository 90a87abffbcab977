/// The vocabulary of the workload, JSON-escaped once into bytes so the hot path only copies.
///
/// Every entry is the *inside* of a JSON string (no quotes), already escaped.
struct Pools: Sendable {
    typealias Bytes = [UInt8]

    /// A product: SKU, Japanese page title and price in yen.
    struct Product: Sendable {
        var sku: Bytes
        var title: Bytes
        var yen: Int
    }

    /// A non-product page: path and Japanese title.
    struct Page: Sendable {
        var path: Bytes
        var title: Bytes
    }

    /// A social post with the sign of its sentiment (-1, 0 or 1).
    struct Post: Sendable {
        var text: Bytes
        var tone: Int
    }

    var familyKanji: ContiguousArray<Bytes> = []
    var familyRomaji: ContiguousArray<Bytes> = []
    var givenKanji: ContiguousArray<Bytes> = []
    var givenRomaji: ContiguousArray<Bytes> = []
    /// Prefecture names, repeated roughly by population so a uniform pick is weighted.
    var prefectures: ContiguousArray<Bytes> = []
    var products: ContiguousArray<Product> = []
    var pages: ContiguousArray<Page> = []
    var referrers: ContiguousArray<Bytes> = []
    /// Page actions, repeated to weight "view".
    var actions: ContiguousArray<Bytes> = []
    var emailDomains: ContiguousArray<Bytes> = []
    /// Inquiry texts by category index (complaint, question, request, opinion).
    var inquiryTexts: ContiguousArray<ContiguousArray<Bytes>> = []
    var posts: ContiguousArray<Post> = []
    var trackEvents: ContiguousArray<Bytes> = []
    var campaigns: ContiguousArray<Bytes> = []
    var utmSources: ContiguousArray<Bytes> = []
    var coupons: ContiguousArray<Bytes> = []
    var plans: ContiguousArray<Bytes> = []
    var unknownTypes: ContiguousArray<Bytes> = []
    var badTimes: ContiguousArray<Bytes> = []

    /// The shared, immutable vocabulary.
    static let shared = Pools()

    private init() {
        let family: [(String, String)] = [
            ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
            ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"),
            ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"), ("佐々木", "sasaki"),
            ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"), ("木村", "kimura"),
            ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"), ("森", "mori"), ("池田", "ikeda"),
        ]
        familyKanji = ContiguousArray(family.map { escape($0.0) })
        familyRomaji = ContiguousArray(family.map { escape($0.1) })
        let given: [(String, String)] = [
            ("翔太", "shota"), ("陽菜", "hina"), ("蓮", "ren"), ("結衣", "yui"), ("大輝", "daiki"),
            ("美咲", "misaki"), ("悠斗", "yuto"), ("さくら", "sakura"), ("健太", "kenta"), ("葵", "aoi"),
            ("拓海", "takumi"), ("花子", "hanako"), ("太郎", "taro"), ("由美", "yumi"), ("直樹", "naoki"),
            ("恵", "megumi"), ("翼", "tsubasa"), ("真央", "mao"), ("隆", "takashi"), ("愛", "ai"),
        ]
        givenKanji = ContiguousArray(given.map { escape($0.0) })
        givenRomaji = ContiguousArray(given.map { escape($0.1) })

        let weightedPrefectures: [(String, Int)] = [
            ("東京都", 12), ("神奈川県", 7), ("大阪府", 7), ("愛知県", 6), ("埼玉県", 6), ("千葉県", 5),
            ("兵庫県", 4), ("北海道", 4), ("福岡県", 4), ("静岡県", 3), ("茨城県", 2), ("広島県", 2),
            ("京都府", 2), ("宮城県", 2), ("新潟県", 2), ("長野県", 2), ("岐阜県", 2), ("栃木県", 2),
            ("群馬県", 2), ("岡山県", 2), ("福島県", 2), ("三重県", 2), ("熊本県", 2), ("鹿児島県", 2),
            ("沖縄県", 1), ("滋賀県", 1), ("山口県", 1), ("愛媛県", 1), ("奈良県", 1), ("長崎県", 1),
            ("青森県", 1), ("岩手県", 1), ("石川県", 1), ("大分県", 1), ("宮崎県", 1), ("山形県", 1),
            ("富山県", 1), ("秋田県", 1), ("香川県", 1), ("和歌山県", 1), ("佐賀県", 1), ("山梨県", 1),
            ("福井県", 1), ("徳島県", 1), ("高知県", 1), ("島根県", 1), ("鳥取県", 1),
        ]
        for (name, weight) in weightedPrefectures {
            for _ in 0..<weight { prefectures.append(escape(name)) }
        }

        let catalogue: [(String, String, Int)] = [
            ("sku-1001", "保湿クリーム 50g", 3980), ("sku-1002", "ビタミンC美容液 30ml", 5280),
            ("sku-1003", "オーガニック緑茶 100g", 1280), ("sku-1004", "ハンドドリップコーヒー豆 200g", 1680),
            ("sku-1005", "今治タオル フェイスタオル", 1650), ("sku-1006", "南部鉄器 急須", 12800),
            ("sku-1007", "有田焼 マグカップ", 2750), ("sku-1008", "ワイヤレスイヤホン", 9980),
            ("sku-1009", "モバイルバッテリー 10000mAh", 3480), ("sku-1010", "リネンシャツ", 7920),
            ("sku-1011", "ランニングシューズ", 12980), ("sku-1012", "折りたたみ傘", 2480),
            ("sku-1013", "日焼け止めミルク SPF50+", 1980), ("sku-1014", "炊飯器 5.5合", 24800),
            ("sku-1015", "抹茶スイーツ詰め合わせ", 3240), ("sku-1016", "北海道産 いくら醤油漬け 250g", 6480),
            ("sku-1017", "ヨガマット 6mm", 3980), ("sku-1018", "キッズ スニーカー", 4290),
            ("sku-1019", "ステンレス水筒 500ml", 2980), ("sku-1020", "加湿器 スチーム式", 8980),
            ("sku-1021", "\"限定\" 桜の香りハンドクリーム", 1540), ("sku-1022", "純米大吟醸 720ml", 4400),
        ]
        products = ContiguousArray(catalogue.map {
            Product(sku: escape($0.0), title: escape($0.1 + " | 台帳ストア"), yen: $0.2)
        })
        let otherPages: [(String, String)] = [
            ("/", "台帳ストア 公式オンラインショップ"), ("/category/skincare", "スキンケア | 台帳ストア"),
            ("/category/food", "食品・飲料 | 台帳ストア"), ("/category/kitchen", "キッチン用品 | 台帳ストア"),
            ("/cart", "ショッピングカート | 台帳ストア"), ("/search?q=%E4%BF%9D%E6%B9%BF", "「保湿」の検索結果 | 台帳ストア"),
            ("/campaign/spring-sale", "春の大感謝祭 最大30%OFF | 台帳ストア"), ("/help/faq", "よくあるご質問 | 台帳ストア"),
            ("/mypage", "マイページ | 台帳ストア"), ("/checkout/complete", "ご注文ありがとうございました | 台帳ストア"),
            ("/blog/tea-guide", "おいしい緑茶の淹れ方 ~初心者向けガイド~ | 台帳ストア"),
        ]
        pages = ContiguousArray(otherPages.map { Page(path: escape($0.0), title: escape($0.1)) })
        referrers = bytes([
            "https://www.google.com/", "https://search.yahoo.co.jp/", "https://www.instagram.com/",
            "https://line.me/", "", "", "https://t.co/Xy7Kq2", "https://store.daicho.example/",
        ])
        actions = bytes(["view", "view", "view", "view", "view", "view", "click", "add_to_cart", "search", "scroll"])
        emailDomains = bytes([
            "gmail.com", "gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp",
            "softbank.ne.jp", "outlook.jp", "example.co.jp",
        ])
        inquiryTexts = [
            bytes([
                "注文した商品がまだ届きません。注文番号を確認して至急対応してください。",
                "届いた保湿クリームの容器が破損していました。交換をお願いします。",
                "カスタマーサポートの電話が全くつながりません。",
                "請求金額が二重に引き落とされています。返金してください。",
                "サイズが表記と違いました。\n返品の手続きを教えてください。",
            ]),
            bytes([
                "ポイントの有効期限はいつまでですか?",
                "ギフトラッピングは対応していますか?",
                "海外への配送は可能でしょうか。",
                "会員ランクの条件を教えてください。",
                "領収書の発行方法を知りたいです。",
            ]),
            bytes([
                "配送日を来週の土曜日に変更したいです。",
                "登録しているメールアドレスを変更してください。",
                "定期便を一時停止したいです。",
                "退会手続きをお願いします。",
                "\"在庫切れ\"の商品が再入荷したら連絡がほしいです。",
            ]),
            bytes([
                "新しいパッケージのデザインがとても素敵です。",
                "アプリの動作が前より軽くなって使いやすいです。",
                "もう少し小さいサイズの商品も欲しいです。\n検討をお願いします。",
                "スタッフの方の対応が丁寧で感動しました。",
            ]),
        ]
        let socialPosts: [(String, Int)] = [
            ("台帳ストアの緑茶、香りが最高!リピ確定🍵", 1), ("今治タオルふわふわすぎる…毎日使ってる", 1),
            ("セールで買ったイヤホン、音質よくて大満足", 1), ("店員さんの神対応に感謝 #台帳ストア", 1),
            ("台帳ストアの春セールっていつからだっけ?", 0), ("新作の美容液、気になってる", 0),
            ("今日のおやつは抹茶スイーツ", 0),
            ("注文してから一週間たつのに届かない…😢", -1), ("サポートに電話したけど全然つながらない", -1),
            ("アプリが重くて買い物できない。改善して", -1),
        ]
        posts = ContiguousArray(socialPosts.map { Post(text: escape($0.0), tone: $0.1) })
        trackEvents = bytes([
            "App Opened", "App Opened", "App Opened", "Coupon Redeemed", "Push Notification Tapped",
            "Product Shared", "Review Submitted", "Wishlist Added", "Newsletter Subscribed", "Store Visited",
        ])
        campaigns = bytes(["spring_sale_2026", "新春初売り", "summer_gift", "line_friends_coupon", "black_friday"])
        utmSources = bytes(["google", "instagram", "line", "newsletter", "x", "yahoo"])
        coupons = bytes(["SPRING10", "WELCOME500", "LINE300", "BDAY2026"])
        plans = bytes(["free", "free", "free", "standard", "standard", "premium"])
        unknownTypes = bytes(["pageview", "Order Completed", "purchase_v2", "screen", ""])
        badTimes = bytes([
            "2026-13-01T09:00:00+09:00", "yesterday", "2026/03/01 12:00:00", "2026-02-30T10:00:00+09:00",
            "2026-03-01T12:00:00", "", "1767193200",
        ])
    }
}

/// The JSON-escaped UTF-8 of each string.
private func bytes(_ strings: [String]) -> ContiguousArray<[UInt8]> {
    ContiguousArray(strings.map(escape))
}

/// The UTF-8 of `s` escaped for the inside of a JSON string.
private func escape(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
        case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
        case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
        case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        default: out.append(byte)
        }
    }
    return out
}
