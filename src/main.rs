use std::process::ExitCode;

use bt::core::text::clip;
use clap::Parser;

fn main() -> ExitCode {
    let cli = bt::cli::Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match bt::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Messages quote the input: a runaway cell or name is cut.
            eprintln!("error: {}", clip(&error.to_string()));
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                eprintln!("  caused by: {}", clip(&cause.to_string()));
                source = cause.source();
            }
            ExitCode::from(error.exit_code() as u8)
        }
    }
}
