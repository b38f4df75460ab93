//! `bt run CONFIG`.

use std::path::{Path, PathBuf};

use crate::backtest::runner;
use crate::error::Result;
use crate::report::{self, StatsTable};

use super::{OutputFormat, print_stdout};

pub(super) fn execute(
    config_path: &Path,
    out: Option<PathBuf>,
    format: OutputFormat,
    quiet: bool,
    parquet: bool,
) -> Result<()> {
    let (config, result) = runner::run_file(config_path)?;
    let dir = out.unwrap_or(config.out_dir);
    let exporters =
        report::file_exporters(parquet || config.parquet, config.observe_every.is_some());
    let written = report::write_all(&result, &dir, &exporters)?;
    if quiet {
        return Ok(());
    }
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
