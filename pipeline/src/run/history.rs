//! What earlier runs left for this one, found through their manifests (so a run that died
//! before its commit point never counts):
//!
//! - `published_before`: the `published_index` file of every committed run (example id,
//!   task, label, prompt key of each example it published), so a question asked every day
//!   is added once;
//! - `carried_interactions`, `carried_feedback`: the redacted interactions and feedback
//!   of committed runs within `late_feedback_days`, so feedback arriving days after its
//!   interaction still counts. Raw text never reaches the sink: these are the staged,
//!   already redacted rows.
//! - `previous_banks`: the examples of each few-shot bank as the newest committed run
//!   that had it published it, so a bank keeps its good examples when a night brings
//!   few new ones (the next bank is chosen from both);
//! - `backlog_interactions`, `backlog_feedback`: the regression cases the newest
//!   committed run deferred (over `max_regressions_per_run`), with their feedback, so they
//!   are published by a later run instead of being dropped.
//!
//! Carried and backlog rows are copied into the run's work directory and scanned from
//! there; the index and the banks are small and are read into memory.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::TryStreamExt;
use object_store::ObjectStoreExt;
use serde_json::Value;

use transforms::LogKind;

use crate::store::Location;
use crate::Result;

/// Manifest output kind of the index of published examples.
pub const INDEX_KIND: &str = "published_index";
/// Manifest output kinds of the carried (redacted) rows, and the tables they become.
pub const CARRY: [(&str, &str); 2] = [
    ("carry_interactions", "carried_interactions"),
    ("carry_feedback", "carried_feedback"),
];
/// Manifest output kinds of deferred regression cases, and the tables they become.
pub const BACKLOG: [(&str, &str); 2] = [
    ("backlog_interactions", "backlog_interactions"),
    ("backlog_feedback", "backlog_feedback"),
];

fn index_schema() -> SchemaRef {
    Arc::new(Schema::new(
        ["example_id", "task", "label", "prompt_key", "run_id"]
            .map(|name| Field::new(name, DataType::Utf8, true))
            .to_vec(),
    ))
}

/// The date a run id starts with (`<last dt>-<hash>`).
fn run_date(run_id: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(run_id.get(..10)?, "%Y-%m-%d").ok()
}

/// Committed manifests of the runs before `run_id`, in run id order. A run re-published
/// with --force sees only what was committed before its first commit, so later runs
/// cannot change what it publishes.
async fn earlier_manifests(sink: &Location, run_id: &str) -> Result<Vec<Value>> {
    let mut all = committed_manifests(sink).await?;
    if let Some(i) = all.iter().position(|m| m["run_id"] == run_id) {
        all.truncate(i);
    }
    all.sort_by(|a, b| a["run_id"].as_str().cmp(&b["run_id"].as_str()));
    Ok(all)
}

/// Every committed manifest of the sink, oldest first: in commit order (`created_at`, which
/// a re-published run keeps, then run id).
pub async fn committed_manifests(sink: &Location) -> Result<Vec<Value>> {
    let listed: Vec<_> = sink
        .store
        .list(Some(&sink.child("manifests")))
        .try_collect()
        .await
        .map_err(|e| anyhow::anyhow!("cannot list {}/manifests: {e}", sink.url))?;
    let mut out = Vec::new();
    for meta in listed {
        let manifest: Value = serde_json::from_slice(&get(sink, &meta.location).await?)
            .map_err(|e| anyhow::anyhow!("{} is corrupt: {e}", meta.location))?;
        out.push(manifest);
    }
    out.sort_by(|a, b| {
        (a["created_at"].as_str(), a["run_id"].as_str())
            .cmp(&(b["created_at"].as_str(), b["run_id"].as_str()))
    });
    Ok(out)
}

/// Registers `published_before`, the carried tables of runs within `late_feedback_days`
/// of this one, and the views the SQL stages read (see [`register_late_views`]).
/// Returns how many earlier runs' rows were carried.
pub async fn register(
    ctx: &SessionContext,
    sink: Option<&Location>,
    run_id: &str,
    late_feedback_days: i64,
    work: &Path,
) -> Result<usize> {
    let mut carry_schemas = Vec::new();
    for log in [LogKind::Interactions, LogKind::Feedback] {
        carry_schemas.push((log, CarrySchema::of(ctx, log).await?));
    }
    let manifests = match sink {
        Some(sink) => earlier_manifests(sink, run_id).await?,
        None => Vec::new(),
    };
    let outputs = |manifest: &Value, kind: &str| -> Vec<String> {
        manifest["outputs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["kind"] == kind)
            .filter_map(|o| o["path"].as_str().map(str::to_string))
            .collect()
    };

    let mut index = Vec::new();
    for manifest in &manifests {
        for path in outputs(manifest, INDEX_KIND) {
            index.extend(
                read_parquet(
                    sink.expect("manifests come from a sink"),
                    &path,
                    &index_schema(),
                )
                .await?,
            );
        }
    }
    ctx.register_table(
        "published_before",
        Arc::new(MemTable::try_new(index_schema(), vec![index])?),
    )?;

    // Runs whose last partition is within the window of this run's.
    let this = run_date(run_id);
    let recent: Vec<&Value> = manifests
        .iter()
        .filter(|m| {
            let then = m["run_id"].as_str().and_then(run_date);
            matches!((this, then), (Some(a), Some(b)) if (a - b).num_days() <= late_feedback_days)
        })
        .collect();
    // The backlog is cumulative: the newest committed run's holds everything still due.
    let newest: Vec<&Value> = manifests
        .iter()
        .max_by_key(|m| (m["created_at"].as_str(), m["run_id"].as_str()))
        .into_iter()
        .collect();
    for (tables, runs) in [(CARRY, &recent), (BACKLOG, &newest)] {
        for ((kind, table), (log, schema)) in tables.iter().zip(&carry_schemas) {
            // Copied to local files and scanned from there, never held in memory: the
            // carried days of a busy tenant are as large as the day itself.
            let dir = work.join(format!("earlier_{table}"));
            let files = format!("{table}_files");
            let mut copied = 0;
            for manifest in runs {
                for path in outputs(manifest, kind) {
                    let sink = sink.expect("manifests come from a sink");
                    std::fs::create_dir_all(&dir)?;
                    let local = dir.join(format!("{copied:05}.parquet"));
                    copy_parquet(sink, &path, &local, &schema.required).await?;
                    copied += 1;
                }
            }
            if copied == 0 {
                let empty = MemTable::try_new(Arc::clone(&schema.files), vec![vec![]])?;
                ctx.register_table(&files, Arc::new(empty))?;
            } else {
                let dir = format!("{}/", dir.to_string_lossy());
                let options = ParquetReadOptions::default().schema(&schema.files);
                ctx.register_parquet(&files, &dir, options).await?;
            }
            let good = ctx.sql(&schema.good_rows(*log, &files)).await?;
            ctx.register_table(*table, good.into_view())?;
        }
    }
    register_previous_banks(ctx, sink, &manifests).await?;
    register_late_views(ctx).await?;
    Ok(recent.len())
}

/// The two forms of carried and backlog files. A carry is the run's staged file as ingest
/// wrote it: good and quarantined rows (`_error`, `_raw`), without `_pii_drop`. Carries of
/// earlier versions, and every backlog, hold the good rows with `_pii_drop`. Both are read
/// with the union of the two schemas and give the input tables' rows.
struct CarrySchema {
    /// What every such file has: the input table's columns but `_pii_drop`.
    required: SchemaRef,
    /// The staged columns plus `_pii_drop`: what the files are read as.
    files: SchemaRef,
    /// The input table's column names, in order.
    columns: Vec<String>,
}

impl CarrySchema {
    async fn of(ctx: &SessionContext, log: LogKind) -> Result<Self> {
        let input = input_schema(ctx, &format!("{}_input", log.dir())).await?;
        let staged = ctx
            .table(format!("staged_{}", log.dir()))
            .await?
            .schema()
            .as_arrow()
            .clone();
        let drop = input
            .field_with_name("_pii_drop")
            .map_err(datafusion::error::DataFusionError::from)?
            .clone();
        let required: Vec<Field> = input
            .fields()
            .iter()
            .filter(|f| f.name() != drop.name())
            .map(|f| f.as_ref().clone())
            .collect();
        let mut files: Vec<Field> = staged.fields().iter().map(|f| f.as_ref().clone()).collect();
        files.push(drop);
        Ok(CarrySchema {
            required: Arc::new(Schema::new(required)),
            files: Arc::new(Schema::new(files)),
            columns: input.fields().iter().map(|f| f.name().clone()).collect(),
        })
    }

    /// The good rows of `files` as the input table has them; `_pii_drop` is computed as
    /// ingest does where the file does not hold it.
    fn good_rows(&self, log: LogKind, files: &str) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|name| match name.as_str() {
                "_pii_drop" => format!(
                    "COALESCE(_pii_drop, pii_dropped({})) AS _pii_drop",
                    super::ingest::text_columns(log)
                ),
                name => format!("\"{name}\""),
            })
            .collect();
        format!(
            "SELECT {} FROM {files} WHERE _error IS NULL",
            columns.join(", ")
        )
    }
}

fn bank_schema() -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        text("task"),
        text("bank_version"),
        text("example_id"),
        text("input"),
        text("output"),
        Field::new("score", DataType::Float64, true),
        Field::new(
            "source_interaction_ids",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
    ]))
}

/// `previous_banks`: per bank (its directory), the examples of the bank listed by the
/// newest committed manifest that has one (`manifests` is in run order).
async fn register_previous_banks(
    ctx: &SessionContext,
    sink: Option<&Location>,
    manifests: &[Value],
) -> Result<()> {
    let mut newest: std::collections::BTreeMap<String, &str> = Default::default();
    let mut ordered: Vec<&Value> = manifests.iter().collect();
    ordered.sort_by_key(|m| (m["created_at"].as_str(), m["run_id"].as_str()));
    for manifest in ordered {
        for o in manifest["outputs"].as_array().into_iter().flatten() {
            if let (true, Some(path)) = (o["kind"] == "fewshot_bank", o["path"].as_str()) {
                let dir = super::publish::bank_dir(path);
                newest.insert(dir.to_string(), path);
            }
        }
    }
    let mut lines = Vec::new();
    for path in newest.values() {
        let sink = sink.expect("manifests come from a sink");
        let bank: Value = serde_json::from_slice(&get(sink, &sink.child(path)).await?)
            .map_err(|e| anyhow::anyhow!("{}/{path} is corrupt: {e}", sink.url))?;
        for e in bank["examples"].as_array().into_iter().flatten() {
            let mut row = e.clone();
            row["task"] = bank["task"].clone();
            row["bank_version"] = bank.get("prompt_version").cloned().unwrap_or("".into());
            lines.push(serde_json::to_vec(&row).expect("JSON serialises"));
        }
    }
    let decode =
        || -> std::result::Result<Vec<RecordBatch>, datafusion::arrow::error::ArrowError> {
            let mut decoder = arrow_json::ReaderBuilder::new(bank_schema()).build_decoder()?;
            let mut batches = Vec::new();
            for line in &lines {
                decoder.decode(line)?;
                batches.extend(decoder.flush()?);
            }
            Ok(batches)
        };
    let batches = decode()
        .map_err(|e| anyhow::anyhow!("a few-shot bank in the sink is not as expected: {e}"))?;
    let table = MemTable::try_new(bank_schema(), vec![batches])?;
    ctx.register_table("previous_banks", Arc::new(table))?;
    Ok(())
}

/// The tables the SQL stages read: this run's rows plus the carried rows that late
/// feedback of this run refers to and the backlog (`late_interactions`, `late_feedback`;
/// the disposition stages leave them out, as they are not inputs of this run).
async fn register_late_views(ctx: &SessionContext) -> Result<()> {
    // Columns are listed by name on both sides of each UNION.
    let columns = |schema: &SchemaRef| {
        let names: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| format!("\"{}\"", f.name()))
            .collect();
        names.join(", ")
    };
    let interactions = columns(&input_schema(ctx, "interactions_input").await?);
    let feedback = columns(&input_schema(ctx, "feedback_input").await?);
    let views = [
        (
            "late_interactions",
            format!(
                "SELECT {interactions} FROM carried_interactions
                 WHERE interaction_id IN (SELECT interaction_id FROM feedback_input)
                   AND interaction_id NOT IN (SELECT interaction_id FROM interactions_input)
                   AND interaction_id NOT IN (SELECT interaction_id FROM backlog_interactions)
                 UNION ALL
                 SELECT {interactions} FROM backlog_interactions
                 WHERE interaction_id NOT IN (SELECT interaction_id FROM interactions_input)"
            ),
        ),
        (
            // Carried and backlog rows may hold the same event: each row once, and none
            // that is also an input of this run.
            "late_feedback",
            format!(
                "SELECT {feedback} FROM (
                     SELECT {feedback} FROM carried_feedback c
                     WHERE NOT EXISTS (SELECT 1 FROM backlog_feedback b
                                       WHERE b._source = c._source AND b._line = c._line)
                     UNION ALL
                     SELECT {feedback} FROM backlog_feedback
                 ) f
                 WHERE interaction_id IN (SELECT interaction_id FROM late_interactions)
                   AND NOT EXISTS (SELECT 1 FROM feedback_input i
                                   WHERE i._source = f._source AND i._line = f._line)"
            ),
        ),
        (
            "interactions",
            format!(
                "SELECT {interactions} FROM interactions_input
                 UNION ALL SELECT {interactions} FROM late_interactions"
            ),
        ),
        (
            "feedback",
            format!(
                "SELECT {feedback} FROM feedback_input
                 UNION ALL SELECT {feedback} FROM late_feedback"
            ),
        ),
    ];
    for (name, sql) in views {
        let frame = ctx.sql(&sql).await?;
        if name.starts_with("late_") {
            // Materialised (only the rows late feedback refers to): the UNIONs below then
            // read a plain scan, which projection pushdown handles.
            let schema = Arc::new(frame.schema().as_arrow().clone());
            let rows = frame.collect().await?;
            ctx.register_table(name, Arc::new(MemTable::try_new(schema, vec![rows])?))?;
        } else {
            ctx.register_table(name, frame.into_view())?;
        }
    }
    Ok(())
}

async fn input_schema(ctx: &SessionContext, table: &str) -> Result<SchemaRef> {
    Ok(Arc::new(
        ctx.table(table).await?.schema().as_arrow().clone(),
    ))
}

/// Streams the sink's Parquet object `path` to the local file `to` and checks that it holds
/// every column of `schema` (types are cast when read).
async fn copy_parquet(sink: &Location, path: &str, to: &Path, schema: &SchemaRef) -> Result<()> {
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;
    let unreadable =
        |e: &dyn std::fmt::Display| anyhow::anyhow!("cannot read {}/{path}: {e}", sink.url);
    let got = sink
        .store
        .get(&sink.child(path))
        .await
        .map_err(|e| unreadable(&e))?;
    let mut chunks = got.into_stream();
    let mut file = tokio::fs::File::create(to).await?;
    while let Some(chunk) = chunks.next().await {
        file.write_all(&chunk.map_err(|e| unreadable(&e))?).await?;
    }
    file.flush().await?;
    let corrupt = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("{}/{path} is not readable as expected: {e}", sink.url)
    };
    let found = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(to)?)
        .map_err(|e| corrupt(&e))?
        .schema()
        .clone();
    if let Some(missing) = schema
        .fields()
        .iter()
        .find(|f| found.field_with_name(f.name()).is_err())
    {
        return Err(corrupt(&format!("no column {}", missing.name())).into());
    }
    Ok(())
}

/// Batches of a Parquet object under the sink, cast to `schema` (columns by name).
async fn read_parquet(sink: &Location, path: &str, schema: &SchemaRef) -> Result<Vec<RecordBatch>> {
    let bytes = get(sink, &sink.child(path)).await?;
    let corrupt = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("{}/{path} is not readable as expected: {e}", sink.url)
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .and_then(|b| b.build())
        .map_err(|e| corrupt(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| corrupt(&e))?;
        let columns = schema
            .fields()
            .iter()
            .map(|f| {
                let column = batch
                    .column_by_name(f.name())
                    .ok_or_else(|| corrupt(&format!("no column {}", f.name())))?;
                datafusion::arrow::compute::cast(column, f.data_type()).map_err(|e| corrupt(&e))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        out.push(RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| corrupt(&e))?);
    }
    Ok(out)
}

/// The bytes of one object of the sink.
pub async fn get(sink: &Location, path: &object_store::path::Path) -> Result<bytes::Bytes> {
    let got = sink
        .store
        .get(path)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read {}/{path}: {e}", sink.url))?;
    Ok(got.bytes().await?)
}
