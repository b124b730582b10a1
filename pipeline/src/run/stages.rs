//! The SQL stages (signals, score, dedup, select, dispositions): plain files run in name
//! order, each materialised as a table named after its file (`20_scored.sql` → `scored`),
//! with `${name}` parameters bound from config. A file may set DataFusion options for
//! itself alone in its header (`-- Setting: datafusion.optimizer.prefer_hash_join = false`).

use std::collections::BTreeMap;
use std::path::Path;

use datafusion::arrow::datatypes::Schema;
use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};
use datafusion::datasource::listing::ListingTable;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

use super::engine::{plan_with, scratch_parquet, Engine};

use crate::config::SqlConfig;
use crate::{Error, Result};

/// One stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// File name, for messages.
    pub file: String,
    /// Table it produces.
    pub table: String,
    /// Its SQL, unbound.
    pub sql: String,
    /// DataFusion options (key, value) this stage is planned and run with, from its
    /// header's `-- Setting: key = value` lines.
    pub settings: Vec<(String, String)>,
    /// From a header line `-- View: true`: registered as a view that later stages inline,
    /// not materialised (for derived columns of wide tables, which later stages read
    /// only in part).
    pub view: bool,
}

/// The stages compiled into the binary: the repository's sql/ directory.
const BUILTIN: &[(&str, &str)] = &[
    (
        "10_feedback_events.sql",
        include_str!("../../../sql/10_feedback_events.sql"),
    ),
    ("15_turns.sql", include_str!("../../../sql/15_turns.sql")),
    ("20_scored.sql", include_str!("../../../sql/20_scored.sql")),
    ("22_priors.sql", include_str!("../../../sql/22_priors.sql")),
    (
        "24_prompt_signatures.sql",
        include_str!("../../../sql/24_prompt_signatures.sql"),
    ),
    (
        "25_candidate_pairs.sql",
        include_str!("../../../sql/25_candidate_pairs.sql"),
    ),
    (
        "26_near_clusters.sql",
        include_str!("../../../sql/26_near_clusters.sql"),
    ),
    ("28_ranked.sql", include_str!("../../../sql/28_ranked.sql")),
    (
        "30_deduped.sql",
        include_str!("../../../sql/30_deduped.sql"),
    ),
    (
        "40_candidates.sql",
        include_str!("../../../sql/40_candidates.sql"),
    ),
    ("45_golden.sql", include_str!("../../../sql/45_golden.sql")),
    (
        "48_fewshot_pool.sql",
        include_str!("../../../sql/48_fewshot_pool.sql"),
    ),
    (
        "50_fewshot.sql",
        include_str!("../../../sql/50_fewshot.sql"),
    ),
    (
        "60_outcomes.sql",
        include_str!("../../../sql/60_outcomes.sql"),
    ),
    (
        "62_dispositions.sql",
        include_str!("../../../sql/62_dispositions.sql"),
    ),
    (
        "64_carried_outcomes.sql",
        include_str!("../../../sql/64_carried_outcomes.sql"),
    ),
    (
        "70_feedback_dispositions.sql",
        include_str!("../../../sql/70_feedback_dispositions.sql"),
    ),
    (
        "80_published_index.sql",
        include_str!("../../../sql/80_published_index.sql"),
    ),
];

/// Tables (and their columns) the publish and report steps read from the stages.
pub const REQUIRED: &[(&str, &[&str])] = &[
    ("golden", &["example_id", "task", "kind", "label", "score"]),
    (
        "fewshot",
        &[
            "task",
            "prompt_version",
            "example_id",
            "input",
            "output",
            "score",
            "source_interaction_ids",
            "rank",
        ],
    ),
    (
        "dispositions",
        &[
            "interaction_id",
            "source",
            "line",
            "disposition",
            "reason",
            "duplicate_of",
            "score",
            "label",
        ],
    ),
    (
        "feedback_dispositions",
        &["event_id", "source", "line", "disposition", "reason"],
    ),
    (
        "published_index",
        &["example_id", "task", "label", "prompt_key", "run_id"],
    ),
];

/// Loads the stages from `config.dir`, or the built-in ones.
pub fn load(config: &SqlConfig) -> Result<Vec<Stage>> {
    let mut files: Vec<(String, String)> = if config.dir.is_empty() {
        BUILTIN
            .iter()
            .map(|(f, s)| (f.to_string(), s.to_string()))
            .collect()
    } else {
        let dir = Path::new(&config.dir);
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::config(format!("cannot read sql.dir {}: {e}", dir.display())))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "sql") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))?;
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, text));
            }
        }
        files
    };
    files.sort();
    files
        .into_iter()
        .map(|(file, sql)| {
            let table = table_name(&file)
                .ok_or_else(|| Error::config(format!("sql/{file}: name must be NN_table.sql")))?;
            let settings = settings(&file, &sql)?;
            let view = is_view(&file, &sql)?;
            Ok(Stage {
                file,
                table,
                sql,
                settings,
                view,
            })
        })
        .collect()
}

/// The `-- Setting: key = value` lines of a stage's leading comments, each checked
/// against DataFusion's options so a typo fails at load, naming the file.
fn settings(file: &str, sql: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for line in header(sql) {
        let Some(rest) = line.strip_prefix("Setting:") else {
            continue;
        };
        let (key, value) = rest
            .split_once('=')
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .ok_or_else(|| Error::config(format!("sql/{file}: `Setting:` needs key = value")))?;
        datafusion::config::ConfigOptions::default()
            .set(&key, &value)
            .map_err(|e| {
                Error::config(format!(
                    "sql/{file}: setting {key}: {}",
                    first_line(&e.to_string())
                ))
            })?;
        out.push((key, value));
    }
    Ok(out)
}

/// The text of the stage's leading comment lines, without their `--`.
fn header(sql: &str) -> impl Iterator<Item = &str> {
    sql.lines()
        .map(str::trim)
        .take_while(|l| l.starts_with("--"))
        .map(|l| l.trim_start_matches('-').trim())
}

/// Whether the stage's header says `-- View: true`.
fn is_view(file: &str, sql: &str) -> Result<bool> {
    for line in header(sql) {
        if let Some(v) = line.strip_prefix("View:") {
            return match v.trim() {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(Error::config(format!(
                    "sql/{file}: `View:` must be true or false, not `{other}`"
                ))),
            };
        }
    }
    Ok(false)
}

fn table_name(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".sql")?;
    let (num, name) = stem.split_once('_')?;
    (num.chars().all(|c| c.is_ascii_digit())
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then(|| name.to_string())
}

/// Substitutes `${name}` with SQL literals; an unknown name is a config error.
pub fn bind(stage: &Stage, params: &BTreeMap<String, toml::Value>) -> Result<String> {
    let mut out = String::with_capacity(stage.sql.len());
    let mut rest = stage.sql.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| Error::config(format!("sql/{}: unclosed ${{", stage.file)))?;
        let name = &after[..end];
        let value = params.get(name).ok_or_else(|| {
            Error::config(format!(
                "sql/{}: unknown parameter ${{{name}}} (add it to [params])",
                stage.file
            ))
        })?;
        out.push_str(&literal(value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A SQL literal; an array becomes a parenthesised list for `x IN ${name}`, `(NULL)`
/// when empty (matches nothing).
fn literal(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        toml::Value::Float(f) => format!("CAST({f:?} AS DOUBLE)"),
        toml::Value::Array(items) if items.is_empty() => "(NULL)".into(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(literal).collect();
            format!("({})", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Plans one stage with its settings (see [`plan_with`]); errors are config errors naming
/// the file.
async fn plan(
    ctx: &SessionContext,
    stage: &Stage,
    params: &BTreeMap<String, toml::Value>,
) -> Result<DataFrame> {
    let sql = bind(stage, params)?;
    let fail = |e: datafusion::error::DataFusionError| {
        Error::config(format!(
            "sql/{}: {}",
            stage.file,
            first_line(&e.to_string())
        ))
    };
    plan_with(ctx, &sql, &stage.settings).await.map_err(fail)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

/// Runs every stage, materialising each into `work` and registering it as its table.
/// With a cluster attached the stages plan and execute there, and each result is
/// registered in both sessions, so gates, publish and report read it locally. With
/// `profile`, each materialised stage's `EXPLAIN ANALYZE` is written there first.
/// Returns (table, seconds) per stage.
pub async fn run(
    engine: &Engine,
    stages: &[Stage],
    params: &BTreeMap<String, toml::Value>,
    work: &Path,
    profile: Option<&Path>,
) -> Result<Vec<(String, f64)>> {
    let local = &engine.ctx;
    let exec = match &engine.cluster {
        Some(cluster) => {
            share_tables(local, cluster, work).await?;
            cluster
        }
        None => local,
    };
    let mut timings = Vec::new();
    for stage in stages {
        if let Some(dir) = profile.filter(|_| !stage.view) {
            explain_analyze(exec, stage, params, dir).await?;
        }
        let started = std::time::Instant::now();
        let df = plan(exec, stage, params).await?;
        if stage.view {
            register_view(exec, &stage.table, df)?;
            if engine.cluster.is_some() {
                register_view(local, &stage.table, plan(local, stage, params).await?)?;
            }
            continue;
        }
        let path = work.join(format!("stage_{}.parquet", stage.table));
        let schema = df.schema().as_arrow().clone();
        df.write_parquet(
            &path.to_string_lossy(),
            DataFrameWriteOptions::new().with_single_file_output(true),
            Some(scratch_parquet()),
        )
        .await
        .map_err(|e| anyhow::anyhow!("sql/{}: {e}", stage.file))?;
        register(exec, &stage.table, &path, &schema).await?;
        if engine.cluster.is_some() {
            register(local, &stage.table, &path, &schema).await?;
        }
        timings.push((stage.table.clone(), started.elapsed().as_secs_f64()));
    }
    check_required(local).await?;
    Ok(timings)
}

/// Runs `stage` under `EXPLAIN ANALYZE` and writes the plan with its metrics (time, rows,
/// spills per operator) to `dir/<table>.txt`.
async fn explain_analyze(
    ctx: &SessionContext,
    stage: &Stage,
    params: &BTreeMap<String, toml::Value>,
    dir: &Path,
) -> Result<()> {
    let sql = format!("EXPLAIN ANALYZE {}", bind(stage, params)?);
    let batches = plan_with(ctx, &sql, &stage.settings)
        .await?
        .collect()
        .await?;
    // Rows of (plan_type, plan): the plan column is the indented operator tree.
    let mut text = String::new();
    for b in &batches {
        use datafusion::arrow::array::AsArray;
        let plans = b.column(1).as_string::<i32>();
        for p in plans.iter().flatten() {
            text.push_str(p);
            text.push('\n');
        }
    }
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(dir.join(format!("{}.txt", stage.table)), text))
        .map_err(|e| Error::config(format!("--profile {}: {e}", dir.display())))?;
    Ok(())
}

/// Registers a view stage. Its plan is optimised first: DataFusion 55's projection pruning
/// fails on an unoptimised view over a UNION (`interactions`) that a query reads twice.
fn register_view(ctx: &SessionContext, table: &str, df: DataFrame) -> Result<()> {
    let plan = df.into_optimized_plan()?;
    ctx.deregister_table(table)?;
    ctx.register_table(
        table,
        std::sync::Arc::new(datafusion::catalog::view::ViewTable::new(plan, None)),
    )?;
    Ok(())
}

/// Registers the Parquet file at `path` as `table`. An empty result may leave no file
/// behind: an empty file of the schema is written, so every table is a Parquet table
/// (the only kind a cluster can read).
async fn register(ctx: &SessionContext, table: &str, path: &Path, schema: &Schema) -> Result<()> {
    if std::fs::metadata(path).is_err() {
        let file = std::fs::File::create(path)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
        ArrowWriter::try_new(file, std::sync::Arc::new(schema.clone()), None)
            .and_then(|w| w.close().map(|_| ()))
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    }
    ctx.deregister_table(table)?;
    ctx.register_parquet(
        table,
        &*path.to_string_lossy(),
        ParquetReadOptions::default(),
    )
    .await?;
    Ok(())
}

/// Makes every table of the local session readable by the cluster: Parquet listing
/// tables are shared as they are (their plans carry the paths); views and in-memory
/// tables (this run's inputs with late rows, earlier runs' index and banks) are written
/// to `work` once. Raw text never reaches this point: ingest dropped it.
async fn share_tables(local: &SessionContext, cluster: &SessionContext, work: &Path) -> Result<()> {
    let options = local.copied_config();
    let catalog = &options.options().catalog;
    let schema = local
        .catalog(&catalog.default_catalog)
        .and_then(|c| c.schema(&catalog.default_schema))
        .ok_or_else(|| anyhow::anyhow!("the session has no default schema"))?;
    let mut names = schema.table_names();
    names.sort();
    for name in names {
        let Some(provider) = schema.table(&name).await? else {
            continue;
        };
        if provider.downcast_ref::<ListingTable>().is_some() {
            cluster.register_table(name.as_str(), provider)?;
            continue;
        }
        let df = local.table(name.as_str()).await?;
        let table_schema = df.schema().as_arrow().clone();
        let path = work.join(format!("shared_{name}.parquet"));
        df.write_parquet(
            &path.to_string_lossy(),
            DataFrameWriteOptions::new().with_single_file_output(true),
            Some(scratch_parquet()),
        )
        .await?;
        register(cluster, &name, &path, &table_schema).await?;
    }
    Ok(())
}

/// Plans every stage without running it (for `flywheel validate`): each plan's schema
/// becomes an empty table so later stages can be planned against it.
pub async fn validate(
    ctx: &SessionContext,
    stages: &[Stage],
    params: &BTreeMap<String, toml::Value>,
) -> Result<()> {
    for stage in stages {
        let df = plan(ctx, stage, params).await?;
        let schema = df.schema().as_arrow().clone();
        let empty = datafusion::datasource::MemTable::try_new(schema.into(), vec![vec![]])?;
        ctx.register_table(&stage.table, std::sync::Arc::new(empty))?;
    }
    check_required(ctx).await
}

async fn check_required(ctx: &SessionContext) -> Result<()> {
    for (table, columns) in REQUIRED {
        let df = ctx
            .table(*table)
            .await
            .map_err(|_| Error::config(format!("the SQL stages must produce a table `{table}`")))?;
        let schema = df.schema();
        for c in *columns {
            if schema.field_with_unqualified_name(c).is_err() {
                return Err(Error::config(format!(
                    "table `{table}` from the SQL stages lacks column `{c}`"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_stages_are_exactly_the_sql_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql");
        let mut on_disk: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let builtin: Vec<_> = BUILTIN.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(on_disk, builtin);
        for (f, s) in BUILTIN {
            assert_eq!(std::fs::read_to_string(dir.join(f)).unwrap(), *s);
        }
    }

    #[test]
    fn parameters_bind_as_literals_and_unknown_ones_fail() {
        let stage = Stage {
            file: "20_x.sql".into(),
            table: "x".into(),
            sql: "SELECT ${a} * w, ${s}, ${b}".into(),
            settings: vec![],
            view: false,
        };
        let mut p = BTreeMap::new();
        p.insert("a".to_string(), toml::Value::Float(0.5));
        p.insert("s".to_string(), toml::Value::String("it's".into()));
        p.insert("b".to_string(), toml::Value::Integer(3));
        assert_eq!(
            bind(&stage, &p).unwrap(),
            "SELECT CAST(0.5 AS DOUBLE) * w, 'it''s', 3"
        );
        p.remove("b");
        let e = bind(&stage, &p).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.one_line().contains("${b}"));
    }

    #[test]
    fn list_parameters_bind_for_in() {
        let stage = Stage {
            file: "20_x.sql".into(),
            table: "x".into(),
            sql: "t IN ${l}".into(),
            settings: vec![],
            view: false,
        };
        let mut p = BTreeMap::new();
        let list = |v: &[&str]| toml::Value::Array(v.iter().map(|s| (*s).into()).collect());
        p.insert("l".to_string(), list(&["a", "o'b"]));
        assert_eq!(bind(&stage, &p).unwrap(), "t IN ('a', 'o''b')");
        p.insert("l".to_string(), list(&[]));
        assert_eq!(bind(&stage, &p).unwrap(), "t IN (NULL)");
    }

    #[test]
    fn header_settings_are_parsed_and_checked() {
        let sql = "-- x: what it is\n-- Setting: datafusion.optimizer.prefer_hash_join = false\n\
                   SELECT 1\n-- Setting: datafusion.execution.batch_size = 7";
        let got = settings("25_x.sql", sql).unwrap();
        // Only the leading comment block counts.
        assert_eq!(
            got,
            vec![(
                "datafusion.optimizer.prefer_hash_join".to_string(),
                "false".to_string()
            )]
        );
        let e = settings(
            "25_x.sql",
            "-- Setting: datafusion.optimizer.no_such = 1\nSELECT 1",
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.one_line().contains("sql/25_x.sql"), "{}", e.one_line());
        assert!(settings("25_x.sql", "-- Setting: prefer_hash_join\nSELECT 1").is_err());
    }

    /// A stage's settings shape its own plan and leave the session's options alone.
    #[tokio::test]
    async fn settings_apply_to_their_stage_only() {
        let ctx = SessionContext::new_with_config(
            datafusion::prelude::SessionConfig::new().with_target_partitions(2),
        );
        ctx.sql("CREATE VIEW t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(k, s)")
            .await
            .unwrap();
        let sql = "SELECT a.k, b.s FROM t a JOIN t b ON a.k = b.k";
        let stage = |settings: Vec<(String, String)>| Stage {
            file: "25_x.sql".into(),
            table: "x".into(),
            sql: sql.into(),
            settings,
            view: false,
        };
        let explain = |df: DataFrame| async move {
            let plan = df.create_physical_plan().await.unwrap();
            let text = datafusion::physical_plan::displayable(plan.as_ref())
                .indent(false)
                .to_string();
            text
        };
        let params = BTreeMap::new();
        let smj = vec![(
            "datafusion.optimizer.prefer_hash_join".to_string(),
            "false".to_string(),
        )];
        let with = explain(plan(&ctx, &stage(smj), &params).await.unwrap()).await;
        assert!(with.contains("SortMergeJoin"), "{with}");
        let without = explain(plan(&ctx, &stage(vec![]), &params).await.unwrap()).await;
        assert!(without.contains("HashJoinExec"), "{without}");
        assert!(ctx.copied_config().options().optimizer.prefer_hash_join);
    }

    #[test]
    fn view_header_is_read_and_checked() {
        assert!(is_view("15_x.sql", "-- x: derived columns\n-- View: true\nSELECT 1").unwrap());
        assert!(!is_view("15_x.sql", "-- x\nSELECT 1\n-- View: true").unwrap());
        let e = is_view("15_x.sql", "-- View: yes\nSELECT 1").unwrap_err();
        assert!(e.one_line().contains("sql/15_x.sql"), "{}", e.one_line());
    }

    #[test]
    fn table_names_come_from_file_names() {
        assert_eq!(table_name("20_scored.sql").as_deref(), Some("scored"));
        assert_eq!(table_name("scored.sql"), None);
        assert_eq!(table_name("2a_x.sql"), None);
    }
}
