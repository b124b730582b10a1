//! The scanner: built once, then `detect` / `redact` per text from any thread.

use std::collections::HashSet;
use std::fmt;

use crate::classify::{Classes, DIGIT, HAS_AT, HAS_COLON, HAS_DOT, HAS_LT, HIGH};
use crate::detect::ids::{scan_crypto, scan_macs, Ids};
use crate::detect::intros::Intros;
use crate::detect::location::Location;
use crate::detect::names::Names;
use crate::detect::patterns::Patterns;
use crate::detect::secrets::Secrets;
use crate::detect::{numbers, placeholders, resolve};
use crate::entity::N_TYPES;
use crate::policy::{classify, Class, Mention, Policy};
use crate::redact::{normal_form, redact_spans, Key, RecordContext, Strategy};
use crate::{code, EntityType, Span};

/// Configures and compiles a [`Scanner`].
///
/// ```
/// let scanner = pii::ScannerBuilder::new()
///     .names(["Zebulon Quackenbush"])
///     .allow(["Bill"])
///     .build()
///     .unwrap();
/// assert_eq!(scanner.redact("Zebulon Quackenbush wrote"), "<PERSON_1> wrote");
/// ```
#[derive(Clone, Debug, Default)]
pub struct ScannerBuilder {
    names: Vec<String>,
    allow: Vec<String>,
    strategies: Vec<(EntityType, Strategy)>,
    key: Option<Key>,
    disabled: Vec<EntityType>,
}

impl ScannerBuilder {
    /// All pattern detectors and the bundled name dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds PERSON terms (a customer deny list). They match in any case, anywhere, at word
    /// boundaries, and may span several words.
    pub fn names<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> Self {
        self.names
            .extend(names.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// Adds terms that are never flagged (compared ASCII case-insensitively with the whole
    /// finding); single words are also removed from the name dictionary.
    pub fn allow<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, terms: I) -> Self {
        self.allow
            .extend(terms.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// How findings of type `t` are redacted (default [`Strategy::Placeholder`]).
    pub fn strategy(mut self, t: EntityType, strategy: Strategy) -> Self {
        self.strategies.push((t, strategy));
        self
    }

    /// The secret key of [`Strategy::Pseudonym`] (read by the caller, e.g. from an
    /// environment variable). It is never printed: `Debug` shows `<redacted>`.
    pub fn pseudonym_key(mut self, key: Vec<u8>) -> Self {
        self.key = Some(Key(key));
        self
    }

    /// Turns detection of the given types off (e.g. `Url` or `Location` where those are not
    /// personal data for a dataset).
    pub fn disable<I: IntoIterator<Item = EntityType>>(mut self, types: I) -> Self {
        self.disabled.extend(types);
        self
    }

    /// Compiles the scanner. Fails when a type uses [`Strategy::Pseudonym`] without a key.
    pub fn build(self) -> Result<Scanner, BuildError> {
        let mut strategies = [Strategy::Placeholder; N_TYPES];
        for (t, st) in &self.strategies {
            strategies[t.index()] = *st;
        }
        if strategies.contains(&Strategy::Pseudonym)
            && self.key.as_ref().is_none_or(|k| k.0.is_empty())
        {
            return Err(BuildError(
                "the pseudonym strategy needs a non-empty pseudonym_key".into(),
            ));
        }
        let mut enabled = [true; N_TYPES];
        for t in &self.disabled {
            enabled[t.index()] = false;
        }
        let allow: HashSet<String> = self
            .allow
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let location = Location::new().map_err(|e| BuildError(format!("gazetteer: {e}")))?;
        let mut names = Names::new(&self.names, &allow)
            .map_err(|e| BuildError(format!("name dictionary: {e}")))?;
        names.add_places(&location);
        Ok(Scanner {
            patterns: Patterns::new().map_err(|e| BuildError(format!("pattern: {e}")))?,
            secrets: Secrets::new().map_err(|e| BuildError(format!("secret pattern: {e}")))?,
            names,
            intros: Intros::new(),
            ids: Ids::new().map_err(|e| BuildError(format!("id pattern: {e}")))?,
            location,
            allow,
            strategies,
            key: self.key,
            enabled,
        })
    }
}

/// Why a [`ScannerBuilder`] could not compile.
#[derive(Clone, Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build PII scanner: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// A compiled PII scanner. `Send + Sync`; share one across threads.
pub struct Scanner {
    patterns: Patterns,
    secrets: Secrets,
    names: Names,
    intros: Intros,
    ids: Ids,
    location: Location,
    allow: HashSet<String>,
    strategies: [Strategy; N_TYPES],
    key: Option<Key>,
    enabled: [bool; N_TYPES],
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("allow", &self.allow.len())
            .field("strategies", &self.strategies)
            .field("pseudonym_key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Scanner {
    /// The default scanner: `ScannerBuilder::new().build()`.
    pub fn new() -> Scanner {
        ScannerBuilder::new()
            .build()
            .expect("the built-in patterns compile")
    }

    /// Finds PII in `text`: byte offsets on char boundaries, sorted, non-overlapping.
    /// Every finding is reported, public or not ([`Policy::redact_all`]); see
    /// [`Scanner::mentions`] and [`Scanner::detect_with`] for the decisions.
    ///
    /// Text with zero-width characters, full-width forms or other compatibility characters
    /// is scanned in its NFKC form with those removed; offsets still refer to `text`.
    pub fn detect(&self, text: &str) -> Vec<Span> {
        self.mentions(text).into_iter().map(|m| m.span).collect()
    }

    /// Every finding with its [`Class`]: what makes it personal, or possibly public.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let classes = Classes::of(text.as_bytes());
        // Only non-ASCII text can hold characters to normalise.
        if classes.any(HIGH) {
            if let Some(view) = crate::normalise::view(text) {
                let found = self.mentions_raw(&view.text, &Classes::of(view.text.as_bytes()));
                return view.map_back(text, found);
            }
        }
        self.mentions_raw(text, &classes)
    }

    /// The findings of `text` that `policy` does not keep: what redaction replaces.
    pub fn detect_with(&self, text: &str, policy: &Policy) -> Vec<Span> {
        let none = HashSet::new();
        self.mentions(text)
            .into_iter()
            .filter(|m| !policy.keeps(text, m, &none))
            .map(|m| m.span)
            .collect()
    }

    fn mentions_raw(&self, text: &str, classes: &Classes) -> Vec<Mention> {
        let (spans, soft) = self.detect_raw(text, classes);
        classify(text, &spans, &soft)
    }

    /// Resolved findings, and for each whether it came from the name and place
    /// dictionaries or introductions (so may be public).
    fn detect_raw(&self, text: &str, classes: &Classes) -> (Vec<Span>, Vec<bool>) {
        let b = text.as_bytes();
        let mut cands = Vec::new();
        if b.is_empty() {
            return (cands, Vec::new());
        }
        let on = |t: EntityType| self.enabled[t.index()];
        let has_digit = classes.any(DIGIT);
        let has_at = classes.has(HAS_AT);
        let has_colon = classes.has(HAS_COLON);
        if has_at {
            self.patterns.email(b, &mut cands);
            if has_colon {
                self.patterns.url_password(b, &mut cands);
            }
        }
        self.patterns.obfuscated_email(b, &mut cands);
        if has_digit {
            if let Some(from) = numbers::scan(b, classes, &mut cands) {
                self.patterns.iban(b, classes, from, &mut cands);
            }
            if has_colon {
                self.patterns.ipv6(text, &mut cands);
            }
            self.ids.scan_context(b, classes, &mut cands);
            scan_macs(b, &mut cands);
            scan_crypto(b, classes, &mut cands);
            if on(EntityType::Location) {
                self.location.scan_addresses(text, classes, &mut cands);
            }
        }
        if on(EntityType::Url) && (has_colon || classes.has(HAS_DOT)) {
            self.ids.scan_urls(b, &mut cands);
        }
        self.secrets.scan(b, &mut cands);
        self.names.scan_custom(text, &mut cands);
        let mut soft = Vec::new();
        let places = on(EntityType::Location).then_some(&self.location);
        self.names.scan(text, classes, places, &mut soft);
        if on(EntityType::Person) {
            // An introduction says "person": a place or word reading inside it yields.
            let mut intro = Vec::new();
            self.intros.scan(text, classes, &self.names, &mut intro);
            if !intro.is_empty() {
                soft.retain(|s| !intro.iter().any(|i| i.start < s.end && s.start < i.end));
                soft.extend(intro);
            }
        }
        // Inside code, identifiers are not names or places and only literals are secrets.
        let code = (!soft.is_empty()
            || cands.iter().any(|c| c.entity_type == EntityType::Location))
        .then(|| code::Code::new(b));
        if let Some(code) = &code {
            soft.retain(|s| !code.contains(s.start, s.end));
        }
        if let Some(code) = &code {
            // "ID > 0 LIMIT 1;" is no street address.
            cands.retain(|s| {
                s.entity_type != EntityType::Location || !code.contains(s.start, s.end)
            });
        }
        let mut soft_keys: Vec<(usize, usize, EntityType)> = soft
            .iter()
            .map(|s| (s.start, s.end, s.entity_type))
            .collect();
        soft_keys.sort_unstable();
        cands.extend(soft);
        if self.enabled.contains(&false) {
            cands.retain(|s| on(s.entity_type));
        }
        if !self.allow.is_empty() {
            cands.retain(|s| {
                !self
                    .allow
                    .contains(&text[s.start..s.end].to_ascii_lowercase())
            });
        }
        let protected = if classes.has(HAS_LT) {
            placeholders(b)
        } else {
            Vec::new()
        };
        let spans = resolve(cands, &protected);
        let is_soft = spans
            .iter()
            .map(|s| {
                soft_keys
                    .binary_search(&(s.start, s.end, s.entity_type))
                    .is_ok()
            })
            .collect();
        (spans, is_soft)
    }

    /// [`Scanner::detect`] over many texts, in parallel across the rayon thread pool.
    pub fn detect_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<Span>> {
        use rayon::prelude::*;
        texts.par_iter().map(|t| self.detect(t.as_ref())).collect()
    }

    /// [`Scanner::redact`] over many texts (one record each), in parallel.
    pub fn redact_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<String> {
        use rayon::prelude::*;
        texts.par_iter().map(|t| self.redact(t.as_ref())).collect()
    }

    /// Replaces every finding with a typed placeholder (`<EMAIL_ADDRESS_1>`), numbered within
    /// this text, or as the type's [`Strategy`] says. Returns the text unchanged when nothing
    /// is found. ([`Strategy::Drop`] types are replaced by placeholders here; use
    /// [`Scanner::redact_in`] and [`RecordContext::must_drop`] to drop the record.)
    pub fn redact(&self, text: &str) -> String {
        let mut ctx = RecordContext::new();
        self.redact_in(text, &mut ctx)
            .unwrap_or_else(|| text.to_string())
    }

    /// Redacts `text` sharing placeholder numbering with other fields of the same record.
    /// Returns None when nothing was found (caller keeps the original without copying).
    /// Every finding is redacted ([`Policy::redact_all`]).
    pub fn redact_in(&self, text: &str, record: &mut RecordContext) -> Option<String> {
        self.redact_in_with(text, record, &Policy::redact_all())
    }

    /// [`Scanner::redact`] with the decisions of `policy`: what it keeps stays.
    pub fn redact_with(&self, text: &str, policy: &Policy) -> String {
        let mut ctx = RecordContext::new();
        self.redact_in_with(text, &mut ctx, policy)
            .unwrap_or_else(|| text.to_string())
    }

    /// [`Scanner::redact_in`] with the decisions of `policy`.
    pub fn redact_in_with(
        &self,
        text: &str,
        record: &mut RecordContext,
        policy: &Policy,
    ) -> Option<String> {
        self.redact_record(&[text], record, policy).pop().flatten()
    }

    /// Redacts the fields of one record together: a name in a personal context in any
    /// field ("Hi, I'm Jane Roe") is redacted in every field, and placeholders are
    /// numbered across fields. One entry per text: None when it is left unchanged.
    pub fn redact_record(
        &self,
        texts: &[&str],
        record: &mut RecordContext,
        policy: &Policy,
    ) -> Vec<Option<String>> {
        let found: Vec<Vec<Mention>> = texts.iter().map(|t| self.mentions(t)).collect();
        self.redact_found(texts, found, record, policy)
    }

    /// [`Scanner::redact_record`] from findings already made: `found[i]` must be
    /// [`Scanner::mentions`] of `texts[i]` (stored by an earlier pass over the same text),
    /// so a text is not scanned again unless something in it is redacted.
    pub fn redact_found(
        &self,
        texts: &[&str],
        found: Vec<Vec<Mention>>,
        record: &mut RecordContext,
        policy: &Policy,
    ) -> Vec<Option<String>> {
        if !policy.is_redact_all() {
            for (t, ms) in texts.iter().zip(&found) {
                for m in ms.iter().filter(|m| m.class == Class::PersonalContext) {
                    let ty = m.span.entity_type;
                    record
                        .personal
                        .insert((ty, normal_form(ty, &t[m.span.start..m.span.end])));
                }
            }
        }
        texts
            .iter()
            .zip(found)
            .map(|(text, ms)| {
                let spans = self.chosen(text, ms, record, policy, true);
                if spans.is_empty() {
                    return None;
                }
                let mut out =
                    redact_spans(text, &spans, record, &self.strategies, self.key.as_ref());
                // Context rules can see a value only once its neighbour is a placeholder
                // ("to <LOCATION_1> Lichtenrade"), and a run of numbers splits into values
                // one placeholder at a time; redact until nothing is left, so that
                // redacting the output again changes nothing. Each pass turns text into
                // protected placeholders, so the text's length bounds the passes.
                for _ in 0..text.len() {
                    let again = self.mentions(&out);
                    let again = self.chosen(&out, again, record, policy, false);
                    if again.is_empty() {
                        break;
                    }
                    out = redact_spans(&out, &again, record, &self.strategies, self.key.as_ref());
                }
                Some(out)
            })
            .collect()
    }

    /// The spans of `ms` to redact; counts what the policy kept when `count` is set.
    fn chosen(
        &self,
        text: &str,
        ms: Vec<Mention>,
        record: &mut RecordContext,
        policy: &Policy,
        count: bool,
    ) -> Vec<Span> {
        let mut out = Vec::with_capacity(ms.len());
        for m in ms {
            if policy.keeps(text, &m, &record.personal) {
                if count {
                    record.count_kept(m.span.entity_type);
                }
            } else {
                out.push(m.span);
            }
        }
        out
    }

    /// How findings of type `t` are redacted.
    pub fn strategy(&self, t: EntityType) -> Strategy {
        self.strategies[t.index()]
    }
}
