//! Redaction: typed placeholders numbered per record, keyed pseudonyms, masks, and
//! dropping the record.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use unicode_normalization::UnicodeNormalization;

use crate::entity::N_TYPES;
use crate::{EntityType, Span};

/// Placeholder numbering and finding counts shared by the fields of one record.
///
/// The same value (compared in a normalised form: digits only for numbers, lower case for
/// addresses and names) gets the same placeholder everywhere in the record.
#[derive(Clone, Debug, Default)]
pub struct RecordContext {
    numbers: HashMap<(EntityType, String), usize>,
    /// Names and places seen in a personal context in this record: redacted everywhere in it.
    pub(crate) personal: HashSet<(EntityType, String)>,
    /// Findings kept by the policy, per type.
    kept: [usize; N_TYPES],
    next: [usize; N_TYPES],
    counts: [usize; N_TYPES],
    drop: bool,
}

/// How the findings of one entity type are redacted
/// ([`ScannerBuilder::strategy`](crate::ScannerBuilder::strategy)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// A typed placeholder numbered within the record: `<EMAIL_ADDRESS_1>`, the same number
    /// each time the same value appears.
    #[default]
    Placeholder,
    /// A keyed pseudonym, the same across records for the same value:
    /// `<EMAIL_ADDRESS_ab12cd34>`, from HMAC-SHA256 of the normalised value.
    Pseudonym,
    /// Keeps the last four characters and replaces the others with `*` (digits only for
    /// numbers, so separators stay): `**** **** **** 1111`.
    Mask,
    /// The whole record must be dropped ([`RecordContext::must_drop`]); the finding itself
    /// gets a placeholder in case the text is kept anyway.
    Drop,
}

/// The pseudonym key; never printed.
#[derive(Clone, Default)]
pub(crate) struct Key(pub(crate) Vec<u8>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl RecordContext {
    /// An empty context for a new record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Findings per entity type in this record so far (types with none are left out).
    pub fn counts(&self) -> impl Iterator<Item = (EntityType, usize)> + '_ {
        EntityType::all()
            .iter()
            .map(|t| (*t, self.counts[t.index()]))
            .filter(|(_, n)| *n > 0)
    }

    /// Findings per entity type that the [`Policy`](crate::Policy) kept as public (types
    /// with none are left out).
    pub fn kept(&self) -> impl Iterator<Item = (EntityType, usize)> + '_ {
        EntityType::all()
            .iter()
            .map(|t| (*t, self.kept[t.index()]))
            .filter(|(_, n)| *n > 0)
    }

    pub(crate) fn count_kept(&mut self, t: EntityType) {
        self.kept[t.index()] += 1;
    }

    /// Whether a finding of a type with [`Strategy::Drop`] was seen: the record must not be
    /// published.
    pub fn must_drop(&self) -> bool {
        self.drop
    }

    fn number(&mut self, t: EntityType, value: &str) -> usize {
        self.counts[t.index()] += 1;
        let key = (t, normal_form(t, value));
        let next = &mut self.next[t.index()];
        *self.numbers.entry(key).or_insert_with(|| {
            *next += 1;
            *next
        })
    }
}

/// The form two findings of type `t` are compared in: digits only for numbers, lower case
/// for addresses, names and places (spacing collapsed).
pub fn normal_form(t: EntityType, v: &str) -> String {
    match t {
        EntityType::PhoneNumber
        | EntityType::CreditCard
        | EntityType::UsSsn
        | EntityType::UkNhs
        | EntityType::UsBankNumber => v.chars().filter(char::is_ascii_digit).collect(),
        EntityType::IbanCode => v
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        EntityType::EmailAddress | EntityType::IpAddress | EntityType::MacAddress => {
            v.to_ascii_lowercase()
        }
        EntityType::Person | EntityType::Location => {
            let mut out = String::with_capacity(v.len());
            for w in v.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(w.nfc().flat_map(char::to_lowercase));
            }
            out
        }
        _ => v.to_string(),
    }
}

pub(crate) fn redact_spans(
    text: &str,
    spans: &[Span],
    ctx: &mut RecordContext,
    strategies: &[Strategy; N_TYPES],
    key: Option<&Key>,
) -> String {
    let mut out = String::with_capacity(text.len() + 16 * spans.len());
    let mut pos = 0;
    for s in spans {
        out.push_str(&text[pos..s.start]);
        let value = &text[s.start..s.end];
        let t = s.entity_type;
        match strategies[t.index()] {
            Strategy::Pseudonym if key.is_some() => {
                ctx.counts[t.index()] += 1;
                let _ = write!(
                    out,
                    "<{}_{}>",
                    t.as_str(),
                    pseudonym(key.unwrap(), t, value)
                );
            }
            Strategy::Mask => {
                ctx.counts[t.index()] += 1;
                mask(t, value, &mut out);
            }
            st => {
                if st == Strategy::Drop {
                    ctx.drop = true;
                }
                let n = ctx.number(t, value);
                let _ = write!(out, "<{}_{}>", t.as_str(), n);
            }
        }
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Eight hex digits of HMAC-SHA256(key, type name, 0, normalised value).
fn pseudonym(key: &Key, t: EntityType, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
    mac.update(t.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(normal_form(t, value).as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut s = String::with_capacity(8);
    for b in &tag[..4] {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Keeps the last four characters. Numbers keep their separators; text keeps only letters
/// inside its last word (never its first letter, so no capitalised word is left to be found
/// again); dates are masked whole.
fn mask(t: EntityType, v: &str, out: &mut String) {
    let numeric = matches!(
        t,
        EntityType::PhoneNumber
            | EntityType::CreditCard
            | EntityType::UsSsn
            | EntityType::UkNhs
            | EntityType::UsBankNumber
    );
    if numeric {
        let total = v.chars().filter(char::is_ascii_digit).count();
        let mut seen = 0;
        for c in v.chars() {
            if c.is_ascii_digit() {
                seen += 1;
                out.push(if seen + 4 > total { c } else { '*' });
            } else {
                out.push(c);
            }
        }
        return;
    }
    let chars: Vec<char> = v.chars().collect();
    let keep = if t == EntityType::DateTime {
        0
    } else {
        // Within the last word, after its first character.
        let last_word_start = chars
            .iter()
            .rposition(|c| c.is_whitespace())
            .map_or(0, |p| p + 1);
        let word_len = chars.len() - last_word_start;
        4.min(word_len.saturating_sub(1))
    };
    for (i, c) in chars.iter().enumerate() {
        out.push(if i + keep >= chars.len() { *c } else { '*' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(
            normal_form(EntityType::PhoneNumber, "(555) 123-4567"),
            "5551234567"
        );
        assert_eq!(
            normal_form(EntityType::EmailAddress, "Jane@X.com"),
            "jane@x.com"
        );
        assert_eq!(normal_form(EntityType::Person, "Jane  DOE"), "jane doe");
        assert_eq!(normal_form(EntityType::IbanCode, "gb82 west"), "GB82WEST");
    }

    #[test]
    fn masks() {
        let m = |t, v| {
            let mut s = String::new();
            mask(t, v, &mut s);
            s
        };
        assert_eq!(
            m(EntityType::CreditCard, "4111 1111 1111 1111"),
            "**** **** **** 1111"
        );
        assert_eq!(m(EntityType::Person, "Jane Doe"), "******oe");
        assert_eq!(m(EntityType::EmailAddress, "jane@x.com"), "******.com");
        assert_eq!(m(EntityType::DateTime, "1/2/1990"), "********");
        assert_eq!(format!("{:?}", Key(b"secret".to_vec())), "<redacted>");
    }
}
