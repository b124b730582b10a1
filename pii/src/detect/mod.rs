//! Detectors. Each pushes candidate spans; [`resolve`] turns them into the sorted,
//! non-overlapping result.

pub(crate) mod ids;
pub(crate) mod intros;
pub(crate) mod location;
pub(crate) mod names;
pub(crate) mod numbers;
pub(crate) mod patterns;
pub(crate) mod secrets;
pub(crate) mod wordkey;

use crate::{EntityType, Span};

/// Precedence when candidates overlap: the higher wins, then the longer.
fn priority(t: EntityType) -> u8 {
    match t {
        EntityType::PrivateKey => 20,
        EntityType::ApiKey => 19,
        EntityType::Password => 18,
        EntityType::Crypto => 17,
        EntityType::EmailAddress => 16,
        EntityType::Url => 15,
        EntityType::IbanCode => 14,
        EntityType::CreditCard => 13,
        EntityType::UkNhs => 12,
        EntityType::UsSsn => 11,
        EntityType::MacAddress => 10,
        EntityType::IpAddress => 9,
        EntityType::UsBankNumber => 8,
        EntityType::UsPassport => 7,
        EntityType::UsDriverLicense => 6,
        EntityType::DateTime => 5,
        EntityType::Location => 4,
        EntityType::PhoneNumber => 3,
        EntityType::Person => 1,
    }
}

/// Keeps the best of overlapping candidates and drops those touching a `protected` range
/// (placeholders left by an earlier redaction). Returns spans sorted by start.
pub(crate) fn resolve(mut cands: Vec<Span>, protected: &[(usize, usize)]) -> Vec<Span> {
    if cands.len() <= 1 && protected.is_empty() {
        return cands;
    }
    cands.sort_by(|a, b| {
        priority(b.entity_type)
            .cmp(&priority(a.entity_type))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut out: Vec<Span> = Vec::with_capacity(cands.len());
    for c in cands {
        if overlaps_any(protected, c.start, c.end) {
            continue;
        }
        // `out` is kept sorted by start; check the neighbours around the insertion point.
        let i = out.partition_point(|s| s.start < c.start);
        if i > 0 && out[i - 1].end > c.start {
            continue;
        }
        if i < out.len() && out[i].start < c.end {
            continue;
        }
        out.insert(i, c);
    }
    out
}

fn overlaps_any(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|r| r.1 <= start);
    i < ranges.len() && ranges[i].0 < end
}

/// Byte ranges of placeholders such as `<EMAIL_ADDRESS_1>` (upper-case name, `_`, number)
/// and pseudonyms such as `<EMAIL_ADDRESS_ab12cd34>` (lower-case hex).
pub(crate) fn placeholders(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let s = i + off;
        let mut j = s + 1;
        while j < b.len() && (b[j].is_ascii_uppercase() || b[j] == b'_') {
            j += 1;
        }
        let name_end = j;
        while j < b.len() && (b[j].is_ascii_digit() || matches!(b[j], b'a'..=b'f')) {
            j += 1;
        }
        if name_end > s + 2
            && b[name_end - 1] == b'_'
            && j > name_end
            && j < b.len()
            && b[j] == b'>'
        {
            out.push((s, j + 1));
            i = j + 1;
        } else {
            i = s + 1;
        }
    }
    out
}

/// Byte helpers shared by detectors.
#[inline]
pub(crate) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Whether a literal escape sequence (`\n`, `\t`, `\r`, as left by double-encoded JSON) ends
/// right before `i`; such an escape separates words like whitespace does.
#[inline]
pub(crate) fn escape_before(b: &[u8], i: usize) -> bool {
    i >= 2 && b[i - 2] == b'\\' && matches!(b[i - 1], b'n' | b't' | b'r')
}

/// Lower-cased ASCII window of up to `n` bytes ending at `end`, for context look-behind.
pub(crate) fn context_before(b: &[u8], end: usize, n: usize) -> Vec<u8> {
    let start = end.saturating_sub(n);
    b[start..end].to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders() {
        let t = b"a <EMAIL_ADDRESS_1> b <PERSON_12> <x_1> <A_> <B_2";
        assert_eq!(placeholders(t), vec![(2, 19), (22, 33)]);
    }

    #[test]
    fn resolve_prefers_priority_then_length() {
        let s = |start, end, entity_type| Span {
            start,
            end,
            entity_type,
        };
        let got = resolve(
            vec![
                s(0, 10, EntityType::PhoneNumber),
                s(2, 8, EntityType::CreditCard),
                s(20, 25, EntityType::Person),
                s(22, 30, EntityType::Person),
            ],
            &[],
        );
        assert_eq!(
            got,
            vec![
                s(2, 8, EntityType::CreditCard),
                s(22, 30, EntityType::Person)
            ]
        );
    }
}
