use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use flywheel::cli::{Cli, Command, PiiCommand};
use flywheel::progress::{self, Output};
use flywheel::{cluster, config::Config, gen, inspect, pii_cmd, run, Error};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc hands emptied pages back to the OS 10 ms after they empty. A run frees and
/// refills hundreds of MB a second (Arrow batches, Parquet pages), so the kernel spent
/// ~7% of a run zeroing the same pages again; a 1 s delay keeps that churn inside the
/// process (README, Performance). `MIMALLOC_PURGE_DELAY` in the environment still wins.
fn tune_allocator() {
    // `mi_option_purge_delay` in mimalloc.h (v2 and v3); the -sys crate leaves it unnamed.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set is not thread-safe; this runs first in main, before any
        // other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) }
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line, not clap's usage block: this is read in scheduler logs.
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("invalid arguments");
            complain(&format!("flywheel: {first} (see flywheel --help)"));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let out = Output {
        format: cli.log_format,
        quiet: cli.quiet,
    };
    progress::init_logging(out);
    match dispatch(cli.command, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            complain(&format!("flywheel: error: {}", e.one_line()));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn dispatch(command: Command, out: Output) -> Result<(), Error> {
    match command {
        Command::Run(mut args) => {
            let config = Config::load(args.config.as_deref())?;
            args.progress = out.progress();
            let summary = runtime()?.block_on(run::run(&config, &args))?;
            if !out.quiet {
                say(&summary);
            }
            Ok(())
        }
        Command::Validate(args) => {
            let config = Config::load(args.config.as_deref())?;
            let problems = runtime()?.block_on(run::validate(&config, &args))?;
            if problems.is_empty() {
                if !out.quiet {
                    say("config, dictionaries, SQL stages, source and sink are valid");
                }
                return Ok(());
            }
            for p in &problems {
                complain(&format!("flywheel: {p}"));
            }
            Err(Error::config(format!(
                "{} problem(s) found",
                problems.len()
            )))
        }
        Command::Plan(args) => {
            let config = Config::load(args.config.as_deref())?;
            say(&runtime()?.block_on(run::plan::plan(&config, &args))?);
            Ok(())
        }
        Command::Inspect { sink, run, config } => {
            let config = Config::load(config.as_deref())?;
            let text = runtime()?.block_on(inspect::inspect(&config, &sink, run.as_deref()))?;
            say(&text);
            Ok(())
        }
        Command::Diff {
            run_a,
            run_b,
            sink,
            config,
        } => {
            let config = Config::load(config.as_deref())?;
            let sink = sink.unwrap_or_else(|| config.sink.clone());
            let text = runtime()?.block_on(inspect::diff(&config, &sink, &run_a, &run_b))?;
            say(&text);
            Ok(())
        }
        Command::GenSample(args) => {
            let config = Config::load(args.config.as_deref())?;
            let g = runtime()?.block_on(gen::generate(&config, &args))?;
            say(&format!(
                "wrote {} interactions and {} feedback events ({} raw bytes) in {} objects under {}",
                g.interactions, g.feedback, g.raw_bytes, g.objects, args.out
            ));
            Ok(())
        }
        Command::Pii(PiiCommand::Detect(args)) => pii_cmd::detect(&args),
        Command::Pii(PiiCommand::Redact(args)) => pii_cmd::redact(&args),
        Command::Scheduler(args) => runtime()?.block_on(cluster::scheduler(&args)),
        Command::Executor(args) => runtime()?.block_on(cluster::executor(&args)),
    }
}

/// Plans travel to and from a Ballista cluster as protobuf, encoded and decoded by
/// recursion as deep as the plan: worker threads get 32 MiB stacks, as in Ballista's own
/// binaries (the default 2 MiB overflows on the SQL stages' plans).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
}

/// Output that must not turn a closed pipe into a panic: the exit code is what the
/// scheduler acts on.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn complain(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
