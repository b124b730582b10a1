//! The command line, per the CLI contract in README.md.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Flywheel turns LLM interaction and feedback logs into golden-set additions and
/// few-shot banks, with personal data redacted.
#[derive(Debug, Parser)]
#[command(name = "flywheel", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log lines on stderr: human-readable text, or JSON objects for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Only warnings and errors: no progress bar, no summary.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event (timestamp, level, message, fields).
    Json,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the job: ingest, redact, score, deduplicate, select, publish, report.
    Run(RunArgs),
    /// Check the config, dictionaries, every SQL stage, the source and the sink without
    /// running; one line per problem.
    Validate(LocationArgs),
    /// What a run would process now (partitions, objects, bytes) without running it.
    Plan(RunArgs),
    /// Summary of a published run, from its manifest (default: the newest).
    Inspect {
        /// Sink URL or path.
        sink: String,
        /// Run id.
        #[arg(long)]
        run: Option<String>,
        /// Config file, for the object-store client settings.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Golden additions and few-shot bank changes from run A to run B.
    Diff {
        /// The earlier run.
        run_a: String,
        /// The later run.
        run_b: String,
        /// Sink URL or path (default: the config's).
        #[arg(long)]
        sink: Option<String>,
        /// Config file (TOML); defaults are built in.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write realistic logs of a chosen size (benchmarks, load tests); deterministic by seed.
    GenSample(GenArgs),
    /// The PII scanner on JSONL files.
    #[command(subcommand)]
    Pii(PiiCommand),
    /// Start a Ballista scheduler carrying Flywheel's SQL functions (for `run --engine
    /// ballista://HOST:PORT`); runs until stopped.
    Scheduler(SchedulerArgs),
    /// Start a Ballista executor built with Flywheel's SQL functions; runs until stopped.
    Executor(ExecutorArgs),
}

/// Options of `flywheel scheduler`.
#[derive(Debug, Args, Clone)]
pub struct SchedulerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind_host: String,
    /// Host name executors and clients reach this scheduler by.
    #[arg(long, default_value = "localhost")]
    pub external_host: String,
    /// gRPC port.
    #[arg(long, default_value_t = 50050)]
    pub port: u16,
}

/// Options of `flywheel executor`.
#[derive(Debug, Args, Clone)]
pub struct ExecutorArgs {
    /// The scheduler, HOST:PORT.
    #[arg(long, default_value = "localhost:50050")]
    pub scheduler: String,
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind_host: String,
    /// Host name the scheduler and clients reach this executor by.
    #[arg(long, default_value = "localhost")]
    pub external_host: String,
    /// Arrow Flight port (shuffle and result data).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks run at once (default: the machine's cores).
    #[arg(long)]
    pub vcores: Option<usize>,
    /// Directory for shuffle files and spills (default: a temporary directory).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Memory pool for all tasks together, in MiB; sorts, joins and aggregations spill
    /// beyond it.
    #[arg(long, default_value_t = 2048)]
    pub memory_limit_mb: usize,
}

/// Config and the locations it names, overridable.
#[derive(Debug, Args, Clone, Default)]
pub struct LocationArgs {
    /// Config file (TOML); defaults are built in.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Source URL or path (overrides the config).
    #[arg(long)]
    pub source: Option<String>,
    /// Sink URL or path (overrides the config).
    #[arg(long)]
    pub sink: Option<String>,
}

/// Options of `flywheel run`.
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Config file (TOML); defaults are built in.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Source URL or path (overrides the config).
    #[arg(long)]
    pub source: Option<String>,
    /// Sink URL or path (overrides the config).
    #[arg(long)]
    pub sink: Option<String>,
    /// Only this dt= partition (YYYY-MM-DD).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub date: Option<String>,
    /// First dt= partition to process (inclusive).
    #[arg(long)]
    pub from: Option<String>,
    /// Last dt= partition to process (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Do everything but publish: report what would be written.
    #[arg(long)]
    pub dry_run: bool,
    /// Publish again even if a manifest for these exact inputs exists (the files come out
    /// byte-identical).
    #[arg(long)]
    pub force: bool,
    /// Where the SQL stages execute: `local` (this process), `standalone` (an in-process
    /// Ballista scheduler and executor, for testing the distributed plans) or
    /// `ballista://HOST:PORT` (a cluster started with `flywheel scheduler` and
    /// `flywheel executor`).
    #[arg(long, env = "FLYWHEEL_ENGINE", default_value = "local")]
    pub engine: String,
    /// Write each SQL stage's `EXPLAIN ANALYZE` (time and rows per operator) to
    /// DIR/<table>.txt. Each stage then runs twice: for finding what a run spends its
    /// time on, not for nightly runs.
    #[arg(long, value_name = "DIR")]
    pub profile: Option<PathBuf>,
    /// Draw a progress bar (set from the global options).
    #[arg(skip)]
    pub progress: bool,
}

/// Options of `flywheel gen-sample`.
#[derive(Debug, Args, Clone)]
pub struct GenArgs {
    /// Where to write: a path or object-store URL (interactions/ and feedback/ under it).
    #[arg(long)]
    pub out: String,
    /// Raw JSONL bytes of interactions to write (about; feedback comes on top).
    #[arg(long, default_value_t = 1 << 30)]
    pub bytes: u64,
    /// Random seed: the same seed and options write the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// First dt= partition.
    #[arg(long, default_value = "2026-11-01")]
    pub date: String,
    /// Number of daily partitions the bytes are spread over.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Raw size of one part file in MiB (every other part is gzip).
    #[arg(long, default_value_t = 64)]
    pub part_mb: u32,
    /// Real logs (a local directory in the input contract) whose interactions supply the
    /// text; default: a built-in corpus.
    #[arg(long)]
    pub corpus: Option<String>,
    /// Config file, for the object-store client settings.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `flywheel pii …`
#[derive(Debug, Subcommand)]
pub enum PiiCommand {
    /// One JSON line per input line: {"id", "spans": [{"start", "end", "entity_type"}]},
    /// offsets in Unicode code points.
    Detect(PiiArgs),
    /// The input lines with the text field redacted.
    Redact(PiiArgs),
}

/// Options of `flywheel pii detect|redact`.
#[derive(Debug, Args)]
pub struct PiiArgs {
    /// JSONL input file.
    #[arg(long)]
    pub input: PathBuf,
    /// Field holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Output file (default: standard output).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Config file, for the deny and allow lists and the `[pii]` policy.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Take the run's public-versus-personal decisions with the file as the corpus: names
    /// without personal context mentioned by `public_min_users` distinct users (lines, or
    /// values of --user-field) are kept, as are places, public URLs, reserved IPs and dates
    /// that are not birth dates. Without it every finding is reported.
    #[arg(long)]
    pub corpus: bool,
    /// With --corpus: the field naming each line's author (default: each line is its own).
    #[arg(long, requires = "corpus")]
    pub user_field: Option<String>,
}
