//! Credentials: provider API keys and tokens by prefix, JWTs, PEM private keys, and values
//! assigned to secret-looking names (`aws_secret_access_key = ...`, `password: ...`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;

use super::is_word_byte;
use crate::{EntityType, Span};

pub(crate) struct Secrets {
    /// Literal prefixes of provider keys: the only places `keys` is tried.
    prefixes: AhoCorasick,
    /// Provider keys, anchored: run on a short slice starting at a prefix.
    keys: Regex,
    /// `name = value` where the name says it is a secret; run only in windows around a
    /// keyword found by `keywords`.
    assigned: Regex,
    keywords: AhoCorasick,
    /// `Authorization: Bearer <token>` and similar.
    bearer: Regex,
}

/// Literal starts of provider keys.
const KEY_PREFIXES: &[&str] = &[
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "AGPA",
    "AIDA",
    "AROA",
    "AIPA",
    "ANPA",
    "ANVA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "pk_live_",
    "pk_test_",
    "AIza",
    "sk-",
    "eyJ",
    "-----BEGIN ",
];

/// Words that make a `name = value` assignment worth a closer look.
const KEYWORDS: &[&str] = &[
    "secret",
    "token",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "access-key",
    "accesskey",
    "passw",
    "pwd",
    "passphrase",
    "credential",
    "auth_key",
    "auth-key",
    "authkey",
];

impl Secrets {
    pub(crate) fn new() -> Result<Self, String> {
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(Secrets {
            prefixes: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(KEY_PREFIXES)
                .map_err(|e| e.to_string())?,
            keys: re(concat!(
                r"(?-u)^(?:",
                r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b",
                r"|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,251}\b",
                r"|\bgithub_pat_[A-Za-z0-9_]{22,251}\b",
                r"|\bglpat-[A-Za-z0-9_\-]{20,}",
                r"|\b(?:xoxb|xoxp|xoxa|xoxr|xoxs)-[A-Za-z0-9\-]{10,}",
                r"|\b(?:sk_live|sk_test|rk_live|rk_test|pk_live|pk_test)_[A-Za-z0-9]{10,}\b",
                r"|\bAIza[A-Za-z0-9_\-]{35}",
                r"|\bsk-ant-[A-Za-z0-9_\-]{20,}",
                r"|\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
                r"|\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
                r"|-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
                r")",
            ))?,
            assigned: re(concat!(
                r#"(?i-u)\b([a-z0-9_\-.]{0,40}(?:secret|token|api[_\-]?key|apikey|access[_\-]?key|passw(?:or)?d|pwd|passphrase|credentials?|auth[_\-]?key)[a-z0-9_\-]{0,20})"#,
                r#"["']?\s{0,3}(?::=|=>|[:=])\s{0,3}["']?([A-Za-z0-9/+_\-.=~!@#$%^&*]{6,200})"#,
            ))?,
            keywords: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(KEYWORDS)
                .map_err(|e| e.to_string())?,
            bearer: re(r"(?-u)\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/\-]{20,}=*)")?,
        })
    }

    pub(crate) fn scan(&self, b: &[u8], out: &mut Vec<Span>) {
        let mut skip_to = 0;
        for p in self.prefixes.find_iter(b) {
            let s = p.start();
            if s < skip_to || (s > 0 && is_word_byte(b[s - 1]) && b[s] != b'-') {
                continue;
            }
            let Some(m) = self.keys.find(&b[s..(s + 600).min(b.len())]) else {
                continue;
            };
            let mut e = s + m.end();
            // The regex's `\b` at the end saw the slice end; re-check against the text.
            if e < b.len() && e == s + 600 {
                continue;
            }
            skip_to = e;
            let v = &b[s..e];
            if v.starts_with(b"-----BEGIN") {
                e = pem_end(b, e);
                out.push(Span {
                    start: s,
                    end: e,
                    entity_type: EntityType::PrivateKey,
                });
                continue;
            }
            if v.starts_with(b"sk-") && !v.starts_with(b"sk-ant-") && !looks_random(&v[3..]) {
                continue;
            }
            // Keys with a free tail stop at a word boundary; trailing '-' is punctuation.
            while e > s && b[e - 1] == b'-' {
                e -= 1;
            }
            out.push(Span {
                start: s,
                end: e,
                entity_type: EntityType::ApiKey,
            });
        }
        // `name = value`: only where a `:` or `=` has a secret-like name shortly before it.
        // The regex runs on a small window that sees the text before it (for `\b`) but
        // nothing past its end.
        let mut seen_end = 0;
        let mut p = 0;
        while let Some(off) = memchr::memchr2(b'=', b':', &b[p..]) {
            let op = p + off;
            p = op + 1;
            if op < seen_end {
                continue;
            }
            // The keyword ends at most ~25 bytes before the operator.
            let from = op.saturating_sub(40);
            if !has_keyword_pair(&b[from..op]) || !self.keywords.is_match(&b[from..op]) {
                continue;
            }
            let to = (op + 210).min(b.len());
            let from = op.saturating_sub(70);
            if let Some(c) = self.assigned.captures_at(&b[..to], from) {
                let whole = c.get(0).expect("group 0");
                if whole.start() >= seen_end && whole.start() <= op {
                    seen_end = whole.end();
                    assigned_value(b, &c, out);
                }
            }
        }
        for c in self.bearer.captures_iter(b) {
            let g = c.get(1).expect("group 1");
            if looks_random(g.as_bytes()) {
                out.push(Span {
                    start: g.start(),
                    end: g.end(),
                    entity_type: EntityType::ApiKey,
                });
            }
        }
    }
}

fn assigned_value(b: &[u8], c: &regex::bytes::Captures<'_>, out: &mut Vec<Span>) {
    let name = c.get(1).expect("group 1").as_bytes().to_ascii_lowercase();
    let g = c.get(2).expect("group 2");
    let mut e = g.end();
    // Strip trailing punctuation a sentence or a string literal adds.
    while e > g.start() && matches!(b[e - 1], b'.' | b',' | b';' | b'!') {
        e -= 1;
    }
    let v = &b[g.start()..e];
    let password = [&b"pass"[..], b"pwd"]
        .iter()
        .any(|k| name.windows(k.len()).any(|w| w == *k));
    let ok = if password {
        v.len() >= 6 && has_digit_or_symbol(v)
    } else {
        v.len() >= 16 && looks_random(v)
    };
    if !ok
        || v.contains(&b'<')
        || v.starts_with(b"$")
        || v.starts_with(b"{")
        || identifier_expression(b, g.start(), e)
    {
        return;
    }
    let t = if password {
        EntityType::Password
    } else {
        EntityType::ApiKey
    };
    out.push(Span {
        start: g.start(),
        end: e,
        entity_type: t,
    });
}

/// An unquoted value that is an identifier expression, not a literal: `password =
/// db.Column(...)`, `tokenizer = DistilBertTokenizer.from_pretrained(...)`.
fn identifier_expression(b: &[u8], start: usize, end: usize) -> bool {
    let v = &b[start..end];
    let quoted = start > 0 && matches!(b[start - 1], b'"' | b'\'' | b'`');
    if quoted || v.starts_with(b"eyJ") {
        return false;
    }
    let ident = |p: &[u8]| {
        !p.is_empty()
            && (p[0].is_ascii_alphabetic() || p[0] == b'_')
            && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let call = b.get(end) == Some(&b'(');
    let dotted = v.contains(&b'.') && v.split(|&c| c == b'.').all(ident);
    (dotted || (call && ident(v))) && v.iter().any(u8::is_ascii_lowercase)
}

/// Every keyword holds one of the letter pairs `ke`, `cr`, `ss` or `pw` (any case): a cheap
/// test before the keyword automaton, run at every `:` and `=` of a text.
fn has_keyword_pair(w: &[u8]) -> bool {
    w.windows(2).any(|p| {
        matches!(
            (p[0] | 0x20, p[1] | 0x20),
            (b'k', b'e') | (b'c', b'r') | (b's', b's') | (b'p', b'w')
        )
    })
}

/// End of a PEM block: after the matching `-----END ...-----` line, else where the base64
/// body stops.
fn pem_end(b: &[u8], from: usize) -> usize {
    const END: &[u8] = b"-----END ";
    if let Some(off) = b[from..].windows(END.len()).position(|w| w == END) {
        let k = from + off + END.len();
        if let Some(o2) = b[k..].windows(5).take(80).position(|w| w == b"-----") {
            return k + o2 + 5;
        }
    }
    let mut e = from;
    while e < b.len()
        && (b[e].is_ascii_alphanumeric() || matches!(b[e], b'+' | b'/' | b'=' | b'\n' | b'\r'))
    {
        e += 1;
    }
    while e > from && matches!(b[e - 1], b'\n' | b'\r') {
        e -= 1;
    }
    e
}

/// A token looks machine-generated: mixes letters and digits, or upper and lower case with
/// symbols, and is not an ordinary hyphenated word (`sk-learn-style-api`).
fn looks_random(v: &[u8]) -> bool {
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    let upper = v.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = v.iter().filter(|c| c.is_ascii_lowercase()).count();
    let classes = usize::from(digits > 0) + usize::from(upper > 0) + usize::from(lower > 0);
    // Long lower-case-and-dash runs are words, not keys.
    let longest_word = v
        .split(|c| !c.is_ascii_alphabetic())
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    classes >= 2 && digits + upper >= 3 && !(longest_word == v.len() && upper == 0)
}

fn has_digit_or_symbol(v: &[u8]) -> bool {
    v.iter()
        .any(|c| c.is_ascii_digit() || (!c.is_ascii_alphanumeric() && !is_word_byte(*c)))
        || (v.iter().any(u8::is_ascii_uppercase) && v.iter().any(u8::is_ascii_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(String, EntityType)> {
        let s = Secrets::new().unwrap();
        let mut v = Vec::new();
        s.scan(t.as_bytes(), &mut v);
        v.iter()
            .map(|x| (t[x.start..x.end].to_string(), x.entity_type))
            .collect()
    }

    #[test]
    fn keyword_pairs_cover_keywords() {
        for k in KEYWORDS {
            assert!(has_keyword_pair(k.as_bytes()), "{k}");
            assert!(has_keyword_pair(k.to_ascii_uppercase().as_bytes()), "{k}");
        }
    }

    #[test]
    fn provider_keys() {
        for k in [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
            "glpat-xxxxYYYYzzzz1234abcd",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_TYooMQauvdEDq54NiTphI7jx",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "sk-proj-abcDEF123ghiJKL456mnoPQR789stu",
            "sk-ant-api03-abcDEF123ghiJKL456mnoPQR789stu",
            "sk-abcDEF123ghiJKL456mnoPQR789stuVWX",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ] {
            let t = format!("key: `{k}` ok");
            assert_eq!(found(&t), vec![(k.to_string(), EntityType::ApiKey)], "{t}");
        }
    }

    #[test]
    fn pem_block_is_one_private_key() {
        let t = "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow+abc/def==\n-----END RSA PRIVATE KEY-----\ny";
        let got = found(t);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, EntityType::PrivateKey);
        assert!(got[0].0.ends_with("-----END RSA PRIVATE KEY-----"));
    }

    #[test]
    fn identifier_expressions_are_not_secrets() {
        assert!(found("password = db.Column(db.String(80))").is_empty());
        assert!(found("tokenizer = DistilBertTokenizer.from_pretrained(name)").is_empty());
        assert_eq!(
            found("db_password = \"Tr0ub4dor&3x\"")[0].1,
            EntityType::Password
        );
    }

    #[test]
    fn assigned_secrets() {
        assert_eq!(
            found("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            vec![(
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                EntityType::ApiKey
            )]
        );
        assert_eq!(
            found("password: hunter22."),
            vec![("hunter22".into(), EntityType::Password)]
        );
        assert!(found("password: required").is_empty());
        assert!(found("the token = <API_KEY_1>").is_empty());
    }

    #[test]
    fn look_alikes_are_not_keys() {
        for t in [
            "commit dd7df79d82a5d04395d6a3a21f42a6ec7f306532 fixed the build",
            "request id 71510aef-cdb0-a7a4-f96b-e33c319f5bd4",
            "the task-key-management module and sk-learn style api",
            "sha256 c9139238ca75a58d0ee8dac8600d0bf5812178c9b811b8970e960e0bd09ff55a",
            "image data:image/png;base64,g1rkhkDGdhuWv8fMXtxLCW7y+hc1V4OcXOslV0bss4sXT69RTi3MFKAmuLBP",
            "upgraded from v4.27.7 to v18.0.1",
            "use sk-learn-preprocessing-pipeline-helpers here",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}
