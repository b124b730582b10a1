//! Flywheel: the nightly job that turns LLM interaction and feedback logs into redacted,
//! scored, deduplicated golden-set additions and few-shot banks.
//!
//! [`run`] holds one run's stages in data-flow order; [`config`] and [`store`] say where
//! data comes from and goes; [`pii_cmd`] exposes the scanner on JSONL files.
#![deny(missing_docs)]

pub mod cli;
pub mod config;
pub mod error;
pub mod pii_cmd;
pub mod run;
pub mod store;

pub use error::{Error, Result};
