//! Checksums and structural validators, run only on candidates.

/// Luhn checksum over ASCII digits (other bytes are skipped).
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    let mut n = 0;
    for &b in digits.iter().rev() {
        if !b.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
        n += 1;
    }
    n > 0 && sum.is_multiple_of(10)
}

/// Whether a US SSN's parts are in the issued ranges: area not 000, 666 or 9xx, group not
/// 00, serial not 0000. Takes exactly nine ASCII digits.
pub(crate) fn ssn_valid(d: &[u8]) -> bool {
    if d.len() != 9 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let area = &d[0..3];
    if area == b"000" || area == b"666" || area[0] == b'9' {
        return false;
    }
    if &d[3..5] == b"00" || &d[5..9] == b"0000" {
        return false;
    }
    // Well-known advertising / test numbers.
    d != b"123456789" && d != b"078051120" && d != b"219099999"
}

/// IBAN length by country code (SWIFT IBAN registry).
pub(crate) fn iban_length(cc: &[u8]) -> Option<usize> {
    const TABLE: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BI", 27),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DJ", 27),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FK", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"LY", 25),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MN", 20),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NI", 28),
        (b"NL", 18),
        (b"NO", 15),
        (b"OM", 23),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"RU", 33),
        (b"SA", 24),
        (b"SC", 31),
        (b"SD", 18),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"SO", 23),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
        (b"YE", 30),
    ];
    TABLE
        .binary_search_by(|(k, _)| k.as_slice().cmp(cc))
        .ok()
        .map(|i| TABLE[i].1)
}

/// IBAN mod-97 check over a compact, upper-case IBAN (`GB82WEST12345698765432`).
pub(crate) fn iban_mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        match b {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(b - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// Bitcoin base58check: decodes to 25 bytes whose last four are the first four of the
/// double SHA-256 of the rest, with a P2PKH (0x00) or P2SH (0x05) version byte.
pub(crate) fn base58check(v: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut out = [0u8; 25];
    for &c in v {
        let Some(d) = ALPHABET.iter().position(|&a| a == c) else {
            return false;
        };
        let mut carry = d as u32;
        for byte in out.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return false;
        }
    }
    let leading_ones = v.iter().take_while(|&&c| c == b'1').count();
    let leading_zeros = out.iter().take_while(|&&c| c == 0).count();
    if leading_ones != leading_zeros {
        return false;
    }
    if out[0] != 0x00 && out[0] != 0x05 {
        return false;
    }
    let h = Sha256::digest(Sha256::digest(&out[..21]));
    h[..4] == out[21..]
}

/// Bech32 (BIP 173) or bech32m (BIP 350) checksum of a whole address such as `bc1q...`.
pub(crate) fn bech32_valid(v: &[u8]) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let lower = v.iter().any(u8::is_ascii_lowercase);
    let upper = v.iter().any(u8::is_ascii_uppercase);
    if lower && upper {
        return false;
    }
    let v = v.to_ascii_lowercase();
    let Some(sep) = v.iter().rposition(|&c| c == b'1') else {
        return false;
    };
    let (hrp, data) = (&v[..sep], &v[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 {
        return false;
    }
    fn polymod(values: impl Iterator<Item = u8>) -> u32 {
        const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        let mut chk: u32 = 1;
        for v in values {
            let top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
            for (i, g) in GEN.iter().enumerate() {
                if (top >> i) & 1 == 1 {
                    chk ^= g;
                }
            }
        }
        chk
    }
    let mut vals = Vec::with_capacity(hrp.len() * 2 + 1 + data.len());
    vals.extend(hrp.iter().map(|c| c >> 5));
    vals.push(0);
    vals.extend(hrp.iter().map(|c| c & 31));
    for &c in data {
        match CHARSET.iter().position(|&x| x == c) {
            Some(d) => vals.push(d as u8),
            None => return false,
        }
    }
    let p = polymod(vals.into_iter());
    p == 1 || p == 0x2bc830a3
}

/// UK NHS number: ten digits, mod-11 check digit (weights 10..2).
pub(crate) fn nhs_valid(d: &[u8]) -> bool {
    if d.len() != 10 || !d.iter().all(u8::is_ascii_digit) || d.iter().all(|&c| c == d[0]) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &c)| u32::from(c - b'0') * (10 - i as u32))
        .sum();
    let check = 11 - sum % 11;
    let check = if check == 11 { 0 } else { check };
    check != 10 && check == u32::from(d[9] - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_numbers() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"4111 1111 1111 1111"));
        assert!(luhn(b"378282246310005"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b""));
    }

    #[test]
    fn ssn_ranges() {
        assert!(ssn_valid(b"536902214"));
        assert!(!ssn_valid(b"000123456"));
        assert!(!ssn_valid(b"666123456"));
        assert!(!ssn_valid(b"912123456"));
        assert!(!ssn_valid(b"536002214"));
        assert!(!ssn_valid(b"536900000"));
    }

    #[test]
    fn iban_checks() {
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(!iban_mod97(b"GB83WEST12345698765432"));
        assert_eq!(iban_length(b"GB"), Some(22));
        assert_eq!(iban_length(b"DE"), Some(22));
        assert_eq!(iban_length(b"NO"), Some(15));
        assert_eq!(iban_length(b"ZZ"), None);
    }

    #[test]
    fn crypto_and_nhs() {
        assert!(base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(base58check(b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(bech32_valid(b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(bech32_valid(
            b"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
        ));
        assert!(!bech32_valid(b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"));
        assert!(nhs_valid(b"9434765919"));
        assert!(!nhs_valid(b"9434765918"));
    }

    #[test]
    fn iban_table_is_sorted() {
        // binary_search needs the table sorted; spot-check neighbours through lookups.
        for cc in [b"AD", b"BE", b"CH", b"FR", b"IT", b"NL", b"XK", b"YE"] {
            assert!(iban_length(cc).is_some(), "{:?}", std::str::from_utf8(cc));
        }
    }
}
