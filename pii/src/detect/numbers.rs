//! Digit-run detectors: credit cards, US SSNs, IPv4 addresses and phone numbers.
//!
//! One pass finds runs of digit groups joined by phone-style separators (space, `-`, `.`,
//! parentheses); each run is classified once, validators run only on runs of the right shape.

use super::{context_before, escape_before, is_word_byte};
use crate::classify::{Classes, DIGIT};
use crate::validate::{luhn, ssn_valid};
use crate::{EntityType, Span};

/// One group of digits inside a run, and the separator bytes that preceded it.
#[derive(Clone, Copy, Debug)]
struct Group {
    start: usize,
    end: usize,
    /// Separator class before this group: 0 none (first), b' ', b'-', b'.', b'(' for any
    /// parenthesised form.
    sep: u8,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

const PHONE_WORDS: &[&[u8]] = &[
    b"phone",
    b"tel",
    b"call",
    b"mobile",
    b"cell",
    b"fax",
    b"whatsapp",
    b"contact",
    b"number",
    b"reach",
    b"text",
    b"message",
    b"registered",
    b"dial",
    b"ring",
    b"sms",
    b"landline",
    b"telefon",
];
/// Labels that follow a number in contact blocks: "555 1234 (office)", "... mobile".
const PHONE_AFTER: &[&[u8]] = &[
    b"office", b"mobile", b"fax", b"cell", b"home", b"work", b"(m)", b"(h)", b"(w)",
];
const CARD_WORDS: &[&[u8]] = &[
    b"card",
    b"visa",
    b"mastercard",
    b"amex",
    b"maestro",
    b"debit",
    b"credit",
];
const SSN_WORDS: &[&[u8]] = &[
    b"ssn",
    b"social security",
    b"social sec",
    b"tax id",
    b"taxpayer",
];

fn has_context(b: &[u8], start: usize, words: &[&[u8]]) -> bool {
    contains_any(&context_before(b, start, 40), words)
}

/// Whether `hay` contains one of `words` (all short, lower-case ASCII).
fn contains_any(hay: &[u8], words: &[&[u8]]) -> bool {
    words.iter().any(|w| {
        let (first, rest) = (w[0], &w[1..]);
        hay.iter().enumerate().any(|(i, &c)| {
            c == first && hay.len() - i > rest.len() && hay[i + 1..i + 1 + rest.len()] == *rest
        })
    })
}

/// Scans `b` for digit runs and pushes classified candidates. Returns where the first
/// digit run right after two capital letters (`GB82`) starts, the only place an IBAN can.
pub(crate) fn scan(b: &[u8], classes: &Classes, out: &mut Vec<Span>) -> Option<usize> {
    let mut iban_start = None;
    let n = b.len();
    let mut i = 0;
    let mut groups: Vec<Group> = Vec::with_capacity(8);
    while i < n {
        // Jump to the next digit.
        match classes.next(DIGIT, i) {
            Some(p) => i = p,
            None => break,
        }
        // A run starts only at a word start (not inside `abc123`, `v1.2`, `_1`).
        if i > 0
            && !escape_before(b, i)
            && (is_word_byte(b[i - 1])
                || (matches!(b[i - 1], b'.' | b'-' | b':' | b'/')
                    && i > 1
                    && b[i - 2].is_ascii_alphanumeric()))
        {
            if iban_start.is_none()
                && i >= 2
                && b[i - 1].is_ascii_uppercase()
                && b[i - 2].is_ascii_uppercase()
            {
                iban_start = Some(i - 2);
            }
            // Inside a word, version, date or path: skip all of it.
            while i < n
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'.' | b'-' | b':' | b'/'))
            {
                i += 1;
            }
            continue;
        }
        groups.clear();
        let run_start = i;
        let mut j = i;
        let mut sep = 0u8;
        loop {
            let gs = j;
            while j < n && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(Group {
                start: gs,
                end: j,
                sep,
            });
            if groups.len() >= 8 {
                break;
            }
            match parse_sep(b, j) {
                Some((class, k)) => {
                    sep = class;
                    j = k;
                }
                None => break,
            }
        }
        let mut run_end = groups[groups.len() - 1].end;
        i = run_end.max(i + 1);
        // Leading `+` or `(` belongs to the run.
        let mut s = run_start;
        let plus = s > 0 && b[s - 1] == b'+';
        if plus || (s > 0 && b[s - 1] == b'(') {
            s -= 1;
        }
        if s > 0 && b[s] == b'(' && b[s - 1] == b'+' {
            s -= 1;
        }
        // Extension: `x123`, ` ext. 123`.
        let mut ext_end = None;
        if run_end < n && (b[run_end] == b'x' || b[run_end] == b'X') {
            let mut k = run_end + 1;
            while k < n && b[k].is_ascii_digit() {
                k += 1;
            }
            if k > run_end + 1 && k - run_end <= 6 && (k == n || !is_word_byte(b[k])) {
                ext_end = Some(k);
            }
        }
        // The run must end at a word boundary (not `123abc`), unless an extension follows.
        if ext_end.is_none() && run_end < n && (is_word_byte(b[run_end]) || b[run_end] == b'@') {
            continue;
        }
        classify(b, s, plus, &groups, out, &mut run_end, ext_end);
    }
    iban_start
}

/// Parses a separator `[ .-]? )? [ .-]? (?` at `k`; returns its class (b' ', b'-', b'.' or
/// b'(' for any parenthesised form) and the index of the digit that follows it.
fn parse_sep(b: &[u8], mut k: usize) -> Option<(u8, usize)> {
    let n = b.len();
    let mut class = 0u8;
    let mut plain = 0;
    if k < n && matches!(b[k], b' ' | b'-' | b'.') {
        class = b[k];
        k += 1;
        plain += 1;
    }
    if k < n && b[k] == b')' {
        class = b'(';
        k += 1;
    }
    if k < n && matches!(b[k], b' ' | b'-' | b'.') && class == b'(' && plain == 0 {
        k += 1;
    }
    if k < n && b[k] == b'(' {
        class = b'(';
        k += 1;
    }
    (class != 0 && k < n && b[k].is_ascii_digit()).then_some((class, k))
}

fn digits_of(b: &[u8], groups: &[Group]) -> Vec<u8> {
    let mut d = Vec::with_capacity(20);
    for g in groups {
        d.extend_from_slice(&b[g.start..g.end]);
    }
    d
}

fn classify(
    b: &[u8],
    s: usize,
    plus: bool,
    groups: &[Group],
    out: &mut Vec<Span>,
    run_end: &mut usize,
    ext_end: Option<usize>,
) {
    let ng = groups.len();
    let total: usize = groups.iter().map(Group::len).sum();
    // Short single numbers ("3", "2024", "42") are the common case and never a finding.
    if ng == 1 && total < 9 {
        return;
    }
    let seps_same = |c: u8| groups[1..].iter().all(|g| g.sep == c);
    let lens: Vec<usize> = groups.iter().map(Group::len).collect();
    let first = groups[0].start;
    let end = *run_end;
    let preceded_by_hash = first > 0 && b[first - 1] == b'#';

    // IPv4: four dotted groups of at most three digits, each <= 255.
    if ng == 4 && !plus && seps_same(b'.') && lens.iter().all(|&l| l <= 3) {
        let ok = groups.iter().all(|g| {
            let v: u32 = std::str::from_utf8(&b[g.start..g.end])
                .unwrap()
                .parse()
                .unwrap_or(999);
            v <= 255 && !(g.len() > 1 && b[g.start] == b'0')
        });
        if ok
            && !(end < b.len()
                && b[end] == b'.'
                && end + 1 < b.len()
                && b[end + 1].is_ascii_digit())
        {
            out.push(Span {
                start: first,
                end,
                entity_type: EntityType::IpAddress,
            });
        }
        return;
    }
    // Dates (2024-05-01, 01.02.2024, 1999-06-30 10): not ours to report.
    if ng >= 3 && !plus {
        let l = (lens[0], lens[1], lens[2]);
        let sep_ok = groups[1].sep == groups[2].sep && matches!(groups[1].sep, b'-' | b'.');
        if sep_ok
            && (l == (4, 2, 2)
                || l == (2, 2, 4)
                || l == (1, 2, 4)
                || l == (2, 1, 4)
                || l == (1, 1, 4))
        {
            return;
        }
    }
    // US SSN: 3-2-4 with dashes (or spaces with context).
    if ng == 3
        && !plus
        && lens == [3, 2, 4]
        && (seps_same(b'-') || (seps_same(b' ') && has_context(b, first, SSN_WORDS)))
    {
        let d = digits_of(b, groups);
        if ssn_valid(&d) {
            out.push(Span {
                start: first,
                end,
                entity_type: EntityType::UsSsn,
            });
        }
        return;
    }
    // Credit card: 13-19 digits, one separator kind, Luhn.
    let card_len = if total == 12 && has_context(b, first, CARD_WORDS) {
        12..=19
    } else {
        13..=19
    };
    if card_len.contains(&total) && !plus {
        let sep_kind = if ng == 1 {
            Some(0)
        } else if seps_same(b' ') {
            Some(b' ')
        } else if seps_same(b'-') {
            Some(b'-')
        } else {
            None
        };
        let shape_ok = ng == 1
            || (lens[..ng - 1].iter().all(|&l| l == 4) && lens[ng - 1] <= 4)
            || lens == [4, 6, 5]
            || lens == [4, 6, 4];
        if sep_kind.is_some() && shape_ok && !preceded_by_hash {
            let d = digits_of(b, groups);
            if luhn(&d) && d.iter().any(|&c| c != d[0]) {
                out.push(Span {
                    start: first,
                    end,
                    entity_type: EntityType::CreditCard,
                });
                return;
            }
        }
    }
    // Unseparated nine digits with SSN context.
    if ng == 1 && total == 9 && has_context(b, first, SSN_WORDS) {
        if ssn_valid(&b[first..end]) {
            out.push(Span {
                start: first,
                end,
                entity_type: EntityType::UsSsn,
            });
        }
        return;
    }
    if preceded_by_hash {
        return;
    }
    // Phone numbers. Try the whole run, then drop trailing groups (`555-123-4567 2 times`).
    let mut ctx_cache: Option<bool> = None;
    let mut ctx = || {
        *ctx_cache.get_or_insert_with(|| {
            has_context(b, s, PHONE_WORDS) || {
                let e = (end + 14).min(b.len());
                contains_any(&b[end..e].to_ascii_lowercase(), PHONE_AFTER)
            }
        })
    };
    let paren = b[s] == b'(' || groups.iter().any(|g| g.sep == b'(');
    for k in (1..=ng).rev() {
        let g = &groups[..k];
        let l = &lens[..k];
        let digits: usize = l.iter().sum();
        let is_phone = if plus {
            (8..=15).contains(&digits)
        } else if k == 1 {
            // Unseparated: national trunk prefix 0, or context.
            (l[0] == 10 || l[0] == 11) && (b[g[0].start] == b'0' || ctx())
        } else if !(6..=15).contains(&digits) {
            false
        } else {
            let short_groups = l.iter().filter(|&&x| x < 2).count();
            let years = l.iter().all(|&x| x == 4)
                && g.iter()
                    .all(|gr| matches!(&b[gr.start..gr.start + 2], b"19" | b"20"));
            let thousands = k >= 3
                && l[0] <= 3
                && l[1..].iter().all(|&x| x == 3)
                && matches!(g[1].sep, b' ' | b'.');
            let mixed = {
                let seps: Vec<u8> = g[1..]
                    .iter()
                    .map(|x| x.sep)
                    .filter(|&c| c != b'(')
                    .collect();
                seps.windows(2).any(|w| w[0] != w[1])
            };
            // Repeated identical groups ("1000 1000 1000") are a list of numbers.
            let repeated = k >= 2
                && g.iter()
                    .all(|gr| b[gr.start..gr.end] == b[g[0].start..g[0].end]);
            let us = l == [3, 3, 4] && (paren || !mixed);
            let trunk = b[g[0].start] == b'0' && (9..=12).contains(&digits);
            let grouped =
                k >= 3 && (8..=12).contains(&digits) && short_groups == 0 && !mixed && !thousands;
            // "0.74269533" is a decimal fraction, not a trunk-prefixed number.
            let decimal = k == 2 && g[1].sep == b'.' && g[0].len() <= 2;
            !years
                && !decimal
                && !repeated
                && short_groups <= 1
                && l.iter().all(|&x| x <= 8)
                && (us
                    || trunk
                    || grouped
                    || (k == 2 && (7..=12).contains(&digits) && short_groups == 0 && ctx())
                    || (k >= 3 && (6..=12).contains(&digits) && ctx()))
        };
        if is_phone {
            let mut e = g[k - 1].end;
            if k == ng {
                if let Some(x) = ext_end {
                    e = x;
                }
            }
            let start = if k >= 1 { s } else { first };
            out.push(Span {
                start,
                end: e,
                entity_type: EntityType::PhoneNumber,
            });
            *run_end = e;
            return;
        }
        if k <= 2 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(String, EntityType)> {
        let mut v = Vec::new();
        let _ = scan(t.as_bytes(), &Classes::of(t.as_bytes()), &mut v);
        v.iter()
            .map(|s| (t[s.start..s.end].to_string(), s.entity_type))
            .collect()
    }

    #[test]
    fn phones() {
        for p in [
            "(555) 123-4567",
            "555.123.4567",
            "555-123-4567",
            "+44 20 7946 0958",
            "+1 (555) 123-4567",
            "+41 (0)72 513 48 56",
            "020 7946 0958",
            "07700 900123",
            "07700900123",
            "01.49.79.84.47",
            "656-664-9863x1610",
        ] {
            let t = format!("reach me at {p} today");
            assert_eq!(
                found(&t),
                vec![(p.to_string(), EntityType::PhoneNumber)],
                "{t}"
            );
        }
    }

    #[test]
    fn not_phones() {
        for t in [
            "released on 2024-05-01 10:30",
            "version 1.2.3",
            "in 1990 2000 2010",
            "order #727315900261 shipped",
            "total 10 000 000 units",
            "it costs 3.14 or 2.72",
            "at 12:30:45 today",
            "room 12 and 14",
        ] {
            assert!(
                found(t).iter().all(|(_, e)| *e != EntityType::PhoneNumber),
                "{t}: {:?}",
                found(t)
            );
        }
    }

    #[test]
    fn cards_ssn_ip() {
        assert_eq!(
            found("card 4111 1111 1111 1111."),
            vec![("4111 1111 1111 1111".into(), EntityType::CreditCard)]
        );
        assert_eq!(
            found("card 4111-1111-1111-1111"),
            vec![("4111-1111-1111-1111".into(), EntityType::CreditCard)]
        );
        assert_eq!(
            found("card 378282246310005"),
            vec![("378282246310005".into(), EntityType::CreditCard)]
        );
        assert!(found("card 4111 1111 1111 1112")
            .iter()
            .all(|x| x.1 != EntityType::CreditCard));
        assert_eq!(
            found("ssn 536-90-2214"),
            vec![("536-90-2214".into(), EntityType::UsSsn)]
        );
        assert_eq!(
            found("my ssn is 536902214"),
            vec![("536902214".into(), EntityType::UsSsn)]
        );
        assert!(found("id 536902214").is_empty());
        assert!(found("ssn 666-90-2214").is_empty());
        assert!(found("ssn 536-00-2214").is_empty());
        assert_eq!(
            found("host 10.0.0.1 up"),
            vec![("10.0.0.1".into(), EntityType::IpAddress)]
        );
        assert!(found("host 10.0.0.256 up").is_empty());
        assert!(found("v1.2.3.4").is_empty());
        assert!(found("1.2.3.4.5").is_empty());
    }
}
