//! ingest + redact: stream every log object through the line parser and the PII scanner
//! once into local scratch, count over the whole day which names are public knowledge
//! (distinct users and tenants per name mentioned without personal context), then redact
//! with that decision, from the stored findings, into the staged Parquet tables. Unredacted text exists only inside this stage: its
//! scratch files are deleted and its tables dropped from the session before any SQL stage
//! runs, so nothing downstream can read it.

use std::path::Path;
use std::sync::Arc;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use transforms::{log_table, ClockLimit, IngestStats, LogKind};

use super::discover::Inputs;
use super::engine::{scratch_parquet, Engine};
use crate::config::PiiConfig;
use crate::store::Location;
use crate::Result;

/// Columns of each kind as they leave the redact stage. Free text is redacted: message
/// contents (from the findings stored when they were parsed), comments, edited answers,
/// unknown metadata, and the text of rejected lines. Identifiers are kept for joins; `user_id` is replaced by a hash.
fn redact_sql(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Interactions => {
            "SELECT _source, _line, _error, pii_redact(_raw) AS _raw,
                    interaction_id, session_id, tenant_id,
                    encode(sha256(user_id), 'hex') AS user_hash,
                    ts, task, model, prompt_version,
                    pii_redact_messages(messages, get_field(_pii, 'mentions')) AS messages,
                    latency_ms, input_tokens, output_tokens,
                    pii_redact(metadata) AS metadata
             FROM unredacted_interactions
             ORDER BY _source, _line"
        }
        LogKind::Feedback => {
            "SELECT _source, _line, _error, pii_redact(_raw) AS _raw,
                    event_id, interaction_id, session_id, ts, type, value,
                    pii_redact(comment) AS comment,
                    pii_redact(edited_output) AS edited_output,
                    pii_redact(metadata) AS metadata
             FROM unredacted_feedback
             ORDER BY _source, _line"
        }
    }
}

fn raw_name(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Interactions => "raw_interactions",
        LogKind::Feedback => "raw_feedback",
    }
}

fn unredacted_name(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Interactions => "unredacted_interactions",
        LogKind::Feedback => "unredacted_feedback",
    }
}

/// The parsed rows as they go to scratch. Interactions are scanned here, once: `_pii` holds
/// the names and places each record mentions without personal context (for the day's
/// count) and every finding of its messages (redaction reads them instead of scanning
/// again).
fn parse_sql(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Interactions => {
            "SELECT *, pii_detect_messages(messages) AS _pii FROM raw_interactions
             ORDER BY _source, _line"
        }
        LogKind::Feedback => "SELECT * FROM raw_feedback ORDER BY _source, _line",
    }
}

/// Ingests and redacts both logs, registering `interactions_input`, `feedback_input`
/// (this run's good rows; [`super::history`] adds late rows to make `interactions` and
/// `feedback`) and `quarantined_interactions`, `quarantined_feedback` (source, line,
/// reason, redacted text). The day's public names are counted between parsing and
/// redaction and become the run's policy ([`transforms::PiiStats::set_policy`]).
pub async fn stage(
    engine: &Engine,
    source: &Location,
    inputs: &Inputs,
    batch_rows: usize,
    clock: &ClockLimit,
    work: &Path,
    pii: &PiiConfig,
) -> Result<Arc<IngestStats>> {
    let stats = Arc::new(IngestStats::default());
    let ctx = &engine.ctx;
    let mut scratch = Vec::new();
    for kind in [LogKind::Interactions, LogKind::Feedback] {
        let files = inputs.files(kind).to_vec();
        let raw = log_table(
            Arc::clone(&source.store),
            kind,
            files.clone(),
            Arc::clone(&stats),
            batch_rows,
            ctx.copied_config().target_partitions(),
            clock.clone(),
        )?;
        ctx.register_table(raw_name(kind), Arc::new(raw))?;
        let parsed = ctx.sql(parse_sql(kind)).await?;
        if files.is_empty() {
            ctx.register_table(unredacted_name(kind), parsed.into_view())?;
        } else {
            let path = work.join(format!("unredacted_{}.parquet", kind.dir()));
            parsed
                .write_parquet(
                    &path.to_string_lossy(),
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    Some(scratch_parquet()),
                )
                .await?;
            ctx.register_parquet(
                unredacted_name(kind),
                &*path.to_string_lossy(),
                in_provenance_order(),
            )
            .await?;
            ctx.deregister_table(raw_name(kind))?;
            scratch.push(path);
        }
    }
    let values = super::public::of_the_day(ctx, pii).await?;
    tracing::info!(public_values = values.len(), "public names counted");
    engine.pii.set_policy(pii.policy().public_values(values));

    for kind in [LogKind::Interactions, LogKind::Feedback] {
        let staged = staged_table(kind);
        let redacted = ctx.sql(redact_sql(kind)).await?;
        if inputs.files(kind).is_empty() {
            // No objects: an empty table of the redacted schema keeps the SQL uniform.
            let schema = Arc::new(redacted.schema().as_arrow().clone());
            ctx.register_table(&staged, Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
            ctx.deregister_table(raw_name(kind))?;
        } else {
            let path = staged_path(work, kind);
            let path = path.to_string_lossy();
            redacted
                .write_parquet(
                    &path,
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    Some(staged_parquet()),
                )
                .await?;
            ctx.register_parquet(&staged, &*path, in_provenance_order())
                .await?;
        }
        ctx.deregister_table(unredacted_name(kind))?;
        register_views(ctx, kind, &staged).await?;
    }
    for path in scratch {
        std::fs::remove_file(&path)
            .map_err(|e| anyhow::anyhow!("cannot remove scratch file {}: {e}", path.display()))?;
    }
    Ok(stats)
}

/// The staged file is also the carry publish uploads, so it is compressed as published
/// files are (zstd): a third of LZ4's size, and on the 1 GiB day no slower, since its reads
/// and writes are not what bounds a stage.
fn staged_parquet() -> datafusion::config::TableParquetOptions {
    let mut options = scratch_parquet();
    options.global.compression = Some("zstd(3)".to_string());
    options
}

fn staged_table(kind: LogKind) -> String {
    format!("staged_{}", kind.dir())
}

/// The staged (redacted) rows of one log, good and quarantined, in log order: what the
/// SQL stages read, and what publish uploads as the run's carry, as it is. Absent when
/// the run had no objects of that log.
pub fn staged_path(work: &Path, kind: LogKind) -> std::path::PathBuf {
    work.join(format!("{}.parquet", staged_table(kind)))
}

/// Scratch files are written in `_source, _line` order (the log table streams each
/// partition in that order, so writing merges rather than sorts) and declare it (DataFusion
/// also records it in the file's sorting columns), so the next pass and publish's carried
/// rows need no sort of the day's text either.
fn in_provenance_order() -> ParquetReadOptions<'static> {
    ParquetReadOptions::default().file_sort_order(vec![transforms::ingest::provenance_order()])
}

/// Free-text columns of each kind, after redaction: `_pii_drop` names the entity types
/// found in them whose strategy is `drop` (the SQL stages filter those records).
pub fn text_columns(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Interactions => "messages, metadata",
        LogKind::Feedback => "comment, edited_output, metadata",
    }
}

async fn register_views(ctx: &SessionContext, kind: LogKind, staged: &str) -> Result<()> {
    let good = ctx
        .sql(&format!(
            "SELECT * EXCLUDE (_error, _raw), pii_dropped({}) AS _pii_drop
             FROM {staged} WHERE _error IS NULL",
            text_columns(kind)
        ))
        .await?;
    ctx.register_table(format!("{}_input", kind.dir()), good.into_view())?;
    let bad = ctx
        .sql(&format!(
            "SELECT _source AS source, _line AS line, _error AS reason, _raw AS text
             FROM {staged} WHERE _error IS NOT NULL"
        ))
        .await?;
    ctx.register_table(format!("quarantined_{}", kind.dir()), bad.into_view())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use object_store::memory::InMemory;
    use object_store::{ObjectStore, ObjectStoreExt};
    use transforms::ingest::Format;
    use transforms::SourceFile;

    /// The staged rows keep the logs' order and declare it: publishing the carried rows
    /// in `_source, _line` order (and re-ordering anything by provenance) sorts nothing.
    #[tokio::test]
    async fn staged_rows_are_in_provenance_order_and_need_no_sort() {
        let mut config = Config::load(None).unwrap();
        config.engine.target_partitions = 2;
        let work = tempfile::tempdir().unwrap();
        let scanner = Arc::new(super::super::engine::scanner(&config).unwrap());
        let engine = Engine::new(&config, scanner, work.path()).unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let mut inputs = Inputs::default();
        for name in ["c", "a", "d", "b"] {
            let path =
                object_store::path::Path::from(format!("interactions/dt=2026-11-01/{name}.jsonl"));
            let body: String = (0..40)
                .map(|i| {
                    format!(
                        r#"{{"interaction_id":"{name}{i}","ts":"2026-11-01T10:00:00Z","messages":[{{"role":"user","content":"Mail me at jo{i}@example.com"}},{{"role":"assistant","content":"ok"}}]}}"#
                    ) + "\n"
                })
                .collect();
            let size = body.len() as u64;
            store.put(&path, body.into()).await.unwrap();
            inputs.interactions.push(SourceFile {
                location: path,
                dt: "2026-11-01".into(),
                size,
                e_tag: None,
                format: Format::Jsonl,
            });
        }
        let source = Location {
            store,
            prefix: Default::default(),
            url: "memory://".into(),
        };
        stage(
            &engine,
            &source,
            &inputs,
            8,
            &ClockLimit::none(),
            work.path(),
            &config.pii,
        )
        .await
        .unwrap();
        let df = engine
            .ctx
            .sql("SELECT _source, _line, messages FROM interactions_input ORDER BY _source, _line")
            .await
            .unwrap();
        let plan = df.clone().create_physical_plan().await.unwrap();
        let text = datafusion::physical_plan::displayable(plan.as_ref())
            .indent(false)
            .to_string();
        assert!(!text.contains("SortExec"), "{text}");
        let rows = engine
            .ctx
            .sql("SELECT _source, _line, get_field(array_element(messages, 1), 'content') AS m FROM interactions_input")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut got = Vec::new();
        for b in &rows {
            use datafusion::arrow::array::AsArray;
            use datafusion::arrow::datatypes::UInt64Type;
            let (s, l, m) = (
                b.column(0).as_string::<i32>(),
                b.column(1).as_primitive::<UInt64Type>(),
                b.column(2).as_string::<i32>(),
            );
            for i in 0..b.num_rows() {
                assert!(!m.value(i).contains("@example.com"), "redacted");
                got.push((s.value(i).to_string(), l.value(i)));
            }
        }
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got.len(), 160);
        assert_eq!(got, sorted, "the staged file itself is in provenance order");
    }
}
