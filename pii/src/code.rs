//! Where a text holds code: fenced blocks, inline code spans and code-like lines.
//!
//! Inside code, capitalised identifiers (`True`, `db.Column`, `Session`) are not names or
//! places and `password = db.Column(...)` assigns no password; only literal secrets count
//! there. The regions are found with a few byte tests per line, no regex.

/// The code of one text, judged lazily: fenced blocks are found once (a SIMD search for
/// the fence markers), lines only when a finding sits on them, so text without findings
/// to check costs nothing.
pub(crate) struct Code<'a> {
    b: &'a [u8],
    fences: Vec<(usize, usize)>,
    /// Positions of the newlines, so a finding's line is found by binary search.
    newlines: Vec<usize>,
    /// Verdicts of lines judged so far, by line start.
    judged: std::cell::RefCell<std::collections::HashMap<usize, Line>>,
}

impl<'a> Code<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        let mut marks: Vec<usize> = memchr::memmem::find_iter(b, b"```")
            .chain(memchr::memmem::find_iter(b, b"~~~"))
            .filter(|&p| {
                b[line_start(b, p)..p]
                    .iter()
                    .all(|c| matches!(c, b' ' | b'\t'))
            })
            .collect();
        marks.sort_unstable();
        // "````" holds two matches of "```" on one line: keep one marker per line.
        marks.dedup_by(|later, earlier| line_start(b, *later) == line_start(b, *earlier));
        let fences = marks
            .chunks(2)
            .map(|m| {
                let s = line_start(b, m[0]);
                // An unclosed fence (an answer cut at its token limit) runs to the end.
                let e = m.get(1).map_or(b.len(), |&c| line_end(b, c));
                (s, e)
            })
            .collect();
        Code {
            b,
            fences,
            newlines: memchr::memchr_iter(b'\n', b).collect(),
            judged: Default::default(),
        }
    }

    /// Whether `[start, end)` lies in code: a fenced block, inline code, or a code-like line.
    pub(crate) fn contains(&self, start: usize, end: usize) -> bool {
        let i = self.fences.partition_point(|r| r.1 <= start);
        if i < self.fences.len() && self.fences[i].0 <= start && end <= self.fences[i].1 {
            return true;
        }
        let k = self.newlines.partition_point(|&n| n < start);
        let ls = if k == 0 { 0 } else { self.newlines[k - 1] + 1 };
        let le = self.newlines.get(k).copied().unwrap_or(self.b.len());
        if end > le {
            return false;
        }
        let line = &self.b[ls..le];
        let mut judged = self.judged.borrow_mut();
        match judged.entry(ls).or_insert_with(|| judge(line, ls)) {
            Line::Code => true,
            Line::Prose => false,
            Line::Inline(spans) => spans.iter().any(|&(s, e)| s <= start && end <= e),
        }
    }
}

/// What one line outside fences holds.
enum Line {
    Code,
    Prose,
    /// Prose with `inline code` at these byte ranges.
    Inline(Vec<(usize, usize)>),
}

fn judge(line: &[u8], base: usize) -> Line {
    if memchr::memchr(b'`', line).is_some() {
        let mut spans = Vec::new();
        inline_code(line, base, &mut spans);
        Line::Inline(spans)
    } else if code_like(line) {
        Line::Code
    } else {
        Line::Prose
    }
}

fn line_start(b: &[u8], i: usize) -> usize {
    memchr::memrchr(b'\n', &b[..i]).map_or(0, |p| p + 1)
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p)
}

/// `` `like this` `` on one line.
fn inline_code(line: &[u8], base: usize, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while let Some(o) = memchr::memchr(b'`', &line[i..]) {
        let s = i + o;
        match memchr::memchr(b'`', &line[s + 1..]) {
            Some(c) if c > 0 => {
                out.push((base + s, base + s + 1 + c + 1));
                i = s + c + 2;
            }
            _ => break,
        }
        if i >= line.len() {
            break;
        }
    }
}

/// Statement openers of common languages (a line starting with one, then a space or `(`).
const OPENERS: &[&[u8]] = &[
    b"import",
    b"from",
    b"def",
    b"class",
    b"return",
    b"const",
    b"let",
    b"var",
    b"fn",
    b"pub",
    b"function",
    b"public",
    b"private",
    b"protected",
    b"static",
    b"async",
    b"await",
    b"#include",
    b"#define",
    b"using",
    b"package",
    b"elif",
    b"except",
    b"try:",
    b"SELECT",
    b"INSERT",
    b"UPDATE",
    b"DELETE",
    b"CREATE",
    b"WHERE",
    b"FROM",
    b"JOIN",
    b"ORDER",
    b"GROUP",
    b"LIMIT",
    b"print",
    b"console.log",
    b"self.",
    b"this.",
    b"@",
];

/// A line that reads as code rather than prose: a statement opener, a line ending in
/// `;`, `{`, `}` or `):`, or one with call or member syntax and almost no plain words.
fn code_like(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    if t.is_empty() {
        return false;
    }
    let indent = line.len() - line.trim_ascii_start().len();
    if let Some(&last) = t.last() {
        if matches!(last, b';' | b'{' | b'}') || t.ends_with(b"):") || t.ends_with(b"->") {
            return true;
        }
    }
    for op in OPENERS {
        if t.starts_with(op) {
            let rest = &t[op.len()..];
            if op.ends_with(b".")
                || op.ends_with(b":")
                || op == b"@"
                || rest.first().is_some_and(|&c| c == b' ' || c == b'(')
            {
                // Prose also starts with "From", "Return", "Class": require more syntax.
                if op[0].is_ascii_uppercase() && !op.iter().all(u8::is_ascii_uppercase) {
                    continue;
                }
                if op.iter().all(u8::is_ascii_uppercase)
                    && !t
                        .iter()
                        .any(|&c| c == b'(' || c == b'*' || c == b',' || c == b'=')
                    && t.iter().filter(|&&c| c == b' ').count() < 2
                {
                    continue;
                }
                return true;
            }
        }
    }
    let syntax = t
        .windows(2)
        .filter(|w| {
            matches!(
                *w,
                [b'(', b')']
                    | [b'=', b'>']
                    | [b':', b':']
                    | [b'-', b'>']
                    | [b'=', b'=']
                    | [b'!', b'=']
                    | [b'+', b'=']
                    | [b']', b'(']
            )
        })
        .count()
        + method_calls(t);
    let assign = memchr::memchr(b'=', t).is_some_and(|p| {
        p > 0
            && p + 1 < t.len()
            && t[p - 1] == b' '
            && t[p + 1] == b' '
            && !t[..p].trim_ascii().contains(&b' ')
    });
    let words = t
        .split(|&c| c == b' ')
        .filter(|w| w.len() > 2 && w.iter().all(u8::is_ascii_alphabetic))
        .count();
    (syntax >= 1 || assign) && (words <= 6 || syntax >= 2 || indent >= 4)
}

/// `obj.method(` and `module.func(`: dotted identifiers right before a `(`.
fn method_calls(t: &[u8]) -> usize {
    let mut n = 0;
    for (p, _) in t.iter().enumerate().filter(|(_, &c)| c == b'(') {
        let mut s = p;
        while s > 0 && (t[s - 1].is_ascii_alphanumeric() || matches!(t[s - 1], b'_' | b'.')) {
            s -= 1;
        }
        let tok = &t[s..p];
        if tok.contains(&b'.')
            && tok.first().is_some_and(u8::is_ascii_alphabetic)
            && !tok.ends_with(b".")
        {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether each of `parts` (found in `t`) is in code.
    fn in_code(t: &str, parts: &[&str]) -> Vec<bool> {
        let code = Code::new(t.as_bytes());
        parts
            .iter()
            .map(|p| {
                let s = t.find(p).unwrap();
                code.contains(s, s + p.len())
            })
            .collect()
    }

    #[test]
    fn fences_inline_and_code_lines() {
        let t = "Use True here:\n```python\nx = True\n```\nThen call `Session.get()` for Jane.";
        assert_eq!(
            in_code(t, &["Use", "x = True", "Session", "Jane"]),
            [false, true, true, false]
        );
        let t = "Some prose about George Lucas.\npassword = db.Column(db.String(80))\nMore.";
        assert_eq!(in_code(t, &["George", "db.Column"]), [false, true]);
        let t = "SELECT name FROM users WHERE id = 0 LIMIT 1;";
        assert_eq!(in_code(t, &["0 LIMIT 1"]), [true]);
    }

    #[test]
    fn prose_is_not_code() {
        for t in [
            "From Paris we drove south (a long way).",
            "Return the book to Rachel Cusk by Monday.",
            "Class starts at nine, bring the notes.",
            "Hi, I'm Dylan Lowe. Can you help me?",
            "The plan: eat, sleep (a lot), repeat.",
            "Jane Doe wrote to jane@x.com from 10.0.0.1.",
        ] {
            assert_eq!(in_code(t, &[&t[..4]]), [false], "{t}");
        }
    }

    #[test]
    fn unclosed_fence_runs_to_end() {
        let t = "Here:\n```\nlet a = Foo::new();\nlet b = Bar";
        assert_eq!(in_code(t, &["Here", "Foo", "Bar"]), [false, true, true]);
    }
}
