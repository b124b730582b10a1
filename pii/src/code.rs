//! Where a text holds code: fenced blocks, inline code spans and code-like lines.
//!
//! Inside code, capitalised identifiers (`True`, `db.Column`, `Session`) are not names or
//! places and `password = db.Column(...)` assigns no password; only literal secrets count
//! there. The regions are found with a few byte tests per line, no regex.

/// Byte ranges `[start, end)` of code in `b`, sorted and disjoint.
pub(crate) fn regions(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut fence_open: Option<usize> = None;
    let mut pos = 0;
    while pos < b.len() {
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |p| pos + p);
        let line = &b[pos..end];
        let trimmed = line.trim_ascii_start();
        if trimmed.starts_with(b"```") || trimmed.starts_with(b"~~~") {
            match fence_open.take() {
                Some(s) => push(&mut out, s, end),
                None => fence_open = Some(pos),
            }
        } else if fence_open.is_none() {
            if memchr::memchr(b'`', line).is_none() && code_like(line) {
                push(&mut out, pos, end);
            } else {
                inline_code(line, pos, &mut out);
            }
        }
        pos = end + 1;
    }
    if let Some(s) = fence_open {
        // An unclosed fence (an answer cut at its token limit) runs to the end.
        push(&mut out, s, b.len());
    }
    out
}

/// Whether byte `i` lies inside one of `regions`.
pub(crate) fn inside(regions: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = regions.partition_point(|r| r.1 <= start);
    i < regions.len() && regions[i].0 <= start && end <= regions[i].1
}

fn push(out: &mut Vec<(usize, usize)>, s: usize, e: usize) {
    if let Some(last) = out.last_mut() {
        if last.1 + 1 >= s {
            last.1 = last.1.max(e);
            return;
        }
    }
    out.push((s, e));
}

/// `` `like this` `` on one line.
fn inline_code(line: &[u8], base: usize, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while let Some(o) = memchr::memchr(b'`', &line[i..]) {
        let s = i + o;
        match memchr::memchr(b'`', &line[s + 1..]) {
            Some(c) if c > 0 => {
                push(out, base + s, base + s + 1 + c + 1);
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

    fn code_of(t: &str) -> Vec<&str> {
        regions(t.as_bytes())
            .iter()
            .map(|&(s, e)| &t[s..e])
            .collect()
    }

    #[test]
    fn fences_inline_and_code_lines() {
        let t = "Use this:\n```python\nx = True\n```\nThen call `Session.get()` here.";
        assert_eq!(
            code_of(t),
            vec!["```python\nx = True\n```", "`Session.get()`"]
        );
        let t = "Some prose about George Lucas.\npassword = db.Column(db.String(80))\nMore prose.";
        assert_eq!(code_of(t), vec!["password = db.Column(db.String(80))"]);
        let t = "SELECT name FROM users WHERE id = 0 LIMIT 1;";
        assert_eq!(code_of(t), vec![t]);
    }

    #[test]
    fn prose_is_not_code() {
        for t in [
            "From Paris we drove south (a long way).",
            "Return the book to Rachel Cusk by Monday.",
            "Class starts at nine; bring the notes.",
            "Hi, I'm Dylan Lowe. Can you help me?",
        ] {
            assert!(code_of(t).is_empty(), "{t:?}: {:?}", code_of(t));
        }
        assert!(code_of("The plan: eat, sleep (a lot), repeat.").is_empty());
    }

    #[test]
    fn unclosed_fence_runs_to_end() {
        let t = "Here:\n```\nlet a = Foo::new();\nlet b";
        assert_eq!(code_of(t), vec!["```\nlet a = Foo::new();\nlet b"]);
        assert!(inside(&regions(t.as_bytes()), 10, 14));
    }
}
