//! Arrow / DataFusion building blocks for Flywheel.
//!
//! - [`ingest`]: a streaming, line-level log source: JSONL, JSONL.gz and Parquet objects
//!   become Arrow batches; a bad line becomes a row carrying its error instead of failing
//!   the query, so every input row stays accounted for.
//! - [`udf`]: the scalar functions the SQL stages call (PII redaction over Arrow string
//!   arrays, text normalisation, token estimates), registered from one list.
//! - [`schema`]: the canonical Arrow schemas of the two input kinds.
#![deny(missing_docs)]

pub mod ingest;
pub mod schema;
pub mod udf;

pub use ingest::{log_table, ClockLimit, IngestStats, LogKind, SourceFile};
pub use udf::{canary_sql, register_stage_udfs, register_udfs, stage_udfs, udafs, udfs, PiiStats};
