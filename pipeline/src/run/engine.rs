//! The DataFusion session every stage runs in: a bounded memory pool that spills to the
//! work directory, and Flywheel's UDFs around one compiled PII scanner.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use datafusion::config::TableParquetOptions;
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
/// zstd; they live only as long as the run. Published files keep the defaults.
pub fn scratch_parquet() -> TableParquetOptions {
    let mut options = TableParquetOptions::default();
    options.global.compression = Some("lz4_raw".to_string());
    options
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
        // Parquet writers hold a row group until it is full, outside the memory pool:
        // DataFusion's default of 1 Mi rows is ~2.5 GB of chat rows. 64 Ki rows bound
        // every write (stage tables, carry, published files) to a few hundred MB.
        options.execution.parquet.max_row_group_size = 64 * 1024;
        let state = SessionStateBuilder::new()
            .with_config(session)
            .with_runtime_env(runtime)
            .with_default_features()
            .build();
        let ctx = SessionContext::new_with_state(state);
        let pii = Arc::new(PiiStats::default());
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
