//! A normalised view of a text for evasion-robust detection: zero-width characters and soft
//! hyphens removed, full-width forms and compatibility spaces NFKC-folded, Unicode dashes
//! made ASCII. Every byte of the view remembers the original character it came from, so
//! spans found in the view map back to the original text.

use crate::{Mention, Span};

pub(crate) struct View {
    pub(crate) text: String,
    /// Where the view comes from, in view order: runs copied unchanged and folded chars.
    pieces: Vec<Piece>,
}

/// `text[view..]` comes from the original at `orig`: byte for byte when `copied`, else all
/// of its bytes come from the one folded char `orig..orig_end`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    view: usize,
    orig: usize,
    orig_end: usize,
    copied: bool,
}

/// What to do with a non-ASCII char: None keeps it.
enum Fold {
    Remove,
    Ascii(char),
}

/// Each folded char's NFKC form is one ASCII char (full-width forms, compatibility spaces)
/// or a dash, so the view is built without the normalisation tables.
fn fold(c: char) -> Option<Fold> {
    match c {
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Some(Fold::Remove),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).map(Fold::Ascii),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => Some(Fold::Ascii(' ')),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Some(Fold::Ascii('-')),
        _ => None,
    }
}

/// The normalised view, or None when the text has nothing to normalise (the common case).
pub(crate) fn view(text: &str) -> Option<View> {
    let b = text.as_bytes();
    // Every char above is encoded with a lead byte C2, E2, E3 or EF; the rest of the text is
    // copied as it is.
    let mut folds: Vec<(usize, char, Fold)> = memchr::memchr3_iter(0xC2, 0xE2, 0xEF, b)
        .chain(memchr::memchr_iter(0xE3, b))
        .filter_map(|i| {
            let c = text[i..].chars().next()?;
            fold(c).map(|f| (i, c, f))
        })
        .collect();
    if folds.is_empty() {
        return None;
    }
    folds.sort_unstable_by_key(|f| f.0);
    let mut out = String::with_capacity(text.len());
    let mut pieces = Vec::with_capacity(2 * folds.len() + 1);
    let copy = |out: &mut String, pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if from < to {
            pieces.push(Piece {
                view: out.len(),
                orig: from,
                orig_end: to,
                copied: true,
            });
            out.push_str(&text[from..to]);
        }
    };
    let mut last = 0;
    for (i, c, f) in folds {
        copy(&mut out, &mut pieces, last, i);
        let view = out.len();
        if let Fold::Ascii(a) = f {
            out.push(a);
        }
        if out.len() > view {
            pieces.push(Piece {
                view,
                orig: i,
                orig_end: i + c.len_utf8(),
                copied: false,
            });
        }
        last = i + c.len_utf8();
    }
    copy(&mut out, &mut pieces, last, text.len());
    Some(View { text: out, pieces })
}

impl View {
    /// The source char of view byte `i`: its (start, end) in the original.
    fn source(&self, original: &str, i: usize) -> (usize, usize) {
        let p = self.pieces[self.pieces.partition_point(|p| p.view <= i) - 1];
        if !p.copied {
            return (p.orig, p.orig_end);
        }
        let mut s = p.orig + (i - p.view);
        while !original.is_char_boundary(s) {
            s -= 1;
        }
        let len = original[s..].chars().next().map_or(1, char::len_utf8);
        (s, s + len)
    }

    /// Spans of the view as spans of the original text.
    pub(crate) fn map_back(&self, original: &str, found: Vec<Mention>) -> Vec<Mention> {
        let mut out: Vec<Mention> = Vec::with_capacity(found.len());
        for m in found {
            let s = m.span;
            if s.end <= s.start {
                continue;
            }
            let start = self.source(original, s.start).0;
            let end = self.source(original, s.end - 1).1;
            // Two findings from one source char cannot both stand.
            if out.last().is_some_and(|p| p.span.end > start) {
                continue;
            }
            out.push(Mention {
                span: Span {
                    start,
                    end,
                    entity_type: s.entity_type,
                },
                class: m.class,
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
        let found = vec![crate::Mention {
            span: Span {
                start: 5,
                end: 13,
                entity_type: EntityType::CreditCard,
            },
            class: crate::Class::Personal,
        }];
        let back = v.map_back(t, found);
        let s = back[0].span;
        assert_eq!(&t[s.start..s.end], "４１１１\u{200B}1111");
        assert!(view("plain ascii").is_none());
        assert!(view("naïve café “quotes”").is_none());
    }

    #[test]
    fn folds_are_the_nfkc_forms() {
        use unicode_normalization::UnicodeNormalization;
        let folded = ('\u{A0}'..='\u{FFFF}').filter_map(|c| Some((c, fold(c)?)));
        let mut n = 0;
        for (c, f) in folded {
            // Unicode dashes become `-` by choice; NFKC keeps them.
            let dash = matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}');
            if let (Fold::Ascii(a), false) = (f, dash) {
                assert_eq!(std::iter::once(c).nfkc().collect::<String>(), a.to_string());
                n += 1;
            }
        }
        // Full-width forms, four kinds of compatibility space.
        assert_eq!(n, 94 + 1 + 1 + 11 + 1);
    }
}
