//! Regex detectors with literal gates: e-mail, password in URL, IPv6 and IBAN.

use regex::bytes::Regex;
use std::net::Ipv6Addr;

use super::is_word_byte;
use crate::classify::{Classes, DIGIT};
use crate::validate::{iban_length, iban_mod97};
use crate::{EntityType, Span};

/// Compiled regexes; built once per scanner.
pub(crate) struct Patterns {
    email: Regex,
    url_password: Regex,
    ipv6: Regex,
    iban: Regex,
    obfuscated_email: Regex,
    /// Gates for `obfuscated_email`: ` dot `, ` DOT `, ` @ ` (bracketed forms are found
    /// from their closing bracket).
    dot: memchr::memmem::Finder<'static>,
    dot_upper: memchr::memmem::Finder<'static>,
    at_spaced: memchr::memmem::Finder<'static>,
}

impl Patterns {
    pub(crate) fn new() -> Result<Self, regex::Error> {
        Ok(Patterns {
            email: Regex::new(
                r"(?i-u)[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}",
            )?,
            url_password: Regex::new(
                r#"(?i-u)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@<>"'`]{1,128}:([^\s/@<>"'`]{1,256})@[a-z0-9\[]"#,
            )?,
            ipv6: Regex::new(
                r"(?i-u)[0-9a-f]{0,4}(?:::?[0-9a-f]{1,4}){2,7}(?:::)?|[0-9a-f]{1,4}::",
            )?,
            iban: Regex::new(r"(?-u)^[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}")?,
            obfuscated_email: Regex::new(concat!(
                r"(?i-u)\b[a-z0-9][a-z0-9_%+\-]*(?:(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)[a-z0-9_%+\-]+)*",
                r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s+@\s+)",
                r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?",
                r"(?:(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*",
                r"(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|ca|au|us|info|biz|me|ai|dev|app|[a-z]{2})\b",
            ))?,
            dot: memchr::memmem::Finder::new(b" dot ").into_owned(),
            dot_upper: memchr::memmem::Finder::new(b" DOT ").into_owned(),
            at_spaced: memchr::memmem::Finder::new(b" @ ").into_owned(),
        })
    }

    pub(crate) fn email(&self, b: &[u8], out: &mut Vec<Span>) {
        for m in self.email.find_iter(b) {
            let (mut s, e) = (m.start(), m.end());
            // `user:pass@host` inside a URL is a credential, not an address.
            if s > 0 && matches!(b[s - 1], b':' | b'/') {
                continue;
            }
            while s < e && b[s] == b'.' {
                s += 1;
            }
            // `\nuser@x.com` in double-escaped text: the `n` belongs to the escape.
            if s >= 1 && b[s - 1] == b'\\' && matches!(b[s], b'n' | b't' | b'r') {
                s += 1;
            }
            if e < b.len() && (b[e] == b'@' || (b[e] == b'-') || b[e].is_ascii_alphanumeric()) {
                continue;
            }
            out.push(Span {
                start: s,
                end: e,
                entity_type: EntityType::EmailAddress,
            });
        }
    }

    /// `jane dot doe at example dot com`, `jane [at] example [dot] com`: only when the
    /// text spells out "at" or "dot" in brackets or words.
    pub(crate) fn obfuscated_email(&self, b: &[u8], out: &mut Vec<Span>) {
        let bracketed = || memchr::memchr3_iter(b']', b')', b'}', b).any(|i| bracketed_word(b, i));
        if self.dot.find(b).is_none()
            && self.dot_upper.find(b).is_none()
            && self.at_spaced.find(b).is_none()
            && !bracketed()
        {
            return;
        }
        for m in self.obfuscated_email.find_iter(b) {
            let v = m.as_bytes();
            // A plain address is found by the e-mail pattern; this one needs an obfuscation,
            // and " at " alone ("look at example.com") is not one.
            let lower = v.to_ascii_lowercase();
            let bracketed = lower
                .windows(2)
                .any(|w| matches!(w[0], b'[' | b'(' | b'{' | b'<') && w[1] != b' ')
                || lower.windows(3).any(|w| w == b" @ ");
            let worded_dot = lower.windows(5).any(|w| w == b" dot ");
            if !(bracketed || worded_dot) {
                continue;
            }
            out.push(Span {
                start: m.start(),
                end: m.end(),
                entity_type: EntityType::EmailAddress,
            });
        }
    }

    pub(crate) fn url_password(&self, b: &[u8], out: &mut Vec<Span>) {
        for c in self.url_password.captures_iter(b) {
            let g = c.get(1).expect("group 1 always participates");
            let v = g.as_bytes();
            // Templated or masked values are not secrets.
            if matches!(v[0], b'$' | b'{' | b'%' | b'*')
                || v.iter().all(|&x| x == v[0])
                || v.eq_ignore_ascii_case(b"password")
                || v.eq_ignore_ascii_case(b"pass")
            {
                continue;
            }
            out.push(Span {
                start: g.start(),
                end: g.end(),
                entity_type: EntityType::Password,
            });
        }
    }

    pub(crate) fn ipv6(&self, text: &str, out: &mut Vec<Span>) {
        let b = text.as_bytes();
        // The pattern matches only hex digits and colons and has no look-around, so every
        // match lies inside a maximal run of those bytes and searching each run that holds
        // two colons finds what a search of the whole text finds.
        let run_byte = |c: u8| c.is_ascii_hexdigit() || c == b':';
        let mut next = 0;
        for q in memchr::memchr_iter(b':', b) {
            if q < next {
                continue;
            }
            let mut rs = q;
            while rs > 0 && run_byte(b[rs - 1]) {
                rs -= 1;
            }
            let mut re = q + 1;
            while re < b.len() && run_byte(b[re]) {
                re += 1;
            }
            next = re;
            if memchr::memchr(b':', &b[q + 1..re]).is_none() {
                continue;
            }
            for m in self.ipv6.find_iter(&b[rs..re]) {
                self.ipv6_candidate(text, rs + m.start(), rs + m.end(), out);
            }
        }
    }

    /// Keeps the match `s..e` when it stands alone and parses as an address with digits.
    fn ipv6_candidate(&self, text: &str, s: usize, e: usize, out: &mut Vec<Span>) {
        let b = text.as_bytes();
        if (s > 0 && (is_word_byte(b[s - 1]) || b[s - 1] == b':' || b[s - 1] == b'.'))
            || (e < b.len() && (is_word_byte(b[e]) || b[e] == b':'))
        {
            return;
        }
        let cand = &text[s..e];
        let groups = cand.split(':').filter(|g| !g.is_empty()).count();
        if groups < 3 || !cand.bytes().any(|c| c.is_ascii_digit()) {
            return;
        }
        if cand.parse::<Ipv6Addr>().is_ok() {
            out.push(Span {
                start: s,
                end: e,
                entity_type: EntityType::IpAddress,
            });
        }
    }

    /// IBANs starting at or after `from`: the pattern is tried, anchored, only where two
    /// capitals and two digits open a word (it is at most 64 bytes long).
    pub(crate) fn iban(&self, b: &[u8], classes: &Classes, from: usize, out: &mut Vec<Span>) {
        let mut next = from;
        let mut p = from + 2;
        while let Some(d) = classes.next(DIGIT, p) {
            p = d + 1;
            let s = d - 2;
            if s < next
                || d + 1 >= b.len()
                || !b[d + 1].is_ascii_digit()
                || !b[s].is_ascii_uppercase()
                || !b[s + 1].is_ascii_uppercase()
                || (s > 0 && is_word_byte(b[s - 1]))
            {
                continue;
            }
            let Some(m) = self.iban.find(&b[s..(s + 64).min(b.len())]) else {
                continue;
            };
            let m_end = s + m.end();
            next = m_end;
            let Some(len) = iban_length(&b[s..s + 2]) else {
                continue;
            };
            // Walk the candidate taking exactly `len` alphanumerics, allowing single spaces
            // between groups; the IBAN must end at a word boundary.
            let mut compact = Vec::with_capacity(len);
            let mut i = s;
            while i < m_end && compact.len() < len {
                if b[i] != b' ' {
                    compact.push(b[i]);
                }
                i += 1;
            }
            if compact.len() != len || (i < b.len() && b[i].is_ascii_alphanumeric()) {
                continue;
            }
            if iban_mod97(&compact) {
                out.push(Span {
                    start: s,
                    end: i,
                    entity_type: EntityType::IbanCode,
                });
            }
        }
    }
}

/// Whether the closing bracket at `close` ends `[at]` or `(dot)`, with optional white space
/// inside the brackets: the bracketed forms of the obfuscated-address pattern.
fn bracketed_word(b: &[u8], close: usize) -> bool {
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C);
    let mut j = close;
    while j > 0 && space(b[j - 1]) {
        j -= 1;
    }
    let word = if j >= 2 && b[j - 2..j].eq_ignore_ascii_case(b"at") {
        2
    } else if j >= 3 && b[j - 3..j].eq_ignore_ascii_case(b"dot") {
        3
    } else {
        return false;
    };
    let mut k = j - word;
    while k > 0 && space(b[k - 1]) {
        k -= 1;
    }
    k > 0 && matches!(b[k - 1], b'[' | b'(' | b'{' | b'<')
}
