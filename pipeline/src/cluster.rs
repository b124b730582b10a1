//! Scale-out on DataFusion Ballista: the scheduler and executor processes built from
//! Flywheel's own code, and the client side a run uses with `--engine`.
//!
//! Ballista loads no plugins and ships a UDF by name only, so the SQL stages' functions
//! ([`transforms::stage_udfs`], [`transforms::udafs`]) are compiled into all three
//! places from that one list: the executor's function registry, the scheduler's session
//! builder and the client context. A node missing one fails only when a task runs, so a
//! run first sends [`transforms::canary_sql`].

use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::object_store::{CustomObjectStoreRegistry, S3Options};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::logical_expr::registry::FunctionRegistry;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::cli::{ExecutorArgs, SchedulerArgs};
use crate::{Error, Result};

/// Where a run's SQL stages execute (`--engine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineSpec {
    /// In this process.
    Local,
    /// An in-process Ballista scheduler and executor: the distributed plans, serialised
    /// and shipped, on one machine.
    Standalone,
    /// A Ballista cluster's scheduler, `df://HOST:PORT` as Ballista's client wants it.
    Remote(String),
}

impl FromStr for EngineSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<EngineSpec> {
        match s {
            "" | "local" => Ok(EngineSpec::Local),
            "standalone" => Ok(EngineSpec::Standalone),
            _ => match s.strip_prefix("ballista://") {
                Some(addr) if addr.contains(':') && !addr.ends_with(':') => {
                    Ok(EngineSpec::Remote(format!("df://{addr}")))
                }
                _ => Err(Error::config(format!(
                    "--engine {s:?}: expected local, standalone or ballista://HOST:PORT"
                ))),
            },
        }
    }
}

/// A session state with DataFusion's functions and the stage functions, over `config`
/// and `runtime`: what the scheduler plans with and the executors' registry comes from.
fn stage_state(config: SessionConfig, runtime: Option<Arc<RuntimeEnv>>) -> SessionState {
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features();
    if let Some(runtime) = runtime {
        builder = builder.with_runtime_env(runtime);
    }
    let mut state = builder.build();
    for udf in transforms::stage_udfs() {
        state
            .register_udf(Arc::new(udf))
            .expect("registering a scalar function cannot fail");
    }
    for udaf in transforms::udafs() {
        state
            .register_udaf(Arc::new(udaf))
            .expect("registering an aggregate function cannot fail");
    }
    state
}

/// The executors' functions: every DataFusion built-in (nested and array functions
/// included, which `BallistaFunctionRegistry::default()` lacks) plus the stage functions.
pub fn function_registry() -> BallistaFunctionRegistry {
    (&stage_state(SessionConfig::new_with_ballista(), None)).into()
}

/// Object stores for scheduler and executors: local files, and `s3://` configured from
/// the standard AWS environment variables (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT`, …).
fn runtime(work_dir: Option<&Path>) -> datafusion::error::Result<Arc<RuntimeEnv>> {
    let mut builder = RuntimeEnvBuilder::new().with_object_store_registry(Arc::new(
        CustomObjectStoreRegistry::new(S3Options::default()),
    ));
    if let Some(dir) = work_dir {
        builder = builder.with_temp_file_path(dir);
    }
    Ok(Arc::new(builder.build()?))
}

/// `flywheel scheduler`: serves until the process is stopped.
pub async fn scheduler(args: &SchedulerArgs) -> Result<()> {
    let addr: SocketAddr = format!("{}:{}", args.bind_host, args.port)
        .parse()
        .map_err(|e| Error::config(format!("scheduler address: {e}")))?;
    let mut config = SchedulerConfig::default()
        .with_hostname(args.external_host.clone())
        .with_port(args.port)
        .with_override_session_builder(Arc::new(|config: SessionConfig| {
            // The scheduler plans each job with the client's settings; the functions come
            // from here, by name.
            Ok(stage_state(config, Some(runtime(None)?)))
        }));
    config.bind_host = args.bind_host.clone();
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| anyhow::anyhow!("starting the scheduler: {e}"))?;
    tracing::info!(%addr, "scheduler listening");
    start_server(cluster, addr, Arc::new(config))
        .await
        .map_err(|e| anyhow::anyhow!("scheduler: {e}"))?;
    Ok(())
}

/// `flywheel executor`: registers with the scheduler and runs tasks until stopped.
pub async fn executor(args: &ExecutorArgs) -> Result<()> {
    let (host, port) = args
        .scheduler
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .ok_or_else(|| {
            Error::config(format!(
                "--scheduler {:?}: expected HOST:PORT",
                args.scheduler
            ))
        })?;
    let work_dir = args.work_dir.clone();
    let mut config = ExecutorProcessConfig {
        bind_host: args.bind_host.clone(),
        external_host: Some(args.external_host.clone()),
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host: host,
        scheduler_port: port,
        work_dir: work_dir.as_ref().map(|d| d.to_string_lossy().into_owned()),
        memory_pool_size: Some(args.memory_limit_mb as u64 * 1024 * 1024),
        override_function_registry: Some(Arc::new(function_registry())),
        override_runtime_producer: Some(Arc::new(move |_: &SessionConfig| {
            runtime(work_dir.as_deref())
        })),
        ..Default::default()
    };
    if let Some(vcores) = args.vcores {
        config.vcores = vcores;
    }
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| anyhow::anyhow!("executor: {e}"))?;
    Ok(())
}

/// A client context on `spec` (not [`EngineSpec::Local`]) with the local engine's
/// settings and runtime (memory pool, spill directory, object stores).
pub async fn connect(
    spec: &EngineSpec,
    local: &SessionConfig,
    runtime: Arc<RuntimeEnv>,
) -> Result<SessionContext> {
    let mut config = SessionConfig::new_with_ballista()
        .with_target_partitions(local.target_partitions())
        .with_batch_size(local.batch_size());
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    // The static planner: one stage per shuffle. The adaptive one re-plans after every
    // stage and, on the SQL stages' plans, ran hundreds of one-task stages per query.
    config
        .options_mut()
        .set("ballista.planner.adaptive.enabled", "false")
        .map_err(|e| anyhow::anyhow!("Ballista settings: {e}"))?;
    // Standalone mode builds its scheduler and executor from this state, so the functions
    // go in here; the returned context is rebuilt without them (see below).
    let state = stage_state(config, Some(runtime));
    let ctx = match spec {
        EngineSpec::Local => return Err(anyhow::anyhow!("connect: local engine").into()),
        EngineSpec::Standalone => SessionContext::standalone_with_state(state).await,
        EngineSpec::Remote(url) => SessionContext::remote_with_state(url, state).await,
    }
    .map_err(|e| anyhow::anyhow!("connecting to the Ballista engine: {e}"))?;
    // `*_with_state` replaces the function list with Ballista's: register again.
    transforms::register_stage_udfs(&ctx);
    Ok(ctx)
}

/// Runs the canary on the cluster: every stage function on an executor, before any data.
pub async fn canary(ctx: &SessionContext) -> Result<()> {
    let rows: usize = ctx
        .sql(transforms::canary_sql())
        .await
        .map_err(|e| canary_error(&e))?
        .collect()
        .await
        .map_err(|e| canary_error(&e))?
        .iter()
        .map(|b| b.num_rows())
        .sum();
    if rows != 1 {
        return Err(anyhow::anyhow!("cluster canary returned {rows} rows, expected 1").into());
    }
    Ok(())
}

fn canary_error(e: &datafusion::error::DataFusionError) -> Error {
    anyhow::anyhow!(
        "the Ballista cluster cannot run Flywheel's SQL functions (are the scheduler and every executor `flywheel scheduler` / `flywheel executor` of this version?): {}",
        e.to_string().lines().next().unwrap_or_default()
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_specs_parse_and_bad_ones_fail_with_the_forms() {
        assert_eq!("local".parse::<EngineSpec>().unwrap(), EngineSpec::Local);
        assert_eq!("".parse::<EngineSpec>().unwrap(), EngineSpec::Local);
        assert_eq!(
            "standalone".parse::<EngineSpec>().unwrap(),
            EngineSpec::Standalone
        );
        assert_eq!(
            "ballista://10.0.0.5:50050".parse::<EngineSpec>().unwrap(),
            EngineSpec::Remote("df://10.0.0.5:50050".into())
        );
        for bad in [
            "ballista://host",
            "ballista://host:",
            "spark://h:1",
            "remote",
        ] {
            let err = bad.parse::<EngineSpec>().unwrap_err().to_string();
            assert!(err.contains("ballista://HOST:PORT"), "{bad}: {err}");
        }
    }

    #[test]
    fn executor_registry_has_builtins_nested_functions_and_ours() {
        let registry = function_registry();
        for name in [
            "lower",
            "array_slice",
            "get_field",
            "digest",
            "fw_normalize",
            "fw_mmr",
        ] {
            assert!(registry.scalar_functions.contains_key(name), "{name}");
        }
        for name in ["array_agg", "fw_components"] {
            assert!(registry.aggregate_functions.contains_key(name), "{name}");
        }
        assert!(registry.window_functions.contains_key("row_number"));
    }
}
