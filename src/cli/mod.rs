//! The command line (the only home of clap): one file per subcommand.

mod init;
mod interrupt;
mod optimize;
mod run;
mod validate;
mod walk_forward;
mod wrangle;

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::error::Result;

/// A configuration-driven, event-driven backtester.
#[derive(Debug, Parser)]
#[command(name = "bt", version, about, long_about = None)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of `bt run` on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one backtest and write its results.
    #[command(
        after_help = "Examples:\n  bt run configs/ema_cross.toml\n  bt run configs/ema_cross.toml --out /tmp/ema --format json --parquet\n\nExit codes: 0 success, 1 runtime failure, 2 usage, 3 invalid input, 130/143 interrupted."
    )]
    Run {
        /// The TOML config.
        config: PathBuf,
        /// Output directory (default: the config's backtest.out_dir).
        #[arg(long)]
        out: Option<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Print nothing on stdout.
        #[arg(long, short)]
        quiet: bool,
        /// Also write trades, orders and equity as Parquet (as
        /// `[backtest] parquet = true` does).
        #[arg(long)]
        parquet: bool,
    },
    /// Search a config's parameters ([optimize] table) over all cores.
    Optimize(Box<optimize::OptimizeArgs>),
    /// Walk-forward analysis: optimise on each in-sample window
    /// ([optimize] table), run the best point out of sample
    /// ([walk_forward] table), and stitch the out-of-sample runs.
    WalkForward(Box<walk_forward::WalkForwardArgs>),
    /// Check a config and its data files without running.
    #[command(after_help = "Example:\n  bt validate configs/ema_cross.toml")]
    Validate {
        /// The TOML config.
        config: PathBuf,
    },
    /// Prepare data files.
    #[command(
        subcommand,
        after_help = "Examples:\n  bt wrangle csv-to-parquet bars.csv bars.parquet --price-precision 2\n  bt wrangle synth data/synth.csv --bars 100000 --seed 7"
    )]
    Wrangle(wrangle::WrangleCommand),
    /// Write a new project that runs as written (config, script, data).
    #[command(after_help = "Example:\n  bt init my_backtest && cd my_backtest && bt run bt.toml")]
    Init {
        /// A new or empty directory.
        dir: PathBuf,
    },
    /// Print the shell completion script for SHELL.
    #[command(
        after_help = "Examples:\n  bt completions bash > ~/.local/share/bash-completion/completions/bt\n  bt completions zsh > \"${fpath[1]}/_bt\"\n  bt completions fish > ~/.config/fish/completions/bt.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the subcommand fails with.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            config,
            out,
            format,
            quiet,
            parquet,
        } => run::execute(&config, out, format, quiet, parquet),
        Command::Optimize(args) => optimize::execute(*args),
        Command::WalkForward(args) => walk_forward::execute(*args),
        Command::Validate { config } => validate::execute(&config),
        Command::Wrangle(command) => wrangle::execute(command),
        Command::Init { dir } => init::execute(&dir),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bt", &mut script);
            print_stdout(&String::from_utf8_lossy(&script))
        }
    }
}

/// Writes to stdout, treating a closed pipe (`bt run … | head`) as success.
pub(crate) fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::error::Error::Io(
            format!("cannot write to stdout: {e}"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
