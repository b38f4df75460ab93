use std::process::ExitCode;

use bt::core::text::clip;
use clap::Parser;

fn main() -> ExitCode {
    // A panic inside a contained third-party call is reported as the
    // error it becomes; any other is a bug, shown as Rust shows it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !bt::core::contain::is_containing() {
            default_hook(info);
        }
    }));
    let cli = bt::cli::Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // NO_COLOR (no-color.org) and a stderr that is not a terminal get
    // plain text.
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_ansi(colour)
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
