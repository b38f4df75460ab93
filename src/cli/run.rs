//! `bt run CONFIG`.

use std::path::{Path, PathBuf};

use crate::backtest::{config, runner};
use crate::error::Result;
use crate::report::{self, StatsTable};

use super::interrupt::{Interrupt, OnSignal};
use super::{OutputFormat, print_stdout};

pub(super) fn execute(
    config_path: &Path,
    out: Option<PathBuf>,
    format: OutputFormat,
    quiet: bool,
    parquet: bool,
) -> Result<()> {
    // Nothing is worth keeping before the output set is in place: a signal
    // ends the run at once, leaving the earlier set whole.
    let _interrupt = Interrupt::install(OnSignal::Exit)?;
    let started = now();
    let config = config::load(config_path)?;
    let dir = out.unwrap_or_else(|| config.out_dir.clone());
    // Locked from the start: a second run into `dir` is refused at once,
    // not after it has run.
    let set = report::begin_output(&dir)?;
    let result = runner::run_config(&config)?;
    let exporters =
        report::file_exporters(parquet || config.parquet, config.observe_every.is_some());
    let written = report::write_all(&result, set, &exporters)?;
    if quiet {
        return Ok(());
    }
    let seconds = now().duration_since(started).as_secs_f64();
    #[allow(clippy::cast_precision_loss, reason = "a rate for people")]
    let rate = result.bars as f64 / seconds.max(1e-9);
    let rate = if rate >= 1e6 {
        format!("{:.1} M", rate / 1e6)
    } else {
        format!("{rate:.0}")
    };
    eprintln!(
        "{} bars, {} orders, {} fills in {seconds:.2} s ({rate} bars/s, loading and writing included)",
        result.bars,
        result.orders.len(),
        result.orders.fill_count(),
    );
    match format {
        OutputFormat::Table => {
            let mut text = StatsTable::render(&result);
            text.push('\n');
            text.push_str(&format!("\nresults: {}\n", dir.display()));
            print_stdout(&text)?;
        }
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report::stats_json(&result))
                .map_err(|e| crate::error::Error::Io(e.to_string()))?;
            text.push('\n');
            print_stdout(&text)?;
        }
    }
    tracing::info!(files = written.len(), "results written");
    Ok(())
}

/// The wall clock, for the timing line only.
#[allow(
    clippy::disallowed_methods,
    reason = "the wall time is told to the user; it reaches no result"
)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}
