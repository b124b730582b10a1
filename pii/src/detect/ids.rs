//! URLs, MAC addresses, crypto wallet addresses, and identifiers that need a context word:
//! US driver's licence, passport and bank account numbers, UK NHS numbers (mod 11) and
//! dates of birth.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;

use super::is_word_byte;
use crate::classify::{Classes, DIGIT};
use crate::validate::{base58check, bech32_valid, nhs_valid};
use crate::{EntityType, Span};

/// Context keywords and what they announce.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    License,
    Passport,
    Bank,
    Nhs,
    Birth,
    DateLabel,
}

const KEYWORDS: &[(&str, Ctx)] = &[
    ("driver's license", Ctx::License),
    ("drivers license", Ctx::License),
    ("driver license", Ctx::License),
    ("driver's licence", Ctx::License),
    ("driving licence", Ctx::License),
    ("driving license", Ctx::License),
    ("license number", Ctx::License),
    ("licence number", Ctx::License),
    ("license no", Ctx::License),
    ("license #", Ctx::License),
    ("license:", Ctx::License),
    ("license is", Ctx::License),
    ("dl#", Ctx::License),
    ("dl #", Ctx::License),
    ("dl:", Ctx::License),
    ("dl no", Ctx::License),
    ("passport", Ctx::Passport),
    ("account number", Ctx::Bank),
    ("account no", Ctx::Bank),
    ("account #", Ctx::Bank),
    ("acct", Ctx::Bank),
    ("bank account", Ctx::Bank),
    ("checking account", Ctx::Bank),
    ("savings account", Ctx::Bank),
    ("routing number", Ctx::Bank),
    ("nhs", Ctx::Nhs),
    ("born", Ctx::Birth),
    ("birth", Ctx::Birth),
    ("dob", Ctx::Birth),
    ("d.o.b", Ctx::Birth),
    ("date:", Ctx::DateLabel),
    ("when:", Ctx::DateLabel),
];

pub(crate) struct Ids {
    keywords: AhoCorasick,
    kinds: Vec<Ctx>,
    date: Regex,
    url: Regex,
}

const MONTHS: &str = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\\.?";

impl Ids {
    pub(crate) fn new() -> Result<Self, String> {
        let date = format!(
            concat!(
                r"(?i-u)\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,9}})?)?)?",
                r"|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})",
                r"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {m},? \d{{4}}",
                r"|{m} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}",
                r"|(?:19|20)\d{{2}})\b"
            ),
            m = MONTHS
        );
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(Ids {
            keywords: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(KEYWORDS.iter().map(|k| k.0))
                .map_err(|e| e.to_string())?,
            kinds: KEYWORDS.iter().map(|k| k.1).collect(),
            date: re(&date)?,
            url: re(r#"(?i-u)(?:(?:https?|ftp|wss?)://|www\.)[^\s<>"'`\\|{}^]+"#)?,
        })
    }

    /// Context-word identifiers; needs digits in the text.
    pub(crate) fn scan_context(&self, b: &[u8], classes: &Classes, out: &mut Vec<Span>) {
        // Keywords matter only within 48 bytes before a digit: search those windows only.
        let mut i = 0;
        let mut searched_to = 0;
        while let Some(d) = classes.next(DIGIT, i) {
            let from = d.saturating_sub(64).max(searched_to);
            if from < d {
                if may_follow_keyword(b, classes, d) {
                    self.context_window(b, from, d, out);
                }
                searched_to = d;
            }
            i = d + 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }

    fn context_window(&self, b: &[u8], from: usize, to: usize, out: &mut Vec<Span>) {
        let input = aho_corasick::Input::new(b).range(from..to);
        for m in self.keywords.find_iter(input) {
            let s = m.start();
            if s > 0 && b[s - 1].is_ascii_alphabetic() {
                continue;
            }
            let kind = self.kinds[m.pattern().as_usize()];
            let from = m.end();
            let to = (from + 48).min(b.len());
            match kind {
                Ctx::Birth | Ctx::DateLabel => {
                    if let Some(d) = self.date.find_at(&b[..to.min(b.len())], from) {
                        let v = d.as_bytes();
                        let year_only = v.len() == 4 && v.iter().all(u8::is_ascii_digit);
                        if year_only && kind != Ctx::Birth {
                            continue;
                        }
                        if d.end() < b.len() && b[d.end()].is_ascii_digit() {
                            continue;
                        }
                        out.push(span(d.start(), d.end(), EntityType::DateTime));
                    }
                }
                Ctx::License | Ctx::Passport | Ctx::Bank | Ctx::Nhs => {
                    if let Some((vs, ve)) = value_after(b, from, to, kind) {
                        let t = match kind {
                            Ctx::License => EntityType::UsDriverLicense,
                            Ctx::Passport => EntityType::UsPassport,
                            Ctx::Bank => EntityType::UsBankNumber,
                            _ => EntityType::UkNhs,
                        };
                        out.push(span(vs, ve, t));
                    }
                }
            }
        }
    }

    /// URLs (a URL holds `://` or starts with `www.`).
    pub(crate) fn scan_urls(&self, b: &[u8], out: &mut Vec<Span>) {
        // The pattern needs "://" or "www." (any case): most texts have neither, and
        // looking for them is far cheaper than running the automaton over every text.
        let www = || {
            memchr::memchr2_iter(b'w', b'W', b).any(|i| {
                b.get(i..i + 4)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"www."))
            })
        };
        if memchr::memmem::find(b, b"://").is_none() && !www() {
            return;
        }
        for m in self.url.find_iter(b) {
            let s = m.start();
            let mut e = m.end();
            if s > 0 && is_word_byte(b[s - 1]) && !super::escape_before(b, s) {
                continue;
            }
            // Trailing punctuation belongs to the sentence; unbalanced closers too.
            loop {
                if e <= s {
                    break;
                }
                let c = b[e - 1];
                let v = &b[s..e];
                let unbalanced = |o: u8, c2: u8| {
                    c == c2
                        && v.iter().filter(|&&x| x == c2).count()
                            > v.iter().filter(|&&x| x == o).count()
                };
                if matches!(c, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*')
                    || unbalanced(b'(', b')')
                    || unbalanced(b'[', b']')
                {
                    e -= 1;
                } else {
                    break;
                }
            }
            let v = &b[s..e];
            let host_start = v.windows(3).position(|w| w == b"://").map_or(0, |p| p + 3);
            let host_end = v[host_start..]
                .iter()
                .position(|&c| matches!(c, b'/' | b'?' | b'#'))
                .map_or(v.len(), |p| host_start + p);
            let host = v[host_start..host_end].to_ascii_lowercase();
            let host = match host.iter().rposition(|&c| c == b'@') {
                Some(p) => &host[p + 1..],
                None => &host[..],
            };
            let host = match host.iter().rposition(|&c| c == b':') {
                Some(p) if !host.contains(&b']') || host[p - 1] == b']' => &host[..p],
                _ => host,
            };
            if !host.contains(&b'.') && !host.starts_with(b"[") || reserved_host(host) {
                continue;
            }
            out.push(span(s, e, EntityType::Url));
        }
    }
}

/// Whether a context keyword in the window before the digit run at `d` could lead to a
/// finding; most digit runs in chat (list numbers, versions, amounts) cannot, and the keyword
/// search is skipped for them. No digit lies between such a keyword and `d`, so the value
/// after the keyword is the token holding `d`, which needs five digits or more, or a date
/// starting within 48 bytes, which holds four digits in a row or `d/d`, `d.d`, `d-d`.
fn may_follow_keyword(b: &[u8], classes: &Classes, d: usize) -> bool {
    // Digits of the token holding `d`, grouped as `value_after` groups them.
    let mut e = d;
    let mut digits = 0;
    while e < b.len()
        && (b[e].is_ascii_alphanumeric()
            || (matches!(b[e], b' ' | b'-')
                && e + 1 < b.len()
                && b[e + 1].is_ascii_digit()
                && b[e - 1].is_ascii_digit()))
    {
        digits += usize::from(b[e].is_ascii_digit());
        e += 1;
    }
    if digits >= 5 {
        return true;
    }
    let end = (d + 48).min(b.len());
    let mut p = d;
    while let Some(q) = classes.next(DIGIT, p).filter(|&q| q < end) {
        let r = q + b[q..].iter().take_while(|c| c.is_ascii_digit()).count();
        if (r - q >= 4 && q + 4 <= end)
            || (r <= end
                && r + 1 < b.len()
                && matches!(b[r], b'/' | b'.' | b'-')
                && b[r + 1].is_ascii_digit())
        {
            return true;
        }
        p = r;
    }
    false
}

/// MAC addresses `hh:hh:hh:hh:hh:hh`, `hh-hh-hh-hh-hh-hh` and `hhhh.hhhh.hhhh` between
/// word boundaries, found from their separators (the first one sits at a fixed offset).
pub(crate) fn scan_macs(b: &[u8], out: &mut Vec<Span>) {
    // Shapes do not overlap: one found (even if rejected below) hides those inside it.
    let mut next = 0;
    for q in memchr::memchr3_iter(b':', b'-', b'.', b) {
        let (back, len) = if b[q] == b'.' { (4, 14) } else { (2, 17) };
        let Some(s) = q.checked_sub(back) else {
            continue;
        };
        let e = s + len;
        if s < next
            || e > b.len()
            || !mac_shape(&b[s..e])
            || (s > 0 && is_word_byte(b[s - 1]))
            || (e < b.len() && is_word_byte(b[e]))
        {
            continue;
        }
        next = e;
        if (s > 0 && matches!(b[s - 1], b':' | b'-' | b'.'))
            || (e < b.len()
                && matches!(b[e], b':' | b'-' | b'.')
                && e + 1 < b.len()
                && b[e + 1].is_ascii_hexdigit())
        {
            continue;
        }
        let hex: Vec<u8> = b[s..e]
            .iter()
            .filter(|c| c.is_ascii_hexdigit())
            .map(u8::to_ascii_lowercase)
            .collect();
        // Broadcast and all-zero addresses identify nobody; digit-only groups that are
        // all the same are more likely a counter.
        if hex.iter().all(|&c| c == hex[0]) {
            continue;
        }
        out.push(span(s, e, EntityType::MacAddress));
    }
}

/// Whether `w` (17 or 14 bytes) is six hex pairs joined by one separator, `:` or `-`, or
/// three hex quads joined by `.`.
fn mac_shape(w: &[u8]) -> bool {
    let hex = |c: &u8| c.is_ascii_hexdigit();
    if w.len() == 14 {
        return w[4] == b'.'
            && w[9] == b'.'
            && w.split(|&c| c == b'.')
                .all(|g| g.len() == 4 && g.iter().all(hex));
    }
    let sep = w[2];
    matches!(sep, b':' | b'-')
        && w.chunks(3)
            .all(|g| hex(&g[0]) && hex(&g[1]) && (g.len() == 2 || g[2] == sep))
}

/// Bitcoin (base58check, bech32/bech32m) and Ethereum addresses: one pass over long
/// alphanumeric runs.
pub(crate) fn scan_crypto(b: &[u8], classes: &Classes, out: &mut Vec<Span>) {
    let n = b.len();
    let mut i = 0;
    while i < n {
        // Every address holds a digit early: `1`/`3` first (base58), `0x`, `bc1`/`tb1`.
        let Some(p) = classes.next(DIGIT, i) else {
            break;
        };
        i = p;
        if !matches!(b[i], b'0' | b'1' | b'3') {
            i += 1;
            continue;
        }
        let mut s = i;
        if b[i] == b'1'
            && i >= 2
            && (b[i - 2..i].eq_ignore_ascii_case(b"bc") || b[i - 2..i].eq_ignore_ascii_case(b"tb"))
        {
            s = i - 2;
        }
        if s > 0 && is_word_byte(b[s - 1]) {
            while i < n && is_word_byte(b[i]) {
                i += 1;
            }
            continue;
        }
        let mut e = i;
        while e < n && b[e].is_ascii_alphanumeric() {
            e += 1;
        }
        if e - s < 26 || (e < n && (b[e] == b'_' || b[e] >= 0x80)) {
            i = e.max(i + 1);
            continue;
        }
        let v = &b[s..e];
        let ok = match v[0] {
            b'0' => v.len() == 42 && v[1] == b'x' && v[2..].iter().all(u8::is_ascii_hexdigit),
            b'1' | b'3' => v.len() <= 35 && base58check(v),
            _ => v.len() <= 90 && bech32_valid(v),
        };
        if ok {
            out.push(span(s, e, EntityType::Crypto));
        }
        i = e.max(i + 1);
    }
}

fn span(start: usize, end: usize, entity_type: EntityType) -> Span {
    Span {
        start,
        end,
        entity_type,
    }
}

/// Hosts reserved for documentation and local use (RFC 2606, RFC 6761): no one's data.
fn reserved_host(h: &[u8]) -> bool {
    let h = h.strip_prefix(b"www.").unwrap_or(h);
    matches!(
        h,
        b"example.com" | b"example.net" | b"example.org" | b"localhost"
    ) || h.ends_with(b".example.com")
        || h.ends_with(b".example.net")
        || h.ends_with(b".example.org")
        || h.ends_with(b".example")
        || h.ends_with(b".test")
        || h.ends_with(b".invalid")
        || h.ends_with(b".localhost")
}

/// The first identifier-shaped token in `b[from..to]` for a context keyword of `kind`.
fn value_after(b: &[u8], from: usize, to: usize, kind: Ctx) -> Option<(usize, usize)> {
    let mut i = from;
    while i < to {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = i;
        // Values may be grouped with single spaces or dashes: "943 476 5919".
        while e < b.len()
            && (b[e].is_ascii_alphanumeric()
                || (matches!(b[e], b' ' | b'-')
                    && e + 1 < b.len()
                    && b[e + 1].is_ascii_digit()
                    && b[e - 1].is_ascii_digit()))
        {
            e += 1;
        }
        let v = &b[s..e];
        let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
        let letters = v.iter().filter(|c| c.is_ascii_alphabetic()).count();
        let compact: Vec<u8> = v
            .iter()
            .copied()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        let lead_letters = compact
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let ok = match kind {
            Ctx::License => {
                (5..=14).contains(&digits)
                    && lead_letters <= 2
                    && letters == lead_letters
                    && compact.len() <= 16
            }
            Ctx::Passport => {
                (6..=9).contains(&digits) && lead_letters <= 2 && letters == lead_letters
            }
            Ctx::Bank => (8..=17).contains(&digits) && letters == 0,
            Ctx::Nhs => digits == 10 && letters == 0 && nhs_valid(&compact),
            _ => false,
        };
        if ok {
            return Some((s, e));
        }
        // Only skip short words ("is", "number", "no."); a long other value ends the search.
        if digits > 0 {
            return None;
        }
        i = e;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(String, EntityType)> {
        let ids = Ids::new().unwrap();
        let mut v = Vec::new();
        let b = t.as_bytes();
        ids.scan_context(b, &Classes::of(b), &mut v);
        ids.scan_urls(b, &mut v);
        scan_macs(b, &mut v);
        scan_crypto(b, &Classes::of(b), &mut v);
        v.iter()
            .map(|s| (t[s.start..s.end].to_string(), s.entity_type))
            .collect()
    }

    #[test]
    fn context_ids() {
        assert_eq!(
            found("my driver's license is F956444351718."),
            vec![("F956444351718".into(), EntityType::UsDriverLicense)]
        );
        assert_eq!(
            found("Passport number: 912803456"),
            vec![("912803456".into(), EntityType::UsPassport)]
        );
        assert_eq!(
            found("bank account 000123456789"),
            vec![("000123456789".into(), EntityType::UsBankNumber)]
        );
        assert_eq!(
            found("NHS number 943 476 5919"),
            vec![("943 476 5919".into(), EntityType::UkNhs)]
        );
        assert!(found("NHS number 943 476 5918").is_empty());
        assert_eq!(
            found("She was born on 6/17/1947. Her"),
            vec![("6/17/1947".into(), EntityType::DateTime)]
        );
        assert_eq!(
            found("DOB: March 3, 1980"),
            vec![("March 3, 1980".into(), EntityType::DateTime)]
        );
        assert!(found("released on 2024-05-01").is_empty());
    }

    #[test]
    fn urls_macs_crypto() {
        assert_eq!(
            found("see https://www.ReportConsumer.com/a?b=1)."),
            vec![(
                "https://www.ReportConsumer.com/a?b=1".into(),
                EntityType::Url
            )]
        );
        assert!(found("call https://api.example.com/v1/items now").is_empty());
        // Without a scheme, "www." in any case still opens a URL (the cheap gate before the
        // automaton must not miss it).
        assert_eq!(
            found("at WWW.ReportConsumer.com/u/jdoe today"),
            vec![("WWW.ReportConsumer.com/u/jdoe".into(), EntityType::Url)]
        );
        assert_eq!(
            found("mac 00:1A:2B:3C:4D:5E up"),
            vec![("00:1A:2B:3C:4D:5E".into(), EntityType::MacAddress)]
        );
        for (t, want) in [
            ("eth0 00-1a-2b-3c-4d-5e,", Some("00-1a-2b-3c-4d-5e")),
            ("(0011.22aa.4455)", Some("0011.22aa.4455")),
            (
                "at 12:30:45 and 12:30:45:00:11:22",
                Some("12:30:45:00:11:22"),
            ),
            // One separator throughout, six groups, word boundaries on both sides.
            ("00:1A-2B:3C:4D:5E", None),
            ("00:1A:2B:3C:4D:5E:6F", None),
            ("x00:1A:2B:3C:4D:5E", None),
            ("00:1A:2B:3C:4D:5Eg", None),
            ("ff:ff:ff:ff:ff:ff", None),
            ("0011.2233.4455.6677", None),
            ("on 2024-11-05 at 10:15", None),
        ] {
            let got: Vec<String> = found(t).into_iter().map(|(v, _)| v).collect();
            assert_eq!(
                got,
                want.into_iter().map(String::from).collect::<Vec<_>>(),
                "{t}"
            );
        }
        for a in [
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        ] {
            assert_eq!(
                found(&format!("send to {a} ok")),
                vec![(a.into(), EntityType::Crypto)]
            );
        }
        assert!(found("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 ok").is_empty());
        assert!(found("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx").is_empty());
    }
}
