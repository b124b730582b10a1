//! Streaming ingest of log objects with line-level quarantine.
//!
//! [`log_table`] builds a DataFusion table whose partitions each stream their share of the
//! source objects through object_store (gunzipping on the fly), parse one line at a time
//! and emit Arrow batches. A line that cannot be parsed does not fail the
//! query: it becomes a row whose `_error` says why, so quarantine is a plain SQL filter and
//! the accounting of input rows is exact. Memory per partition is bounded by the batch
//! size, never by the object size.

mod batch;
mod fast_parse;
mod lines;
mod parse;
mod stream;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::Result;
use datafusion::logical_expr::{col, SortExpr};
use datafusion::physical_plan::streaming::PartitionStream;
use object_store::path::Path;
use object_store::ObjectStore;
use serde::Serialize;

use crate::schema;

/// Which log an object belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// `interactions/dt=…/`: one chat turn with its answer per line.
    Interactions,
    /// `feedback/dt=…/`: explicit and implicit feedback events.
    Feedback,
}

impl LogKind {
    /// The folder name of this kind under the source root.
    pub fn dir(&self) -> &'static str {
        match self {
            LogKind::Interactions => "interactions",
            LogKind::Feedback => "feedback",
        }
    }

    /// The Arrow schema rows of this kind are ingested into.
    pub fn schema(&self) -> SchemaRef {
        match self {
            LogKind::Interactions => schema::interactions(),
            LogKind::Feedback => schema::feedback(),
        }
    }
}

/// Encoding of one source object, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Newline-delimited JSON.
    Jsonl,
    /// Gzip-compressed newline-delimited JSON (multi-member streams allowed).
    JsonlGz,
    /// Apache Parquet with columns named as in the input contract.
    Parquet,
}

impl Format {
    /// The format of an object name, or `None` when it is not a log file.
    pub fn from_name(name: &str) -> Option<Format> {
        if name.ends_with(".jsonl") || name.ends_with(".json") || name.ends_with(".ndjson") {
            Some(Format::Jsonl)
        } else if name.ends_with(".jsonl.gz")
            || name.ends_with(".json.gz")
            || name.ends_with(".ndjson.gz")
        {
            Some(Format::JsonlGz)
        } else if name.ends_with(".parquet") {
            Some(Format::Parquet)
        } else {
            None
        }
    }
}

/// One object to ingest.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFile {
    /// Location inside the source store.
    #[serde(serialize_with = "serialize_path")]
    pub location: Path,
    /// The partition date (`dt=`) it was found under.
    pub dt: String,
    /// Size in bytes, as listed.
    pub size: u64,
    /// ETag as listed, when the store gives one.
    pub e_tag: Option<String>,
    /// Encoding, from the name.
    pub format: Format,
}

fn serialize_path<S: serde::Serializer>(p: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(p.as_ref())
}

/// Rows seen and quarantined for one object.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct FileCounts {
    /// Input rows: non-blank lines (or Parquet rows), plus one for an unreadable remainder.
    pub rows: u64,
    /// Rows that could not be parsed.
    pub quarantined: u64,
    /// Bytes after decompression.
    pub bytes: u64,
    /// 1 when the object began with a UTF-8 byte-order mark (stripped, as Windows tools
    /// and some exporters write one before the first line).
    pub byte_order_marks: u64,
}

/// Counts gathered while partitions stream, keyed by object path.
#[derive(Debug, Default)]
pub struct IngestStats {
    files: Mutex<BTreeMap<String, FileCounts>>,
}

impl IngestStats {
    /// A snapshot of the counts per object.
    pub fn snapshot(&self) -> BTreeMap<String, FileCounts> {
        self.files.lock().expect("ingest stats poisoned").clone()
    }

    pub(crate) fn add(&self, path: &str, delta: &FileCounts) {
        let mut files = self.files.lock().expect("ingest stats poisoned");
        let c = files.entry(path.to_string()).or_default();
        c.rows += delta.rows;
        c.quarantined += delta.quarantined;
        c.bytes += delta.bytes;
        c.byte_order_marks += delta.byte_order_marks;
    }
}

/// The latest `ts` a row may carry: the run's start plus an allowed clock skew. A client
/// with a wrong clock writes timestamps years ahead, which would then steer the rewrite
/// and late-feedback windows; such a row is quarantined. A few days after its `dt=`
/// partition is normal (late clocks, time zones) and stays.
#[derive(Clone, Debug)]
pub struct ClockLimit {
    latest_us: i64,
    reason: String,
}

impl ClockLimit {
    /// Rows later than `start_us` (microseconds since the epoch) plus `skew_hours` are
    /// quarantined.
    pub fn after(start_us: i64, skew_hours: u64) -> Self {
        let skew_us = i64::try_from(skew_hours)
            .unwrap_or(i64::MAX)
            .saturating_mul(3_600_000_000);
        ClockLimit {
            latest_us: start_us.saturating_add(skew_us),
            reason: format!(
                "field `ts` is more than {skew_hours} h after the run started (a client clock ahead?)"
            ),
        }
    }

    /// No limit (tools that read logs outside a run).
    pub fn none() -> Self {
        ClockLimit {
            latest_us: i64::MAX,
            reason: String::new(),
        }
    }

    /// Why a row with `ts` is rejected, if it is.
    pub(crate) fn check(&self, ts: i64) -> Option<&str> {
        (ts > self.latest_us).then_some(self.reason.as_str())
    }
}

/// A streaming table over log objects of one kind: at most `partitions` partitions, each
/// reading its share of the objects in turn (balanced by size); nothing is read until it
/// executes. Each partition streams its objects in path order and their lines in order,
/// so the table declares [`provenance_order`]: `ORDER BY _source, _line` over it merges
/// the partitions instead of sorting the day's rows.
pub fn log_table(
    store: Arc<dyn ObjectStore>,
    kind: LogKind,
    files: Vec<SourceFile>,
    stats: Arc<IngestStats>,
    batch_rows: usize,
    partitions: usize,
    clock: ClockLimit,
) -> Result<StreamingTable> {
    let clock = Arc::new(clock);
    let schema = kind.schema();
    let partitions: Vec<Arc<dyn PartitionStream>> = balance(files, partitions)
        .into_iter()
        .map(|files| {
            Arc::new(stream::FilePartition {
                store: Arc::clone(&store),
                kind,
                files,
                schema: Arc::clone(&schema),
                stats: Arc::clone(&stats),
                batch_rows,
                clock: Arc::clone(&clock),
            }) as Arc<dyn PartitionStream>
        })
        .collect();
    Ok(StreamingTable::try_new(schema, partitions)?.with_sort_order(provenance_order()))
}

/// `_source, _line` ascending: the order rows are read in within one partition, and the
/// order of every table a run writes rows of the logs into.
pub fn provenance_order() -> Vec<SortExpr> {
    vec![
        col("_source").sort(true, false),
        col("_line").sort(true, false),
    ]
}

/// Splits objects into at most `n` groups of similar total size (largest first into the
/// lightest group), keeping path order inside each group.
fn balance(mut files: Vec<SourceFile>, n: usize) -> Vec<Vec<SourceFile>> {
    let n = n.clamp(1, files.len().max(1));
    files.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then_with(|| a.location.cmp(&b.location))
    });
    let mut groups: Vec<(u64, Vec<SourceFile>)> = (0..n).map(|_| (0, Vec::new())).collect();
    for f in files {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(size, _)| *size)
            .expect("at least one group");
        lightest.0 += f.size.max(1);
        lightest.1.push(f);
    }
    groups
        .into_iter()
        .map(|(_, mut g)| {
            g.sort_by(|a, b| a.location.cmp(&b.location));
            g
        })
        .filter(|g| !g.is_empty())
        .collect()
}
