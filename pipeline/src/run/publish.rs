//! publish: data files first, then the manifest (the commit point), then the pointers
//! (`latest.json`). Readers that trust only manifests never see a half-written run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::prelude::SessionContext;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use transforms::LogKind;

use super::engine::plan_with;
use super::query;
use crate::store::Location;
use crate::Result;

/// Rows per batch in publish's queries: publish sorts whole tables, the carried
/// interactions with their chats among them, and a sort merging its spill files holds one
/// batch per file outside what it can spill; at the session's 8192 rows of ~2 KB that
/// starved the merge on a 10 GiB day.
const PUBLISH_BATCH_ROWS: &str = "2048";

/// One published object, as listed in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct OutputFile {
    /// Path under the sink.
    pub path: String,
    /// golden_parquet, golden_jsonl, fewshot_bank, quarantine, dispositions, …
    pub kind: String,
    /// The task it belongs to, for per-task outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Rows (or examples) it holds.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

enum Format {
    Parquet,
    Jsonl,
}

/// Writes one run's outputs under the sink.
pub struct Publisher<'a> {
    ctx: &'a SessionContext,
    sink: &'a Location,
    run_id: &'a str,
    /// The run's work directory (staged inputs) and publish's own files under it.
    work: PathBuf,
    local: PathBuf,
    /// Everything written so far, in order.
    pub outputs: Vec<OutputFile>,
}

impl<'a> Publisher<'a> {
    /// A publisher staging files under `work`.
    pub fn new(
        ctx: &'a SessionContext,
        sink: &'a Location,
        run_id: &'a str,
        work: &Path,
    ) -> Result<Self> {
        let local = work.join("publish");
        std::fs::create_dir_all(&local)?;
        Ok(Publisher {
            ctx,
            sink,
            run_id,
            work: work.to_path_buf(),
            local,
            outputs: Vec::new(),
        })
    }

    /// Golden additions, few-shot banks, quarantine and dispositions: every data file.
    pub async fn data_files(&mut self) -> Result<()> {
        let run = self.run_id;
        for task in self.tasks("golden").await? {
            let select = format!(
                "SELECT * FROM golden WHERE task = {} ORDER BY kind, example_id",
                sql_string(&task)
            );
            let dir = format!("golden/{}/run={run}", path_segment(&task));
            self.write(
                &select,
                &format!("{dir}/additions.parquet"),
                Format::Parquet,
                "golden_parquet",
                Some(&task),
            )
            .await?;
            self.write(
                &select,
                &format!("{dir}/additions.jsonl"),
                Format::Jsonl,
                "golden_jsonl",
                Some(&task),
            )
            .await?;
        }
        self.fewshot_banks().await?;
        // Lines that failed to parse, and (interactions) rows the SQL stages quarantined:
        // an interaction_id reused for another conversation (its text stays in the logs).
        for (table, name) in [
            (
                "(SELECT source, line, reason, text FROM quarantined_interactions
                  UNION ALL
                  SELECT source, line, reason, NULL FROM dispositions
                  WHERE disposition = 'quarantined' AND interaction_id IS NOT NULL) q",
                "interactions",
            ),
            ("quarantined_feedback", "feedback"),
        ] {
            let select = format!("SELECT * FROM {table} ORDER BY source, line");
            if self.count(table).await? > 0 {
                self.write(
                    &select,
                    &format!("quarantine/run={run}/{name}.jsonl"),
                    Format::Jsonl,
                    "quarantine",
                    None,
                )
                .await?;
            }
        }
        // This run's redacted rows, for late feedback in the next runs: the staged file as
        // it is (good and quarantined rows, in log order), so the day's text is not encoded
        // a second time.
        for ((kind, _), log) in super::history::CARRY
            .iter()
            .zip([LogKind::Interactions, LogKind::Feedback])
        {
            let dest = format!("carry/run={run}/{}.parquet", log.dir());
            let staged = super::ingest::staged_path(&self.work, log);
            if staged.exists() {
                self.copy(&staged, &dest, kind).await?;
            } else {
                let table = format!("{}_input", log.dir());
                let select = format!("SELECT * FROM {table} ORDER BY _source, _line");
                self.write(&select, &dest, Format::Parquet, kind, None)
                    .await?;
            }
        }
        // Regression cases over the run's cap, with all their feedback, for the next run.
        let deferred = "SELECT interaction_id FROM candidates WHERE golden_status = 'deferred'";
        if self.count(&format!("({deferred}) d")).await? > 0 {
            for ((kind, _), table) in super::history::BACKLOG
                .iter()
                .zip(["interactions", "feedback"])
            {
                self.write(
                    &format!(
                        "SELECT * FROM {table} WHERE interaction_id IN ({deferred})
                         ORDER BY _source, _line"
                    ),
                    &format!("backlog/run={run}/{table}.parquet"),
                    Format::Parquet,
                    kind,
                    None,
                )
                .await?;
            }
        }
        self.write(
            "SELECT * FROM published_index ORDER BY example_id",
            &format!("index/run={run}/published.parquet"),
            Format::Parquet,
            super::history::INDEX_KIND,
            None,
        )
        .await?;
        for (table, kind) in [
            ("dispositions", "dispositions"),
            ("feedback_dispositions", "feedback_dispositions"),
            ("carried_outcomes", "carried_outcomes"),
        ] {
            let select = format!("SELECT * FROM {table} ORDER BY source, line");
            self.write(
                &select,
                &format!("reports/run={run}/{kind}.parquet"),
                Format::Parquet,
                kind,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// The manifest: the commit point of the run. Returns its path and body.
    /// A re-published run keeps its first commit time: the order of commits decides
    /// what later runs see and which bank `latest.json` serves.
    pub async fn manifest(&mut self, body: Value) -> Result<(String, Value)> {
        let path = manifest_path(self.run_id);
        let mut body = body;
        if let Some(first) = read_manifest(self.sink, self.run_id).await? {
            body["republished_at"] = body["created_at"].take();
            body["created_at"] = first["created_at"].clone();
        }
        body["outputs"] = serde_json::to_value(&self.outputs).expect("outputs serialise");
        put(self.sink, &path, pretty(&body)).await?;
        Ok((path, body))
    }

    async fn tasks(&self, table: &str) -> Result<Vec<String>> {
        let rows = query::counts(
            self.ctx,
            &format!("SELECT task AS k1, COUNT(*) AS n FROM {table} GROUP BY task ORDER BY task"),
            1,
        )
        .await?;
        Ok(rows.into_iter().map(|(k, _)| k[0].clone()).collect())
    }

    async fn count(&self, table: &str) -> Result<u64> {
        let rows =
            query::counts(self.ctx, &format!("SELECT COUNT(*) AS n FROM {table}"), 0).await?;
        Ok(rows.first().map_or(0, |(_, n)| *n))
    }

    async fn fewshot_banks(&mut self) -> Result<()> {
        let rows = query::rows(
            self.ctx,
            "SELECT task, prompt_version, example_id, input, output, score,
                    source_interaction_ids
             FROM fewshot ORDER BY task, prompt_version, rank",
        )
        .await?;
        // One bank per task, or per task and prompt version when the stage names one.
        let mut banks: BTreeMap<(String, Option<String>), Vec<Value>> = BTreeMap::new();
        for mut row in rows {
            let mut take = |k: &str| row.remove(k).and_then(|t| t.as_str().map(str::to_string));
            let key = (take("task").unwrap_or_default(), take("prompt_version"));
            banks.entry(key).or_default().push(Value::Object(row));
        }
        // A bank whose examples all left it (late feedback) is published empty, or its
        // latest.json would keep serving them.
        let previous = query::rows(
            self.ctx,
            "SELECT DISTINCT task, NULLIF(bank_version, '') AS prompt_version FROM previous_banks",
        )
        .await?;
        for row in previous {
            let take = |k: &str| row.get(k).and_then(|t| t.as_str().map(str::to_string));
            let key = (take("task").unwrap_or_default(), take("prompt_version"));
            banks.entry(key).or_default();
        }
        // The newest interaction behind the run, not the wall clock: re-publishing the
        // same inputs must give byte-identical banks.
        let watermark = query::counts(
            self.ctx,
            "SELECT CAST(max(ts) AS VARCHAR) AS k1, 1 AS n FROM interactions",
            1,
        )
        .await?;
        let generated_at = watermark
            .first()
            .map(|(k, _)| k[0].clone())
            .unwrap_or_default();
        for ((task, version), examples) in banks {
            let n = examples.len() as u64;
            let mut bank = json!({
                "task": task,
                "version": self.run_id,
                "generated_at": generated_at,
                "examples": examples,
            });
            let mut dir = format!("fewshot/{}", path_segment(&task));
            if let Some(v) = &version {
                bank["prompt_version"] = v.clone().into();
                dir = format!("{dir}/{}", path_segment(v));
            }
            let bytes = pretty(&bank);
            let path = format!("{dir}/bank-{}.json", self.run_id);
            let (len, sha) = put(self.sink, &path, bytes).await?;
            self.outputs.push(OutputFile {
                path,
                kind: "fewshot_bank".into(),
                task: Some(task.clone()),
                rows: n,
                bytes: len,
                sha256: sha,
            });
            super::failpoint::hit(&format!("data:{}", self.outputs.len() - 1));
        }
        Ok(())
    }

    /// Uploads a finished local Parquet file as `dest`, hashing on the way.
    async fn copy(&mut self, local: &Path, dest: &str, kind: &str) -> Result<()> {
        let started = std::time::Instant::now();
        let rows = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(local)?)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", local.display()))?
            .metadata()
            .file_metadata()
            .num_rows() as u64;
        let (bytes, sha256) = upload(&self.sink.store, local, &self.sink.child(dest)).await?;
        self.record(dest, kind, None, rows, (bytes, sha256), started);
        Ok(())
    }

    /// Lists an uploaded output (its size and SHA-256) for the manifest, logs what it cost,
    /// and lets the crash tests stop after it.
    fn record(
        &mut self,
        dest: &str,
        kind: &str,
        task: Option<&str>,
        rows: u64,
        (bytes, sha256): (u64, String),
        started: std::time::Instant,
    ) {
        let seconds = format!("{:.3}", started.elapsed().as_secs_f64());
        tracing::debug!(kind, rows, bytes, seconds, "published");
        self.outputs.push(OutputFile {
            path: dest.to_string(),
            kind: kind.to_string(),
            task: task.map(str::to_string),
            rows,
            bytes,
            sha256,
        });
        super::failpoint::hit(&format!("data:{}", self.outputs.len() - 1));
    }

    /// Streams a query into a local file, then uploads it, hashing on the way.
    async fn write(
        &mut self,
        select: &str,
        dest: &str,
        format: Format,
        kind: &str,
        task: Option<&str>,
    ) -> Result<()> {
        let started = std::time::Instant::now();
        let local = self.local.join(dest.replace('/', "__"));
        let local_str = local.to_string_lossy().into_owned();
        let batch = [(
            "datafusion.execution.batch_size".to_string(),
            PUBLISH_BATCH_ROWS.to_string(),
        )];
        let df = plan_with(self.ctx, select, &batch).await?;
        let options = DataFrameWriteOptions::new().with_single_file_output(true);
        let result = match format {
            Format::Parquet => df.write_parquet(&local_str, options, None).await?,
            Format::Jsonl => df.write_json(&local_str, options, None).await?,
        };
        let rows = written_rows(&result);
        if !local.exists() {
            std::fs::write(&local, b"")?; // an empty result still gets its (empty) file
        }
        let uploaded = upload(&self.sink.store, &local, &self.sink.child(dest)).await?;
        self.record(dest, kind, task, rows, uploaded, started);
        Ok(())
    }
}

async fn put(sink: &Location, dest: &str, bytes: Vec<u8>) -> Result<(u64, String)> {
    let sha = hex::encode(Sha256::digest(&bytes));
    let len = bytes.len() as u64;
    sink.store
        .put(&sink.child(dest), PutPayload::from(bytes))
        .await
        .map_err(|e| anyhow::anyhow!("cannot write {}/{dest}: {e}", sink.url))?;
    Ok((len, sha))
}

fn manifest_path(run_id: &str) -> String {
    format!("manifests/run={run_id}.json")
}

/// Whether `path` exists under the sink.
pub async fn exists(sink: &Location, path: &str) -> Result<bool> {
    match sink.store.head(&sink.child(path)).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("cannot read {}/{path}: {e}", sink.url).into()),
    }
}

/// The manifest of `run_id`, if that run committed.
pub async fn read_manifest(sink: &Location, run_id: &str) -> Result<Option<Value>> {
    let path = manifest_path(run_id);
    match sink.store.get(&sink.child(&path)).await {
        Ok(got) => {
            let bytes = got.bytes().await?;
            let v = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{}/{path} is corrupt: {e}", sink.url))?;
            Ok(Some(v))
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("cannot read {}/{path}: {e}", sink.url).into()),
    }
}

/// `latest.json` beside every bank a committed manifest lists: a copy of the
/// bank, so prompt services need one GET. Runs after the manifest, and again when a run
/// that died after its commit point is resumed. A bank directory that a later-committed
/// run also published keeps pointing at that run's bank (re-publishing an old run must
/// not roll prompt services back).
pub async fn pointers(sink: &Location, manifest: &Value) -> Result<()> {
    let committed = super::history::committed_manifests(sink).await?;
    let later: std::collections::HashSet<String> = committed
        .iter()
        .skip_while(|m| m["run_id"] != manifest["run_id"])
        .skip(1)
        .flat_map(|m| banks(m).filter_map(|b| Some(bank_dir(b["path"].as_str()?).to_string())))
        .collect();
    for (n, bank) in banks(manifest).enumerate() {
        // beside the bank: fewshot/<task>[/<prompt_version>]/latest.json
        let Some(path) = bank["path"].as_str() else {
            continue;
        };
        let dir = bank_dir(path);
        if later.contains(dir) {
            continue;
        }
        let bytes = sink.store.get(&sink.child(path)).await?.bytes().await?;
        put(sink, &format!("{dir}/latest.json"), bytes.to_vec()).await?;
        super::failpoint::hit(&format!("pointer:{n}"));
    }
    Ok(())
}

fn banks(manifest: &Value) -> impl Iterator<Item = &Value> {
    manifest["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["kind"] == "fewshot_bank")
}

/// `fewshot/<task>[/<prompt_version>]` of a bank's path.
pub fn bank_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(d, _)| d)
}

fn written_rows(result: &[datafusion::arrow::record_batch::RecordBatch]) -> u64 {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::UInt64Type;
    result
        .iter()
        .filter(|b| b.num_columns() > 0)
        .filter_map(|b| {
            b.column(0)
                .as_primitive_opt::<UInt64Type>()
                .map(|a| (0..a.len()).map(|i| a.value(i)).sum::<u64>())
        })
        .sum()
}

/// Copies a local file to the store in parts, returning (bytes, sha256 hex).
async fn upload(
    store: &Arc<dyn ObjectStore>,
    local: &Path,
    dest: &ObjectPath,
) -> Result<(u64, String)> {
    let mut file = tokio::fs::File::open(local).await?;
    let mut writer = object_store::buffered::BufWriter::new(Arc::clone(store), dest.clone());
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        writer
            .write_all(&buf[..n])
            .await
            .map_err(|e| anyhow::anyhow!("cannot write {dest}: {e}"))?;
        total += n as u64;
    }
    writer
        .shutdown()
        .await
        .map_err(|e| anyhow::anyhow!("cannot write {dest}: {e}"))?;
    Ok((total, hex::encode(hasher.finalize())))
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).expect("JSON serialises");
    bytes.push(b'\n');
    bytes
}

/// A SQL string literal.
pub fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A task name made safe as one path segment.
pub fn path_segment(task: &str) -> String {
    let clean: String = task
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "unknown".into()
    } else {
        clean
    }
}
