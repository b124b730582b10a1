//! The scanner: built once, then `detect` / `redact` per text from any thread.

use std::collections::HashSet;
use std::fmt;

use crate::detect::names::Names;
use crate::detect::patterns::Patterns;
use crate::detect::secrets::Secrets;
use crate::detect::{numbers, placeholders, resolve};
use crate::redact::{redact_spans, RecordContext};
use crate::Span;

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

    /// Compiles the scanner.
    pub fn build(self) -> Result<Scanner, BuildError> {
        let allow: HashSet<String> = self
            .allow
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(Scanner {
            patterns: Patterns::new().map_err(|e| BuildError(format!("pattern: {e}")))?,
            secrets: Secrets::new().map_err(|e| BuildError(format!("secret pattern: {e}")))?,
            names: Names::new(&self.names, &allow)
                .map_err(|e| BuildError(format!("name dictionary: {e}")))?,
            allow,
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
    allow: HashSet<String>,
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
    pub fn detect(&self, text: &str) -> Vec<Span> {
        let b = text.as_bytes();
        let mut cands = Vec::new();
        if b.is_empty() {
            return cands;
        }
        let has_digit = b.iter().any(u8::is_ascii_digit);
        let has_at = b.contains(&b'@');
        let has_colon = b.contains(&b':');
        if has_at {
            self.patterns.email(b, &mut cands);
            if has_colon {
                self.patterns.url_password(b, &mut cands);
            }
        }
        if has_digit {
            if let Some(from) = numbers::scan(b, &mut cands) {
                self.patterns.iban(b, from, &mut cands);
            }
            if has_colon {
                self.patterns.ipv6(text, &mut cands);
            }
        }
        self.secrets.scan(b, &mut cands);
        self.names.scan(text, &mut cands);
        if !self.allow.is_empty() {
            cands.retain(|s| {
                !self
                    .allow
                    .contains(&text[s.start..s.end].to_ascii_lowercase())
            });
        }
        let protected = if b.contains(&b'<') {
            placeholders(b)
        } else {
            Vec::new()
        };
        resolve(cands, &protected)
    }

    /// Replaces every finding with a typed placeholder (`<EMAIL_ADDRESS_1>`), numbered within
    /// this text. Returns the text unchanged when nothing is found.
    pub fn redact(&self, text: &str) -> String {
        let mut ctx = RecordContext::new();
        self.redact_in(text, &mut ctx)
            .unwrap_or_else(|| text.to_string())
    }

    /// Redacts `text` sharing placeholder numbering with other fields of the same record.
    /// Returns None when nothing was found (caller keeps the original without copying).
    pub fn redact_in(&self, text: &str, record: &mut RecordContext) -> Option<String> {
        let spans = self.detect(text);
        if spans.is_empty() {
            return None;
        }
        Some(redact_spans(text, &spans, record))
    }
}
