//! Public versus personal: what each finding is, and which findings a redaction keeps.
//!
//! A detector finds candidates; a privacy reviewer decides. Contact details, numbers,
//! secrets and street addresses are personal wherever they stand. A name or place is
//! personal in a personal context (a self-introduction, a signature, "my manager X", a
//! name beside contact details, "I live in X"); without one, a place is public and a name
//! is public when the corpus shows it is (many distinct users mention it, or the model
//! brought it up unprompted). Reserved IP addresses and URLs of public sites without
//! credentials, tokens, e-mail addresses or profile paths are no one's data.

use std::collections::HashSet;
use std::net::IpAddr;

use crate::detect::intros::relation_before;
use crate::detect::names::{closes_greeting, greeting_before};
use crate::redact::normal_form;
use crate::{EntityType, Span};

/// One finding with what makes it personal or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Where and what.
    pub span: Span,
    /// Why it is, or may be, personal.
    pub class: Class,
}

/// Classes in the order of their codes (see [`Mention::code`]); append only.
const CLASSES: [Class; 7] = [
    Class::Personal,
    Class::PersonalContext,
    Class::Name,
    Class::Place,
    Class::ReservedIp,
    Class::PublicUrl,
    Class::Date,
];

impl Mention {
    /// Entity type and class in one number, for storing a scan's findings beside the
    /// text (a run scans once and redacts later from what it stored).
    pub fn code(&self) -> u16 {
        let class = CLASSES
            .iter()
            .position(|c| *c == self.class)
            .expect("every class has a code");
        (self.span.entity_type.index() * CLASSES.len() + class) as u16
    }

    /// The mention that [`Mention::code`] stored, or None for a code this build does not
    /// know.
    pub fn decode(start: usize, end: usize, code: u16) -> Option<Mention> {
        let code = code as usize;
        let entity_type = *EntityType::all().get(code / CLASSES.len())?;
        let class = CLASSES[code % CLASSES.len()];
        Some(Mention {
            span: Span {
                start,
                end,
                entity_type,
            },
            class,
        })
    }
}

/// What kind of finding a [`Mention`] is, for the redaction decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// Personal wherever it stands: contact details, card, bank and national numbers,
    /// secrets, street addresses, dates of birth, customer deny-list terms.
    Personal,
    /// A name or place in a personal context.
    PersonalContext,
    /// A name without personal context: public when the corpus shows it is.
    Name,
    /// A place (country, state, city) without personal context.
    Place,
    /// A loopback, unspecified, documentation or well-known public-resolver IP address.
    ReservedIp,
    /// A URL of a public site: no credentials, tokens, e-mail addresses or profile paths.
    PublicUrl,
    /// A date with no birth context (a timestamp, a deadline).
    Date,
}

/// Which findings a redaction keeps. [`Policy::redact_all`] is the detector's view (every
/// finding redacted); [`Policy::new`] takes the public-versus-personal decisions, with
/// names public only when listed by [`Policy::public_values`].
///
/// ```
/// use pii::{EntityType, Policy, Scanner};
/// let scanner = Scanner::new();
/// let policy = Policy::new().public_values([(EntityType::Person, "George Lucas")]);
/// let text = "Star Wars by George Lucas. Signed, George Lucas";
/// assert_eq!(
///     scanner.redact_with(text, &policy),
///     "Star Wars by <PERSON_1>. Signed, <PERSON_1>"
/// );
/// let text = "Star Wars by George Lucas, set in Greenland.";
/// assert_eq!(scanner.redact_with(text, &policy), text);
/// ```
#[derive(Clone, Debug)]
pub struct Policy {
    redact_all: bool,
    keep_places: bool,
    keep_public_urls: bool,
    keep_reserved_ips: bool,
    keep_dates: bool,
    public: HashSet<(EntityType, String)>,
}

impl Default for Policy {
    fn default() -> Self {
        Self::new()
    }
}

impl Policy {
    /// Decisions with the defaults: places without personal context, public URLs,
    /// reserved IP addresses and dates without birth context are kept; names are kept
    /// only when listed as public.
    pub fn new() -> Self {
        Policy {
            redact_all: false,
            keep_places: true,
            keep_public_urls: true,
            keep_reserved_ips: true,
            keep_dates: true,
            public: HashSet::new(),
        }
    }

    /// Every finding is redacted: no decisions (what `pii detect` reports by default).
    pub fn redact_all() -> Self {
        Policy {
            redact_all: true,
            ..Policy::new()
        }
    }

    /// Whether places without personal context are kept (default true).
    pub fn keep_places(mut self, keep: bool) -> Self {
        self.keep_places = keep;
        self
    }

    /// Whether URLs of public sites are kept (default true).
    pub fn keep_public_urls(mut self, keep: bool) -> Self {
        self.keep_public_urls = keep;
        self
    }

    /// Whether reserved and public-resolver IP addresses are kept (default true).
    pub fn keep_reserved_ips(mut self, keep: bool) -> Self {
        self.keep_reserved_ips = keep;
        self
    }

    /// Whether dates without birth context are kept (default true).
    pub fn keep_dates(mut self, keep: bool) -> Self {
        self.keep_dates = keep;
        self
    }

    /// Names (and places) the corpus showed to be public knowledge; compared in their
    /// normal form (case and spacing ignored). Kept where they carry no personal context.
    pub fn public_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (EntityType, S)>,
        S: AsRef<str>,
    {
        self.public.extend(
            values
                .into_iter()
                .map(|(t, v)| (t, normal_form(t, v.as_ref()))),
        );
        self
    }

    /// Number of values listed as public.
    pub fn public_len(&self) -> usize {
        self.public.len()
    }

    /// Whether every finding is redacted.
    pub fn is_redact_all(&self) -> bool {
        self.redact_all
    }

    /// Whether the finding `m` of `text` stays in the text. `personal` holds the normal
    /// forms of names seen in a personal context elsewhere in the same record.
    pub fn keeps(&self, text: &str, m: &Mention, personal: &HashSet<(EntityType, String)>) -> bool {
        if self.redact_all {
            return false;
        }
        let t = m.span.entity_type;
        let value = || normal_form(t, &text[m.span.start..m.span.end]);
        match m.class {
            Class::Personal | Class::PersonalContext => false,
            Class::Name => {
                let v = value();
                let key = (t, v);
                !personal.contains(&key) && self.public.contains(&key)
            }
            Class::Place => {
                let key = (t, value());
                !personal.contains(&key) && (self.keep_places || self.public.contains(&key))
            }
            Class::ReservedIp => self.keep_reserved_ips,
            Class::PublicUrl => self.keep_public_urls,
            Class::Date => self.keep_dates,
        }
    }
}

/// Classifies resolved findings of `text`. `soft[i]` says whether finding `i` came from
/// the name and place dictionaries or an introduction (and so may be public).
pub(crate) fn classify(text: &str, spans: &[Span], soft: &[bool]) -> Vec<Mention> {
    let b = text.as_bytes();
    spans
        .iter()
        .zip(soft)
        .map(|(s, &soft)| {
            let class = match s.entity_type {
                EntityType::Person if soft => {
                    if person_context(b, s, spans) {
                        Class::PersonalContext
                    } else {
                        Class::Name
                    }
                }
                EntityType::Location if soft => {
                    if place_context(b, s.start) {
                        Class::PersonalContext
                    } else {
                        Class::Place
                    }
                }
                EntityType::IpAddress if reserved_ip(&text[s.start..s.end]) => Class::ReservedIp,
                EntityType::Url if public_url(&text[s.start..s.end]) => Class::PublicUrl,
                EntityType::DateTime if !birth_context(b, s.start) => Class::Date,
                _ => Class::Personal,
            };
            Mention { span: *s, class }
        })
        .collect()
}

/// Lower-cased bytes before `i`, at most `n`, trailing spaces, commas and one newline
/// removed.
fn before(b: &[u8], i: usize, n: usize) -> Vec<u8> {
    let e = phrase_end(b, i);
    let s = e.saturating_sub(n);
    b[s..e].to_ascii_lowercase()
}

fn ends_with_word(w: &[u8], phrase: &str) -> bool {
    let p = phrase.as_bytes();
    w.ends_with(p) && (w.len() == p.len() || !w[w.len() - p.len() - 1].is_ascii_alphanumeric())
}

/// Phrases before a name that make it a person the writer is, writes to, or knows.
const PERSON_BEFORE: &[&str] = &[
    "my name is",
    "my name's",
    "name is",
    "i'm",
    "i am",
    "call me",
    "signed",
    "signed by",
    "sincerely",
    "regards",
    "yours truly",
    "cheers",
    "thanks",
    "attn",
    "attention",
    "dear",
    "contact",
    "reach out to",
    "email",
    "e-mail",
];
/// Phrases that are personal only as a header or sign-off at a line start ("From: Jane",
/// "Best,\nJane"); mid-sentence they are prose ("a film from Todd Howard").
const HEADER_BEFORE: &[&str] = &["from", "to", "cc", "best", "love", "call", "text"];

/// A quotation mark ends at `k` (“Hey, Jake!” in a story is dialogue between characters,
/// not a greeting to a person), spaces before `k` skipped.
fn quote_before(b: &[u8], mut k: usize) -> bool {
    while k > 0 && b[k - 1] == b' ' {
        k -= 1;
    }
    k > 0 && (b[k - 1] == b'"' || (k >= 3 && matches!(&b[k - 3..k], [0xE2, 0x80, 0x9C | 0x98])))
}

/// Start of the text that [`before`] reads back from `i` (separators skipped).
fn phrase_end(b: &[u8], i: usize) -> usize {
    let mut e = i;
    while e > 0 && matches!(b[e - 1], b' ' | b'\t' | b',' | b':' | b'\n' | b'\r' | b'-') {
        e -= 1;
    }
    e
}

/// Whether the name `s` stands in a personal context.
fn person_context(b: &[u8], s: &Span, spans: &[Span]) -> bool {
    let w = before(b, s.start, 48);
    let opens_quote = |p: &str| quote_before(b, phrase_end(b, s.start) - p.len());
    if let Some(p) = PERSON_BEFORE.iter().find(|p| ends_with_word(&w, p)) {
        return !opens_quote(p);
    }
    if let Some(p) = HEADER_BEFORE.iter().find(|p| ends_with_word(&w, p)) {
        let k = w.len() - p.len();
        if k == 0 || w[k - 1] == b'\n' {
            return true;
        }
    }
    if relation_before(b, s.start, &["my", "our", "your"]) {
        return true;
    }
    if greeting_before(b, s.start) && closes_greeting(b, s.end) && !greeting_quoted(b, s.start) {
        return true;
    }
    // "for Jane's birthday", "Jane (my manager)", "Jane, my sister".
    let after = &b[s.end..(s.end + 40).min(b.len())];
    let after = after.to_ascii_lowercase();
    if after.starts_with(b"'s birthday")
        || after.starts_with(b"'s wedding")
        || after.starts_with(b"'s funeral")
        || after.starts_with(b"'s anniversary")
        || after.starts_with(b" (my ")
        || after.starts_with(b", my ")
    {
        return true;
    }
    // Contact details beside the name: "Jane Roe, jane@x.org, +1 555 ...". `spans` are
    // sorted and disjoint: look only at those within 60 bytes either side.
    let from = spans.partition_point(|o| o.end + 60 < s.start);
    spans[from..]
        .iter()
        .take_while(|o| o.start <= s.end + 60)
        .any(|o| {
            matches!(
                o.entity_type,
                EntityType::EmailAddress | EntityType::PhoneNumber
            )
        })
}

/// A greeting right before `start` that opens a quotation (“Hey, Jake!”).
fn greeting_quoted(b: &[u8], start: usize) -> bool {
    let mut k = start;
    while k > 0 && matches!(b[k - 1], b' ' | b',') {
        k -= 1;
    }
    while k > 0 && b[k - 1].is_ascii_alphabetic() {
        k -= 1;
    }
    quote_before(b, k)
}

/// Phrases before a place that make it where the writer (or someone they know) lives.
const PLACE_BEFORE: &[&str] = &[
    "i live in",
    "we live in",
    "lives in",
    "living in",
    "i'm from",
    "i am from",
    "we're from",
    "i moved to",
    "we moved to",
    "i grew up in",
    "i was born in",
    "born in",
    "my address is",
    "my hometown",
    "my hometown is",
    "i'm based in",
    "i am based in",
    "i reside in",
    "resides in",
    "i'm located in",
    "i am located in",
];

fn place_context(b: &[u8], start: usize) -> bool {
    let w = before(b, start, 40);
    PLACE_BEFORE.iter().any(|p| ends_with_word(&w, p))
}

fn birth_context(b: &[u8], start: usize) -> bool {
    let w = before(b, start, 40);
    [&b"born"[..], b"birth", b"dob", b"d.o.b", b"b."]
        .iter()
        .any(|k| w.windows(k.len()).any(|x| x == *k))
}

/// Loopback, unspecified, documentation (RFC 5737, RFC 3849), broadcast and the public
/// resolvers everybody configures.
fn reserved_ip(v: &str) -> bool {
    const RESOLVERS: &[&str] = &[
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "2001:4860:4860::8888",
        "2001:4860:4860::8844",
        "2606:4700:4700::1111",
        "2606:4700:4700::1001",
    ];
    let Ok(ip) = v.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() else {
        return false;
    };
    if ip.is_loopback() || ip.is_unspecified() || RESOLVERS.contains(&v) {
        return true;
    }
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            a.is_broadcast()
                || (o[0], o[1], o[2]) == (192, 0, 2)
                || (o[0], o[1], o[2]) == (198, 51, 100)
                || (o[0], o[1], o[2]) == (203, 0, 113)
        }
        IpAddr::V6(a) => a.segments()[0] == 0x2001 && a.segments()[1] == 0x0db8,
    }
}

/// Query keys and path words that carry a credential or identify a person.
const PRIVATE_URL_WORDS: &[&str] = &[
    "token",
    "key",
    "secret",
    "sig",
    "signature",
    "auth",
    "session",
    "sid",
    "password",
    "passwd",
    "pwd",
    "email",
    "mail",
    "user",
    "uid",
    "phone",
    "code",
    "access",
    "jwt",
    "credential",
    "ticket",
    "invite",
    "reset",
    "unsubscribe",
];
/// Hosts whose paths are people's profiles or private meetings.
const PROFILE_HOSTS: &[&str] = &[
    "linkedin.com",
    "facebook.com",
    "fb.com",
    "instagram.com",
    "twitter.com",
    "x.com",
    "tiktok.com",
    "t.me",
    "wa.me",
    "calendly.com",
    "zoom.us",
    "meet.google.com",
    "venmo.com",
    "paypal.me",
    "cash.app",
    "onlyfans.com",
    "snapchat.com",
];

/// A URL of a public site: no user info, no e-mail address, no credential-like query
/// key or random path segment, no personal-profile host, and a host that is a name (an
/// IP literal is someone's machine unless reserved).
fn public_url(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(p) => (&rest[..p], &rest[p..]),
        None => (rest, ""),
    };
    if authority.contains('@') || path.contains('@') || path.contains("%40") {
        return false;
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let host = host.trim_start_matches("www.");
    if host.starts_with('[') || host.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return reserved_ip(host.trim_matches(|c| c == '[' || c == ']'));
    }
    if PROFILE_HOSTS
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    {
        return false;
    }
    let words = path.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    for w in path.split(['/', '?', '&', '=', '#', ';']) {
        if w.len() >= 16 && random_segment(w) {
            return false;
        }
    }
    for w in words {
        if PRIVATE_URL_WORDS
            .iter()
            .any(|p| w == *p || w.ends_with(&format!("_{p}")))
            && path.contains('=')
        {
            return false;
        }
    }
    true
}

/// A path segment that looks generated: long, with digits and letters mixed and no
/// readable word structure.
fn random_segment(w: &str) -> bool {
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    let separators = w
        .bytes()
        .filter(|c| matches!(c, b'-' | b'_' | b'.'))
        .count();
    digits >= 3 && letters >= 3 && separators <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ips() {
        for ip in [
            "127.0.0.1",
            "0.0.0.0",
            "::1",
            "8.8.8.8",
            "192.0.2.17",
            "2001:db8::1",
        ] {
            assert!(reserved_ip(ip), "{ip}");
        }
        for ip in ["45.22.74.83", "141.12.50.197", "2a00:1450:4001::1"] {
            assert!(!reserved_ip(ip), "{ip}");
        }
    }

    #[test]
    fn public_and_private_urls() {
        for u in [
            "https://docs.python.org/3/library/re.html",
            "http://127.0.0.1:8000/docs",
            "https://github.com/apache/datafusion",
            "www.westtradereview.com",
            "https://en.wikipedia.org/wiki/George_Lucas",
        ] {
            assert!(public_url(u), "{u}");
        }
        for u in [
            "https://user:pw@example.org/x",
            "https://site.org/reset?token=abc",
            "https://www.linkedin.com/in/jane-doe",
            "https://files.org/share/a8F3kq92LmZp01xQ",
            "http://45.22.74.83/admin",
            "https://x.org/u?email=jane%40x.org",
        ] {
            assert!(!public_url(u), "{u}");
        }
    }
}
