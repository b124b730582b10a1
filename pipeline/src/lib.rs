//! Flywheel: the nightly job that turns LLM interaction and feedback logs into redacted,
//! scored, deduplicated golden-set additions and few-shot banks.
//!
//! [`run`] holds one run's stages in data-flow order; [`config`] and [`store`] say where
//! data comes from and goes; [`inspect`] reads published runs back; [`pii_cmd`] exposes
//! the scanner on JSONL files; [`progress`] sets up logs and the progress bar.
#![deny(missing_docs)]

pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod gen;
pub mod inspect;
pub mod pii_cmd;
pub mod progress;
pub mod run;
pub mod store;

pub use error::{Error, Result};
