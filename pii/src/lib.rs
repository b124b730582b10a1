//! Fast detection and redaction of personal data and secrets in free text.
//!
//! A [`Scanner`] is compiled once (regexes with literal prefilters, checksum validators, an
//! aho-corasick name dictionary) and then called from any number of threads. Findings are
//! [`Span`]s with byte offsets and Presidio entity names; redaction replaces them with typed
//! placeholders (`<EMAIL_ADDRESS_1>`) numbered consistently within a record.
//!
//! ```
//! let scanner = pii::Scanner::new();
//! let text = "Mail jane.doe@example.com or call (555) 123-4567.";
//! assert_eq!(scanner.redact(text), "Mail <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_1>.");
//! ```
#![deny(missing_docs)]

pub use entity::{EntityType, ParseEntityTypeError};
pub use offsets::char_offsets;
pub use policy::{Class, Mention, Policy};
pub use redact::{normal_form, RecordContext, Strategy};
pub use scanner::{BuildError, Scanner, ScannerBuilder};

mod classify;
mod code;
mod detect;
mod entity;
mod normalise;
mod offsets;
mod policy;
mod redact;
mod scanner;
mod validate;

/// One finding: byte offsets into the scanned `&str` (on char boundaries) and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What was found.
    pub entity_type: EntityType,
}
