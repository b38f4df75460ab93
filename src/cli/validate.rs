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
    if let Some(line) = optimize_table(config_path)? {
        text.push_str(&line);
    }
    if let Some(line) = walk_forward_table(config_path)? {
        text.push_str(&line);
    }
    for warning in data.iter().flat_map(|d| &d.warnings) {
        text.push_str(&format!("warning: {warning}\n"));
    }
    print_stdout(&text)
}

/// The config's text when it has a top-level `table`.
fn with_table(path: &Path, table: &str) -> Result<Option<String>> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| crate::error::Error::Io(format!("cannot read {}: {e}", path.display())))?;
    let has_table = toml::from_str::<toml::Table>(&source)
        .ok()
        .is_some_and(|t| t.contains_key(table));
    Ok(has_table.then_some(source))
}

/// Checks the config's `[walk_forward]` table against its data, when it
/// has one: the windows it cuts.
fn walk_forward_table(path: &Path) -> Result<Option<String>> {
    use crate::optimization::walk_forward::WalkForward;
    if with_table(path, "walk_forward")?.is_none() {
        return Ok(None);
    }
    let walk = WalkForward::load(path, &crate::optimization::spec::Overrides::default())?;
    let (Some(first), Some(last)) = (walk.windows.first(), walk.windows.last()) else {
        return Ok(None);
    };
    Ok(Some(format!(
        "[walk_forward]: ok ({} {} windows; in sample {} to {} first, out of sample to {} last)\n",
        walk.windows.len(),
        if walk.spec.anchored {
            "anchored"
        } else {
            "rolling"
        },
        first.in_sample_start,
        first.in_sample_end,
        last.out_of_sample_end
    )))
}

/// Checks the config's `[optimize]` table, when it has one.
fn optimize_table(path: &Path) -> Result<Option<String>> {
    use crate::optimization::spec::{OptimizeSpec, Overrides};
    let Some(source) = with_table(path, "optimize")? else {
        return Ok(None);
    };
    let spec = OptimizeSpec::parse(path, &source, &Overrides::default())?;
    let sizes: Vec<String> = spec
        .params
        .iter()
        .map(|p| {
            p.domain.size().map_or_else(
                || format!("{} (a range)", p.name),
                |n| format!("{} ({n} values)", p.name),
            )
        })
        .collect();
    Ok(Some(format!(
        "[optimize]: ok ({} search {} {} over {})\n",
        spec.method.name(),
        if spec.objective.maximizes() {
            "maximising"
        } else {
            "minimising"
        },
        spec.objective.key,
        sizes.join(", ")
    )))
}
