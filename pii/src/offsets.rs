//! Byte offsets to Unicode code point offsets.

use crate::Span;

/// Converts span byte offsets into code point offsets (Python string indices), in one
/// forward pass over the text. Spans may come in any order; results follow their order.
///
/// # Panics
/// If an offset is past the end of `text` or not on a char boundary.
pub fn char_offsets(text: &str, spans: &[Span]) -> Vec<(usize, usize)> {
    // Every boundary, sorted, converted by walking forward once.
    let mut points: Vec<(usize, usize)> = Vec::with_capacity(spans.len() * 2);
    for (k, s) in spans.iter().enumerate() {
        points.push((s.start, 2 * k));
        points.push((s.end, 2 * k + 1));
    }
    let sorted = points.windows(2).all(|w| w[0].0 <= w[1].0);
    if !sorted {
        points.sort_unstable();
    }
    let mut out = vec![(0usize, 0usize); spans.len()];
    let (mut byte, mut chars) = (0usize, 0usize);
    for (p, slot) in points {
        chars += text[byte..p].chars().count();
        byte = p;
        let o = &mut out[slot / 2];
        if slot % 2 == 0 {
            o.0 = chars;
        } else {
            o.1 = chars;
        }
    }
    out
}
