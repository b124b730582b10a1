use std::process::ExitCode;

use clap::Parser;
use flywheel::cli::{Cli, Command, PiiCommand};
use flywheel::{config::Config, pii_cmd, run, Error};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line, not clap's usage block: this is read in scheduler logs.
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("invalid arguments");
            eprintln!("flywheel: {first} (see flywheel --help)");
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    init_logging();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flywheel: error: {}", e.one_line());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLYWHEEL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::Run(args) => {
            let config = Config::load(args.config.as_deref())?;
            let runtime = tokio::runtime::Runtime::new()?;
            let summary = runtime.block_on(run::run(&config, &args))?;
            println!("{summary}");
            Ok(())
        }
        Command::Validate { config } => {
            let config = Config::load(config.as_deref())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(run::validate(&config))?;
            println!("config and SQL stages are valid");
            Ok(())
        }
        Command::Pii(PiiCommand::Detect(args)) => pii_cmd::detect(&args),
        Command::Pii(PiiCommand::Redact(args)) => pii_cmd::redact(&args),
    }
}
