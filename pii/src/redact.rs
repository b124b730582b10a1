//! Placeholder redaction with per-record numbering.

use std::collections::HashMap;
use std::fmt::Write;

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
    next: [usize; N_TYPES],
    counts: [usize; N_TYPES],
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

    fn number(&mut self, t: EntityType, value: &str) -> usize {
        self.counts[t.index()] += 1;
        let key = (t, normalise(t, value));
        let next = &mut self.next[t.index()];
        *self.numbers.entry(key).or_insert_with(|| {
            *next += 1;
            *next
        })
    }
}

/// The form two findings are compared in.
fn normalise(t: EntityType, v: &str) -> String {
    match t {
        EntityType::PhoneNumber | EntityType::CreditCard | EntityType::UsSsn => {
            v.chars().filter(char::is_ascii_digit).collect()
        }
        EntityType::IbanCode => v
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        EntityType::EmailAddress | EntityType::IpAddress => v.to_ascii_lowercase(),
        EntityType::Person => {
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

pub(crate) fn redact_spans(text: &str, spans: &[Span], ctx: &mut RecordContext) -> String {
    let mut out = String::with_capacity(text.len() + 16 * spans.len());
    let mut pos = 0;
    for s in spans {
        out.push_str(&text[pos..s.start]);
        let n = ctx.number(s.entity_type, &text[s.start..s.end]);
        let _ = write!(out, "<{}_{}>", s.entity_type.as_str(), n);
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(
            normalise(EntityType::PhoneNumber, "(555) 123-4567"),
            "5551234567"
        );
        assert_eq!(
            normalise(EntityType::EmailAddress, "Jane@X.com"),
            "jane@x.com"
        );
        assert_eq!(normalise(EntityType::Person, "Jane  DOE"), "jane doe");
        assert_eq!(normalise(EntityType::IbanCode, "gb82 west"), "GB82WEST");
    }
}
