//! The DataFusion session every stage runs in: a bounded memory pool that spills to the
//! work directory, and Flywheel's UDFs around one compiled PII scanner.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use datafusion::config::TableParquetOptions;
use datafusion::dataframe::DataFrame;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use transforms::PiiStats;

use crate::cluster::{self, EngineSpec};
use crate::config::Config;
use crate::{Error, Result};

/// Parquet settings for the run's scratch tables (staged inputs, stage results, copies
/// shared with a cluster): LZ4, which encodes several times faster than the default
/// zstd, and no dictionaries (the writer hashes every value to build one, and chat text
/// and ids are nearly all distinct: the 1 GiB day ran ~1.3 s faster without); they live
/// only as long as the run. Published files keep the defaults.
pub fn scratch_parquet() -> TableParquetOptions {
    let mut options = TableParquetOptions::default();
    options.global.compression = Some("lz4_raw".to_string());
    options.global.max_row_group_size = ROW_GROUP_ROWS;
    options.global.dictionary_enabled = Some(false);
    options
}

/// Rows per Parquet row group, for every file a run writes. Both ends of a row group live
/// outside the memory pool: a writer holds one until it is full, and a reader fetches a
/// whole row group's column chunks before decoding. DataFusion's default of 1 Mi rows is
/// ~2.5 GB of chat rows; 64 Ki rows keep each to a few hundred MB.
pub const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Plans `sql` in a copy of `ctx`'s state with `options` (DataFusion keys) set: the
/// DataFrame keeps that state, so it executes with them, and the session is left as is.
pub async fn plan_with(
    ctx: &SessionContext,
    sql: &str,
    options: &[(String, String)],
) -> datafusion::error::Result<DataFrame> {
    let mut state = ctx.state();
    for (key, value) in options {
        state.config_mut().options_mut().set(key, value)?;
    }
    let plan = state.create_logical_plan(sql).await?;
    Ok(DataFrame::new(state, plan))
}

/// A session plus the counters its UDFs fill.
pub struct Engine {
    /// The session: ingest, redaction, gates, publish and report run here.
    pub ctx: SessionContext,
    /// PII findings per entity type.
    pub pii: Arc<PiiStats>,
    /// Where the SQL stages run when not in `ctx`: a Ballista client context.
    pub cluster: Option<SessionContext>,
}

/// Builds the scanner from the config's `[pii]` lists and strategies. The pseudonym key is
/// read from the environment only when a strategy needs it.
pub fn scanner(config: &Config) -> Result<pii::Scanner> {
    let pii = &config.pii;
    let strategies = pii.strategies()?;
    let disabled: Vec<pii::EntityType> =
        pii.disable.iter().filter_map(|t| t.parse().ok()).collect();
    let mut builder = pii::ScannerBuilder::new()
        .names(&pii.deny)
        .allow(&pii.allow)
        .disable(disabled);
    if strategies
        .iter()
        .any(|(_, s)| *s == pii::Strategy::Pseudonym)
    {
        let var = &pii.pseudonym_key_env;
        let key = std::env::var(var).unwrap_or_default();
        if key.is_empty() {
            return Err(Error::config(format!(
                "config [pii]: the pseudonym strategy needs a key in environment variable {var}, which is unset or empty"
            )));
        }
        builder = builder.pseudonym_key(key.into_bytes());
    }
    for (t, s) in strategies {
        builder = builder.strategy(t, s);
    }
    builder
        .build()
        .map_err(|e| Error::config(format!("config [pii]: {e}")))
}

impl Engine {
    /// A session spilling into `spill_dir`, its UDFs around `scanner`.
    pub fn new(config: &Config, scanner: Arc<pii::Scanner>, spill_dir: &Path) -> Result<Engine> {
        // Tracking names the largest consumers when the pool runs out, so the error says
        // which operator to look at.
        let pool = TrackConsumersPool::new(
            FairSpillPool::new(config.engine.memory_limit_mb * 1024 * 1024),
            NonZeroUsize::new(3).expect("non-zero"),
        );
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(pool))
            .with_disk_manager_builder(
                DiskManagerBuilder::default()
                    .with_mode(DiskManagerMode::Directories(vec![spill_dir.to_path_buf()])),
            )
            .build_arc()?;
        let partitions = match config.engine.target_partitions {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let mut session = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_batch_size(8192);
        // UDFs take Utf8; keep strings as Utf8 rather than views, both read from Parquet
        // and cast in SQL (`CAST(x AS VARCHAR)`), as a Ballista cluster plans them, so
        // local and distributed runs publish the same schemas.
        let options = session.options_mut();
        options.execution.parquet.schema_force_view_types = false;
        options.sql_parser.map_string_types_to_utf8view = false;
        options.execution.parquet.max_row_group_size = ROW_GROUP_ROWS;
        let state = SessionStateBuilder::new()
            .with_config(session)
            .with_runtime_env(runtime)
            .with_default_features()
            .build();
        let ctx = SessionContext::new_with_state(state);
        let pii = Arc::new(PiiStats::with_policy(config.pii.policy()));
        transforms::register_udfs(&ctx, scanner, Arc::clone(&pii));
        Ok(Engine {
            ctx,
            pii,
            cluster: None,
        })
    }

    /// Sends the SQL stages to `spec` from now on, once the cluster has run the canary.
    pub async fn attach(&mut self, spec: &EngineSpec) -> Result<()> {
        if *spec == EngineSpec::Local {
            return Ok(());
        }
        let state = self.ctx.state();
        let ctx = cluster::connect(spec, state.config(), Arc::clone(state.runtime_env())).await?;
        cluster::canary(&ctx).await?;
        tracing::info!(engine = ?spec, "SQL stages run on the Ballista cluster");
        self.cluster = Some(ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::dataframe::DataFrameWriteOptions;
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

    /// Scratch tables and published files alike are cut into row groups of
    /// [`ROW_GROUP_ROWS`], whatever writes them.
    #[tokio::test]
    async fn every_parquet_write_uses_bounded_row_groups() {
        let config = Config::load(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::new(&config, Arc::new(scanner(&config).unwrap()), dir.path()).unwrap();
        let rows = ROW_GROUP_ROWS + 10;
        for (name, options) in [("scratch", Some(scratch_parquet())), ("published", None)] {
            let path = dir.path().join(format!("{name}.parquet"));
            engine
                .ctx
                .sql(&format!("SELECT value FROM generate_series(1, {rows})"))
                .await
                .unwrap()
                .write_parquet(
                    &path.to_string_lossy(),
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    options,
                )
                .await
                .unwrap();
            let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
            let groups: Vec<i64> = reader
                .metadata()
                .row_groups()
                .iter()
                .map(|g| g.num_rows())
                .collect();
            assert_eq!(groups, vec![ROW_GROUP_ROWS as i64, 10], "{name}");
        }
    }
}
