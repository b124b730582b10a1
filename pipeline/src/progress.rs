//! Logging setup and the progress bar. Logs go to stderr, human-readable or as JSON lines
//! for log collectors; the bar is drawn only on an interactive terminal (never under cron
//! or Airflow), and log lines are printed above it instead of through it.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::LogFormat;

/// The bar being drawn, if any: the log writer suspends it around each line.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// How the process reports as it runs.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// Log line format.
    pub format: LogFormat,
    /// Only warnings and errors; no bar and no summary.
    pub quiet: bool,
}

impl Output {
    /// Whether to draw a progress bar: text logs to a terminal, not quiet.
    pub fn progress(&self) -> bool {
        !self.quiet && self.format == LogFormat::Text && std::io::stderr().is_terminal()
    }
}

/// Installs the tracing subscriber. `FLYWHEEL_LOG` (an env filter such as `debug` or
/// `flywheel=debug`) overrides the level; `--quiet` lowers the default to warnings.
pub fn init_logging(out: Output) {
    let default = if out.quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLYWHEEL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LogWriter)
        .with_ansi(std::io::stderr().is_terminal())
        // A closed stderr must not panic the run (and strand its lock).
        .log_internal_errors(false)
        .with_target(false);
    match out.format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// stderr, with the progress bar (if any) lifted while a line is written.
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = BAR.lock().ok().and_then(|b| b.clone());
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf))?,
            None => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// A bar over the steps of a run; does nothing when disabled.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `steps` steps when `enabled`, else a no-op.
    pub fn new(enabled: bool, steps: u64) -> Progress {
        if !enabled {
            return Progress(None);
        }
        let bar = ProgressBar::new(steps);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .expect("valid progress template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut slot) = BAR.lock() {
            *slot = Some(bar.clone());
        }
        Progress(Some(bar))
    }

    /// The step `done` finished.
    pub fn step(&self, done: &str) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            bar.set_message(format!("after {done}"));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
            if let Ok(mut slot) = BAR.lock() {
                *slot = None;
            }
        }
    }
}
