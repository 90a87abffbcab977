/// Writers of the `ids` entries: stable per customer, with the noise real sources add.
extension WorkloadGenerator {
    /// Social platforms, in the order of `CustomerProfile.platform`; each is also an identifier kind.
    static let platformNames: [StaticString] = ["x", "instagram", "tiktok", "youtube", "facebook"]

    /// A customer number unique within `idModulus`, different per `salt` and per seed.
    @inline(__always)
    func scrambled(_ profile: CustomerProfile, salt: UInt64) -> Int {
        let offset = Int(mix64(key &+ salt) % UInt64(idModulus))
        return (profile.index &* 7_654_321 &+ offset) % idModulus
    }

    /// `"user_id":"U01234567"`: eight digits, a bijection of the customer index.
    mutating func putUserID(_ profile: CustomerProfile, into out: inout ByteSink) {
        out.put("\"user_id\":\"U")
        let offset = Int(mix64(key &+ 1) % 100_000_000)
        out.putPadded((profile.index &* 7_654_321 &+ offset) % 100_000_000, width: 8)
        out.append(UInt8(ascii: "\""))
    }

    /// `"anonymous_id":"<uuid v4>"`: the browser cookie of the customer.
    mutating func putAnonymousID(_ profile: CustomerProfile, into out: inout ByteSink) {
        let a = mix64(profile.bits ^ key ^ 0xA11)
        let b = mix64(profile.bits2 ^ key ^ 0xA12)
        out.put("\"anonymous_id\":\"")
        out.putHex(a >> 32, digits: 8)
        out.append(UInt8(ascii: "-"))
        out.putHex(a >> 16, digits: 4)
        out.put("-4")
        out.putHex(a, digits: 3)
        out.append(UInt8(ascii: "-"))
        out.putHex(8 | (b >> 62), digits: 1)
        out.putHex(b >> 48, digits: 3)
        out.append(UInt8(ascii: "-"))
        out.putHex(b, digits: 12)
        out.append(UInt8(ascii: "\""))
    }

    /// `"device_id":"dev-…"`: about 5% of registered pairs (2k, 2k+1) share one family device.
    mutating func putDeviceID(_ profile: CustomerProfile, into out: inout ByteSink) {
        var owner = profile.index
        let partner = profile.index ^ 1
        if partner < config.customers && mix64(key ^ 0xFA31 ^ UInt64(profile.index >> 1)) % 20 == 0
            && profile.isRegistered && CustomerProfile(index: partner, key: key).isRegistered {
            owner = profile.index & ~1
        }
        out.put("\"device_id\":\"dev-")
        out.putHex(mix64(key ^ 0xDE71CE ^ UInt64(owner)), digits: 16)
        out.append(UInt8(ascii: "\""))
    }

    /// `"email":"…"`; when `noisy`, letters change case at random and whitespace may surround it.
    mutating func putEmail(_ profile: CustomerProfile, noisy: Bool, into out: inout ByteSink) {
        out.put("\"email\":\"")
        let padding = noisy ? rng.below(4) : 0
        if padding & 1 != 0 { out.put(" ") }
        let start = out.count
        let given = pools.givenRomaji[profile.choice(pools.givenRomaji.count, shift: 16)]
        let family = pools.familyRomaji[profile.choice(pools.familyRomaji.count, shift: 8)]
        switch profile.emailStyle {
        case 0:
            out.append(contentsOf: given)
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: family)
        case 1:
            out.append(contentsOf: family)
            out.append(UInt8(ascii: "_"))
            out.append(contentsOf: given)
        default:
            out.append(given[0])
            out.append(contentsOf: family)
        }
        out.putDecimal(scrambled(profile, salt: 2))
        out.append(UInt8(ascii: "@"))
        out.append(contentsOf: pools.emailDomains[profile.choice(pools.emailDomains.count, shift: 24)])
        if noisy {
            var flips = rng.next()
            for i in start..<out.count {
                let c = out[i]
                if flips & 3 == 0 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) { out[i] = c ^ 0x20 }
                flips = flips >> 2 | flips << 62
            }
        }
        if padding & 2 != 0 { out.put("  ") }
        out.append(UInt8(ascii: "\""))
    }

    /// `"phone":"…"` in one of five formats of the same Japanese mobile number:
    /// `090-1234-5678`, `09012345678`, `+81 90 1234 5678`, `+819012345678`, full-width `０９０－１２３４－５６７８`.
    mutating func putPhone(_ profile: CustomerProfile, format: Int, into out: inout ByteSink) {
        let prefix = 9 - profile.phonePrefix  // 090, 080, 070
        // The subscriber part starts with 1–9: 070-0xxx and the like are not allocated (docs/identity.md).
        let number = 10_000_000 + (profile.index &* 7_654_321 &+ Int(mix64(key &+ 3) % 90_000_000)) % 90_000_000
        let high = number / 10_000
        let low = number % 10_000
        out.put("\"phone\":\"")
        switch format {
        case 0, 1:
            out.put("0")
            out.putDecimal(prefix * 10)
            if format == 0 { out.append(UInt8(ascii: "-")) }
            out.putPadded(high, width: 4)
            if format == 0 { out.append(UInt8(ascii: "-")) }
            out.putPadded(low, width: 4)
        case 2:
            out.put("+81 ")
            out.putDecimal(prefix * 10)
            out.append(UInt8(ascii: " "))
            out.putPadded(high, width: 4)
            out.append(UInt8(ascii: " "))
            out.putPadded(low, width: 4)
        case 3:
            out.put("+81")
            out.putDecimal(prefix * 10)
            out.putPadded(number, width: 8)
        default:
            out.putFullWidthDigit(0)
            out.putFullWidthDigit(prefix)
            out.putFullWidthDigit(0)
            out.put("－")
            out.putFullWidthDigits(high, width: 4)
            out.put("－")
            out.putFullWidthDigits(low, width: 4)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `"<platform>":"…"`: the customer's handle on a social platform (index into `platformNames`).
    /// When `noisy`, handles may carry a leading "@" and a capital letter.
    mutating func putHandle(_ profile: CustomerProfile, platform: Int, noisy: Bool, into out: inout ByteSink) {
        out.append(UInt8(ascii: "\""))
        out.put(Self.platformNames[platform])
        out.put("\":\"")
        let given = pools.givenRomaji[profile.choice(pools.givenRomaji.count, shift: 16)]
        let family = pools.familyRomaji[profile.choice(pools.familyRomaji.count, shift: 8)]
        switch platform {
        case 0, 2:
            if noisy && rng.chance(0.5) { out.append(UInt8(ascii: "@")) }
            let start = out.count
            out.append(contentsOf: given)
            if platform == 0 {
                out.append(UInt8(ascii: "_"))
                out.append(family[0])
            }
            out.putDecimal(scrambled(profile, salt: 4 + UInt64(platform)))
            if noisy && rng.chance(0.3) { out[start] ^= 0x20 }
        case 1:
            out.append(contentsOf: family)
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: given)
            out.append(UInt8(ascii: "_"))
            out.putDecimal(scrambled(profile, salt: 5))
        case 3:
            out.put("UC")
            out.putHex(mix64(profile.bits ^ key ^ 0x707), digits: 11)
            out.putHex(mix64(profile.bits2 ^ key ^ 0x708), digits: 11)
        default:
            out.put("1000")
            out.putPadded(scrambled(profile, salt: 7), width: 11)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `"line":"U<32 hex>"`: the customer's LINE user id.
    mutating func putLineID(_ profile: CustomerProfile, into out: inout ByteSink) {
        out.put("\"line\":\"U")
        out.putHex(mix64(profile.bits ^ key ^ 0x11E), digits: 16)
        out.putHex(mix64(profile.bits2 ^ key ^ 0x11F), digits: 16)
        out.append(UInt8(ascii: "\""))
    }
}

extension ByteSink {
    /// Appends a full-width digit (U+FF10 + d).
    @inline(__always)
    mutating func putFullWidthDigit(_ d: Int) {
        append(0xEF)
        append(0xBC)
        append(0x90 &+ UInt8(truncatingIfNeeded: d))
    }

    /// Appends `value` as `width` zero-padded full-width digits.
    mutating func putFullWidthDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            putFullWidthDigit(v / divisor)
            v %= divisor
            divisor /= 10
        }
    }
}
