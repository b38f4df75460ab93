//! `bt validate CONFIG`: the config and every data file, without running.

use std::path::Path;

use crate::backtest::{config, runner};
use crate::error::Result;

use super::print_stdout;

pub(super) fn execute(config_path: &Path) -> Result<()> {
    let config = config::load(config_path)?;
    let data = runner::load_data(&config)?;
    runner::build_strategies(&config)?;
    let bars: usize = data.iter().map(|d| d.bars.len()).sum();
    let mut text = format!(
        "{}: ok ({} venues, {} instruments, {} data files with {bars} bars, {} strategies)\n",
        config_path.display(),
        config.venues.len(),
        config.instruments.len(),
        config.data.len(),
        config.strategies.len()
    );
    for warning in data.iter().flat_map(|d| &d.warnings) {
        text.push_str(&format!("warning: {warning}\n"));
    }
    print_stdout(&text)
}
