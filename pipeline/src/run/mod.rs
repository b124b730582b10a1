//! One run, stage by stage, in the order data flows:
//! discover → ingest + redact → SQL stages (signals, score, dedup, select,
//! dispositions) → publish (data, manifest, pointers) → report.

pub mod discover;
pub mod engine;
mod failpoint;
pub mod gates;
pub mod history;
pub mod ingest;
pub mod lock;
pub mod plan;
pub mod public;
pub mod publish;
pub mod query;
pub mod report;
pub mod report_html;
pub mod stages;
pub mod state;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{SecondsFormat, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use self::discover::{DateRange, Inputs};
use self::engine::Engine;
use self::lock::Lock;
use self::publish::Publisher;
use self::report::{Report, StageTiming};
use self::state::State;
use crate::cli::{LocationArgs, RunArgs};
use crate::cluster::EngineSpec;
use crate::config::Config;
use crate::progress::Progress;
use crate::store::{self, Location};
use crate::{Error, Result};
use transforms::ClockLimit;

/// Runs the job and returns the summary to print.
pub async fn run(config: &Config, args: &RunArgs) -> Result<String> {
    // Everything that can fail on config is checked before the sink is touched.
    let scanner = Arc::new(engine::scanner(config)?);
    let Setup {
        range,
        stages,
        config_hash,
        source,
        sink,
        engine,
    } = Setup::of(config, args)?;
    let mut timings = Timings::start(Progress::new(args.progress, 4 + stages.len() as u64));

    // The lock covers reading and writing state: two runs must not pick the same inputs.
    let lock = if args.dry_run {
        None
    } else {
        let ttl = chrono::Duration::minutes(config.engine.lock_ttl_minutes as i64);
        Some(Lock::acquire(&sink, ttl).await?)
    };
    failpoint::hit("locked");
    let result = async {
        let mut state = State::load(&sink).await?;
        let discovered = discover::discover(&source, &range).await?;
        // A date range is a backfill and --force a full re-run: both ignore the state.
        let inputs = if range.is_explicit() || args.force {
            discovered
        } else {
            state.only_new(discovered)
        };
        timings.lap("discover");
        if inputs.is_empty() {
            return Ok(format!(
                "nothing new: no unprocessed log objects under {} for the requested dates",
                source.url
            ));
        }
        let run_id = run_id(&inputs, &config_hash);
        tracing::info!(
            run_id,
            objects = inputs.interactions.len() + inputs.feedback.len(),
            bytes = inputs.bytes(),
            "run starting"
        );
        if !args.force && !args.dry_run {
            // Committed and reported before: finish what a crash may have left undone.
            // (Committed but not reported: the run is redone below, byte-identically.)
            let reported = publish::exists(&sink, &report_path(&run_id, "json")).await?;
            if let Some(manifest) = publish::read_manifest(&sink, &run_id).await?.filter(|_| reported) {
                publish::pointers(&sink, &manifest).await?;
                state.record(&sink, &inputs, &run_id).await?;
                return Ok(format!(
                    "nothing new: run {run_id} already published these inputs ({}/manifests/run={run_id}.json)",
                    sink.url
                ));
            }
        }
        let summary = run_stages(config, args, &engine, &source, &sink, &inputs, &run_id, &stages, &config_hash, scanner, timings).await?;
        if !args.dry_run {
            failpoint::hit("before_state");
            state.record(&sink, &inputs, &run_id).await?;
            failpoint::hit("after_state");
        }
        Ok(summary)
    }
    .await;
    if let Some(lock) = lock {
        match (&result, lock.release().await) {
            (Ok(_), Err(e)) => return Err(e),
            (Err(_), Err(e)) => tracing::warn!("{}", e.one_line()),
            _ => {}
        }
    }
    result
}

/// What a run (or its plan) is about: dates, SQL stages and their hash, source and sink,
/// all checked before anything is read.
struct Setup {
    range: DateRange,
    stages: Vec<stages::Stage>,
    config_hash: String,
    source: Location,
    sink: Location,
    engine: EngineSpec,
}

impl Setup {
    fn of(config: &Config, args: &RunArgs) -> Result<Setup> {
        let range = DateRange::new(
            args.date.as_deref(),
            args.from.as_deref(),
            args.to.as_deref(),
        )?;
        let stages = stages::load(&config.sql)?;
        let config_hash = config_hash(config, &stages);
        let source = store::open_source(
            args.source.as_deref().unwrap_or(&config.source),
            &config.store,
        )?;
        let sink = store::open_sink(args.sink.as_deref().unwrap_or(&config.sink), &config.store)?;
        Ok(Setup {
            range,
            stages,
            config_hash,
            source,
            sink,
            engine: args.engine.parse()?,
        })
    }
}

/// Deterministic from what the run reads and how it is configured, so re-running the same
/// inputs republishes byte-identical files under the same paths instead of new copies.
fn run_id(inputs: &Inputs, config_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(config_hash.as_bytes());
    for kind in [
        transforms::LogKind::Interactions,
        transforms::LogKind::Feedback,
    ] {
        for f in inputs.files(kind) {
            h.update(format!(
                "{}\n{}\n{}\n{:?}\n",
                kind.dir(),
                f.location,
                f.size,
                f.e_tag
            ));
        }
    }
    let last_dt = partitions(inputs).pop().unwrap_or_default();
    format!("{last_dt}-{}", &hex::encode(h.finalize())[..12])
}

/// Everything between discovery and the commit: ingest, SQL, gates, publish, report.
#[allow(clippy::too_many_arguments)]
async fn run_stages(
    config: &Config,
    args: &RunArgs,
    engine_spec: &EngineSpec,
    source: &Location,
    sink: &Location,
    inputs: &Inputs,
    run_id: &str,
    stages: &[stages::Stage],
    config_hash: &str,
    scanner: Arc<pii::Scanner>,
    mut timings: Timings,
) -> Result<String> {
    let started = Utc::now();
    let work = WorkDir::create(&config.engine.work_dir, run_id)?;
    let mut engine = Engine::new(config, Arc::clone(&scanner), &work.path)?;
    // Connecting (and the canary) before ingest: a broken cluster fails in seconds.
    engine.attach(engine_spec).await?;
    let ingest_stats = ingest::stage(
        &engine,
        source,
        inputs,
        config.engine.batch_rows,
        &ClockLimit::after(
            started.timestamp_micros(),
            config.ingest.max_clock_skew_hours,
        ),
        &work.path,
        &config.pii,
    )
    .await?;
    timings.lap("ingest+redact");
    history::register(
        &engine.ctx,
        Some(sink),
        run_id,
        late_feedback_days(config),
        &work.path,
    )
    .await?;
    let earlier = public::decided_earlier(&engine.ctx, &scanner).await?;
    if !earlier.is_empty() {
        let policy = (*engine.pii.policy()).clone().public_values(earlier);
        engine.pii.set_policy(policy);
    }

    let mut params = config.params.clone();
    params.insert("run_id".into(), toml::Value::String(run_id.to_string()));
    let profile = args.profile.as_deref();
    for (table, seconds) in stages::run(&engine, stages, &params, &work.path, profile).await? {
        timings.push(&format!("sql:{table}"), seconds);
    }

    let accounting = report::accounting(&engine.ctx, inputs, &ingest_stats).await?;
    for (name, acc) in &accounting {
        if !acc.balanced {
            return Err(anyhow::anyhow!(
                "{name} accounting does not balance: {} read, {} dispositions; check the SQL stages",
                acc.input,
                acc.dispositions.values().sum::<u64>()
            )
            .into());
        }
    }
    let mut report = Report {
        run_id: run_id.to_string(),
        status: if args.dry_run { "dry_run" } else { "published" }.into(),
        started_at: started.to_rfc3339_opts(SecondsFormat::Secs, true),
        source: source.url.clone(),
        sink: sink.url.clone(),
        config_hash: config_hash.to_string(),
        inputs: [
            (
                "interaction_objects".to_string(),
                inputs.interactions.len() as u64,
            ),
            ("feedback_objects".to_string(), inputs.feedback.len() as u64),
            ("bytes".to_string(), inputs.bytes()),
        ]
        .into(),
        partitions: partitions(inputs),
        ignored_objects: inputs.ignored.clone(),
        accounting,
        ..Default::default()
    };
    report::selection_counts(&engine.ctx, &mut report).await?;
    let by_name = |counts: std::collections::BTreeMap<&'static str, u64>| {
        counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    };
    report.pii_findings = by_name(engine.pii.by_type());
    report.pii_kept_public = by_name(engine.pii.kept_public());
    let (scanned, redacted) = engine.pii.values();
    report.pii_values = [
        ("scanned".to_string(), scanned),
        ("with_findings".to_string(), redacted),
    ]
    .into();

    let quarantine = gates::quarantine(&report.accounting, &ingest_stats.snapshot(), &config.gates);
    report.gates.insert("quarantine".into(), quarantine.clone());
    let leak = gates::leak(&engine.ctx, &config.gates.leak_allow).await?;
    report.gates.insert("leak".into(), leak.clone());
    timings.lap("gates");
    if let Some(failed) = [&quarantine, &leak].into_iter().find(|v| !v.passed) {
        report.status = "refused".into();
        report.stages = timings.stages;
        report.finished_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        if !args.dry_run {
            write_report(sink, &report).await?;
        }
        return Err(Error::Gate(failed.failure()));
    }

    if !args.dry_run {
        let mut publisher = Publisher::new(&engine.ctx, sink, run_id, &work.path)?;
        publisher.data_files().await?;
        failpoint::hit("before_manifest");
        let body = manifest_body(&report, inputs, &ingest_stats);
        let (manifest_path, manifest) = publisher.manifest(body).await?;
        failpoint::hit("after_manifest");
        publish::pointers(sink, &manifest).await?;
        timings.lap("publish");
        tracing::info!(run_id, manifest = manifest_path, "published");
        report.manifest = Some(manifest_path);
        report.outputs = publisher.outputs;
    }
    report.stages = timings.stages;
    report.finished_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    if !args.dry_run {
        write_report(sink, &report).await?;
        failpoint::hit("after_report");
    }
    Ok(report.summary())
}

/// Checks everything a run would need before it touches data: the PII policy and
/// dictionaries, every SQL stage planned against the input schemas, the source readable,
/// the sink writable. Returns one line per problem (empty: valid).
pub async fn validate(config: &Config, args: &LocationArgs) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let scanner = engine::scanner(config).unwrap_or_else(|e| {
        problems.push(format!("pii: {}", e.one_line()));
        pii::Scanner::new()
    });
    if let Err(e) = validate_sql(config, Arc::new(scanner)).await {
        problems.push(format!("sql: {}", e.one_line()));
    }
    let source_url = args.source.as_deref().unwrap_or(&config.source);
    match store::open_source(source_url, &config.store) {
        Ok(source) => {
            use futures::StreamExt;
            let first = source.store.list(Some(&source.prefix)).next().await;
            if let Some(Err(e)) = first {
                problems.push(format!("source {source_url}: cannot list: {e}"));
            }
        }
        Err(e) => problems.push(format!("source: {}", e.one_line())),
    }
    let sink_url = args.sink.as_deref().unwrap_or(&config.sink);
    match store::open_sink(sink_url, &config.store) {
        Ok(sink) => {
            if let Err(e) = probe_write(&sink).await {
                problems.push(format!("sink {sink_url}: not writable: {e}"));
            }
        }
        Err(e) => problems.push(format!("sink: {}", e.one_line())),
    }
    Ok(problems)
}

/// Plans every SQL stage against empty inputs of the real schemas.
async fn validate_sql(config: &Config, scanner: Arc<pii::Scanner>) -> Result<()> {
    let stages = stages::load(&config.sql)?;
    let work = WorkDir::create(&config.engine.work_dir, "validate")?;
    let engine = Engine::new(config, scanner, &work.path)?;
    let empty = Location {
        store: std::sync::Arc::new(object_store::memory::InMemory::new()),
        prefix: Default::default(),
        url: "memory://".into(),
    };
    ingest::stage(
        &engine,
        &empty,
        &Inputs::default(),
        1,
        &ClockLimit::none(),
        &work.path,
        &config.pii,
    )
    .await?;
    history::register(&engine.ctx, None, "validate", 0, &work.path).await?;
    let mut params = config.params.clone();
    params.insert("run_id".into(), toml::Value::String("validate".into()));
    stages::validate(&engine.ctx, &stages, &params).await
}

/// Writes and deletes a small object: the sink takes writes (permissions, bucket, creds).
async fn probe_write(sink: &Location) -> std::result::Result<(), object_store::Error> {
    use object_store::ObjectStoreExt;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let probe = sink.child(&format!("_validate/probe-{}-{nanos}", std::process::id()));
    sink.store
        .put(&probe, b"flywheel validate".to_vec().into())
        .await?;
    sink.store.delete(&probe).await
}

fn partitions(inputs: &Inputs) -> Vec<String> {
    let mut dts: Vec<String> = inputs
        .interactions
        .iter()
        .chain(&inputs.feedback)
        .map(|f| f.dt.clone())
        .collect();
    dts.sort();
    dts.dedup();
    dts
}

/// How many days after its interaction a feedback event still counts (`[params]`, also
/// read by the SQL stages).
fn late_feedback_days(config: &Config) -> i64 {
    match config.params.get("late_feedback_days") {
        Some(toml::Value::Integer(n)) => *n,
        Some(toml::Value::Float(x)) => x.ceil() as i64,
        _ => 0,
    }
}

fn manifest_body(
    report: &Report,
    inputs: &Inputs,
    stats: &transforms::IngestStats,
) -> serde_json::Value {
    let counts = stats.snapshot();
    let files: Vec<_> = [
        transforms::LogKind::Interactions,
        transforms::LogKind::Feedback,
    ]
    .into_iter()
    .flat_map(|kind| inputs.files(kind).iter().map(move |f| (kind, f)))
    .map(|(kind, f)| {
        let c = counts.get(f.location.as_ref()).cloned().unwrap_or_default();
        json!({
            "kind": kind, "path": f.location.as_ref(), "dt": f.dt, "size": f.size,
            "e_tag": f.e_tag, "rows": c.rows, "quarantined": c.quarantined,
        })
    })
    .collect();
    json!({
        "run_id": report.run_id,
        "created_at": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "flywheel_version": env!("CARGO_PKG_VERSION"),
        "source": report.source,
        "config_hash": report.config_hash,
        "inputs": files,
        "counts": report.accounting,
    })
}

async fn write_report(sink: &Location, report: &Report) -> Result<()> {
    use object_store::ObjectStoreExt;
    let json = serde_json::to_vec_pretty(report).expect("report serialises");
    // Markdown and HTML first: the JSON's presence marks the report complete.
    for (name, bytes) in [
        (
            report_path(&report.run_id, "md"),
            report.markdown().into_bytes(),
        ),
        (
            report_path(&report.run_id, "html"),
            report_html::render(report).into_bytes(),
        ),
        (report_path(&report.run_id, "json"), json),
    ] {
        sink.store
            .put(&sink.child(&name), bytes.into())
            .await
            .map_err(|e| anyhow::anyhow!("cannot write {}/{name}: {e}", sink.url))?;
    }
    Ok(())
}

fn report_path(run_id: &str, ext: &str) -> String {
    format!("reports/run={run_id}.{ext}")
}

/// Hash of everything that decides a run's output besides its inputs.
fn config_hash(config: &Config, stages: &[stages::Stage]) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&config.params).expect("params serialise"));
    h.update(serde_json::to_vec(&config.pii).expect("pii config serialises"));
    for s in stages {
        h.update(s.file.as_bytes());
        h.update(s.sql.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Wall time per stage: `lap` closes the stage that began at the previous mark. Each
/// closed stage also advances the progress bar.
struct Timings {
    stages: Vec<StageTiming>,
    mark: Instant,
    progress: Progress,
}

impl Timings {
    fn start(progress: Progress) -> Timings {
        Timings {
            stages: Vec::new(),
            mark: Instant::now(),
            progress,
        }
    }

    fn lap(&mut self, stage: &str) {
        let seconds = self.mark.elapsed().as_secs_f64();
        self.push(stage, seconds);
    }

    fn push(&mut self, stage: &str, seconds: f64) {
        self.stages.push(StageTiming {
            stage: stage.into(),
            seconds,
        });
        self.progress.step(stage);
        tracing::info!(stage, seconds = format!("{seconds:.3}"), "stage done");
        self.mark = Instant::now();
    }
}

/// Scratch space for one run: holds only redacted data; removed when the run ends.
struct WorkDir {
    path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

/// Names the process that owns a work directory, so a later run can remove what a killed
/// one left (its scratch may hold unredacted text).
const OWNER_FILE: &str = "flywheel-owner.pid";

impl WorkDir {
    fn create(configured: &str, run_id: &str) -> Result<WorkDir> {
        let (parent, prefix) = if configured.is_empty() {
            (std::env::temp_dir(), "flywheel-")
        } else {
            (PathBuf::from(configured), "run-")
        };
        remove_orphans(&parent, prefix);
        let work = if configured.is_empty() {
            let temp = tempfile::Builder::new().prefix(prefix).tempdir()?;
            WorkDir {
                path: temp.path().to_path_buf(),
                _temp: Some(temp),
            }
        } else {
            let path = parent.join(format!("run-{run_id}"));
            std::fs::create_dir_all(&path).map_err(|e| {
                Error::config(format!("cannot create work_dir {}: {e}", path.display()))
            })?;
            WorkDir { path, _temp: None }
        };
        std::fs::write(work.path.join(OWNER_FILE), std::process::id().to_string())?;
        Ok(work)
    }
}

/// Removes work directories under `parent` whose owning process is gone (a run killed
/// mid-way): their scratch may hold unredacted text. Best effort; directories without an
/// owner file are not ours and are left alone.
fn remove_orphans(parent: &std::path::Path, prefix: &str) {
    // Liveness is read from /proc; elsewhere nothing is removed.
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(prefix) {
            continue;
        }
        let owner = std::fs::read_to_string(entry.path().join(OWNER_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        if owner.is_some_and(|pid| !lock::process_alive(pid)) {
            tracing::info!(dir = %entry.path().display(), "removing the work directory of a run that did not finish");
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self._temp.is_none() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
