//! The command line, per the CLI contract in README.md.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Flywheel turns LLM interaction and feedback logs into golden-set additions and
/// few-shot banks, with personal data redacted.
#[derive(Debug, Parser)]
#[command(name = "flywheel", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the job: ingest, redact, score, deduplicate, select, publish, report.
    Run(RunArgs),
    /// Check the config and compile every SQL stage without running.
    Validate {
        /// Config file (TOML); defaults are built in.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// The PII scanner on JSONL files.
    #[command(subcommand)]
    Pii(PiiCommand),
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
    /// Config file, for the deny and allow lists.
    #[arg(long)]
    pub config: Option<PathBuf>,
}
