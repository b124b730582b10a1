//! A normalised view of a text for evasion-robust detection: zero-width characters and soft
//! hyphens removed, full-width forms and compatibility spaces NFKC-folded, Unicode dashes
//! made ASCII. Every byte of the view remembers the original character it came from, so
//! spans found in the view map back to the original text.

use unicode_normalization::UnicodeNormalization;

use crate::Span;

pub(crate) struct View {
    pub(crate) text: String,
    /// For each byte of `text`: (start, end) byte offsets of its source char in the original.
    map: Vec<(u32, u32)>,
}

/// What to do with a non-ASCII char: None keeps it.
enum Fold {
    Remove,
    Nfkc,
    Ascii(char),
}

fn fold(c: char) -> Option<Fold> {
    match c {
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Some(Fold::Remove),
        '\u{FF01}'..='\u{FF5E}'
        | '\u{3000}'
        | '\u{00A0}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}' => Some(Fold::Nfkc),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Some(Fold::Ascii('-')),
        _ => None,
    }
}

/// The normalised view, or None when the text has nothing to normalise (the common case).
pub(crate) fn view(text: &str) -> Option<View> {
    let b = text.as_bytes();
    // Every char above is encoded with a lead byte C2, E2, E3 or EF.
    let hit = memchr::memchr3_iter(0xC2, 0xE2, 0xEF, b)
        .chain(memchr::memchr_iter(0xE3, b))
        .any(|i| text[i..].chars().next().is_some_and(|ch| fold(ch).is_some()));
    if !hit {
        return None;
    }
    if text.len() >= u32::MAX as usize {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let (s, e) = (i as u32, (i + c.len_utf8()) as u32);
        let before = out.len();
        match fold(c) {
            Some(Fold::Remove) => {}
            Some(Fold::Nfkc) => out.extend(std::iter::once(c).nfkc()),
            Some(Fold::Ascii(a)) => out.push(a),
            None => out.push(c),
        }
        map.extend(std::iter::repeat_n((s, e), out.len() - before));
    }
    Some(View { text: out, map })
}

impl View {
    /// Spans of the view as spans of the original text.
    pub(crate) fn map_back(&self, _original: &str, spans: Vec<Span>) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        for s in spans {
            if s.end <= s.start {
                continue;
            }
            let start = self.map[s.start].0 as usize;
            let end = self.map[s.end - 1].1 as usize;
            // Two findings from one source char cannot both stand.
            if out.last().is_some_and(|p| p.end > start) {
                continue;
            }
            out.push(Span {
                start,
                end,
                entity_type: s.entity_type,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntityType;

    #[test]
    fn maps_back_to_original_offsets() {
        let t = "card ４１１１\u{200B}1111";
        let v = view(t).unwrap();
        assert_eq!(v.text, "card 41111111");
        let spans = vec![Span {
            start: 5,
            end: 13,
            entity_type: EntityType::CreditCard,
        }];
        let back = v.map_back(t, spans);
        assert_eq!(&t[back[0].start..back[0].end], "４１１１\u{200B}1111");
        assert!(view("plain ascii").is_none());
        assert!(view("naïve café “quotes”").is_none());
    }
}
