//! The DataFusion session every stage runs in: a bounded memory pool that spills to the
//! work directory, and Flywheel's UDFs around one compiled PII scanner.

use std::path::Path;
use std::sync::Arc;

use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use transforms::PiiStats;

use crate::config::Config;
use crate::{Error, Result};

/// A session plus the counters its UDFs fill.
pub struct Engine {
    /// The session.
    pub ctx: SessionContext,
    /// PII findings per entity type.
    pub pii: Arc<PiiStats>,
}

/// Builds the scanner from the config's deny and allow lists.
pub fn scanner(config: &Config) -> Result<pii::Scanner> {
    pii::ScannerBuilder::new()
        .names(&config.pii.deny)
        .allow(&config.pii.allow)
        .build()
        .map_err(|e| Error::config(format!("config [pii]: {e}")))
}

impl Engine {
    /// A session spilling into `spill_dir`.
    pub fn new(config: &Config, spill_dir: &Path) -> Result<Engine> {
        let scanner = Arc::new(scanner(config)?);
        let pool = FairSpillPool::new(config.engine.memory_limit_mb * 1024 * 1024);
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
        // UDFs take Utf8; keep Parquet strings as Utf8 rather than views.
        session
            .options_mut()
            .execution
            .parquet
            .schema_force_view_types = false;
        let state = SessionStateBuilder::new()
            .with_config(session)
            .with_runtime_env(runtime)
            .with_default_features()
            .build();
        let ctx = SessionContext::new_with_state(state);
        let pii = Arc::new(PiiStats::default());
        transforms::register_udfs(&ctx, scanner, Arc::clone(&pii));
        Ok(Engine { ctx, pii })
    }
}
