//! `bt walk-forward CONFIG` and `bt walk-forward merge PARTS`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::error::{Error, Result};
use crate::optimization::output::{self as sweep_output, SweepDocument};
use crate::optimization::rows::RunRow;
use crate::optimization::search::Shard;
use crate::optimization::spec::Method;
use crate::optimization::walk_forward::output::{FORMAT, SET_NAMES};
use crate::optimization::walk_forward::summary::WalkForwardSummary;
use crate::optimization::walk_forward::{WalkForward, WindowRow};

use super::interrupt::{Interrupt, OnSignal};
use super::optimize::{OutputArgs, SearchArgs, now, overrides, peak_memory_mb, progress_bar};
use super::{OutputFormat, print_stdout};

/// `bt walk-forward`'s arguments.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  bt walk-forward configs/walk_forward.toml\n  bt walk-forward configs/walk_forward.toml --maximize \"Sharpe Ratio\" --jobs 8\n  bt walk-forward configs/walk_forward.toml --shard 0/4 --out parts && bt walk-forward merge parts --out wf"
)]
pub struct WalkForwardArgs {
    #[command(subcommand)]
    pub merge: Option<WalkForwardCommand>,
    /// The TOML config, with [optimize] and [walk_forward] tables.
    #[arg(required = true)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Run slice I (0-based) of N of every window's in-sample sweep and
    /// write it as a part into --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WalkForwardCommand {
    /// Combine the parts of a sharded walk-forward and finish it.
    Merge {
        /// The directory the shards wrote their parts into.
        parts: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
}

pub(super) fn execute(args: WalkForwardArgs) -> Result<()> {
    if let Some(WalkForwardCommand::Merge { parts, output }) = args.merge {
        return merge(&parts, &output);
    }
    let Some(config) = &args.config else {
        return Err(Error::Usage("bt walk-forward needs a config".into()));
    };
    let overrides = overrides(&args.search)?;
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(Error::Usage)?;
    let walk = WalkForward::load(config, &overrides)?;
    // As bt optimize's: from the data loaded to the outputs written.
    let started = now();
    if shard.is_some() && walk.sweep.spec.method == Method::Bayesian {
        return Err(Error::Usage(
            "a Bayesian search is sequential (each batch learns from the last), so it cannot be sharded: use --grid or --random with --shard".into(),
        ));
    }
    let out = args.output.out.clone().unwrap_or_else(|| {
        let mut dir = walk.sweep.base.out_dir.clone().into_os_string();
        dir.push("-walk-forward");
        PathBuf::from(dir)
    });
    // Ctrl-C and SIGTERM stop after the runs in flight; nothing is
    // written (a walk-forward is only whole when every window is).
    let interrupt = Interrupt::install(OnSignal::Flag)?;
    let jobs = args.output.threads();
    let bar = progress_bar(args.output.quiet);
    let searched = walk.search(shard.unwrap_or(Shard::ALL), jobs, &bar, interrupt.flag())?;
    bar.0.finish_and_clear();
    let searched_at = now();
    let runs: usize = searched.windows.iter().map(Vec::len).sum();
    if searched.interrupted {
        return Err(interrupt.error(format!(
            "interrupted after {runs} in-sample runs of {} windows; nothing was written",
            walk.windows.len()
        )));
    }
    if let Some(shard) = shard {
        let path = out.join(sweep_output::part_name(shard));
        sweep_output::write_document(&path, &walk.document(&searched.windows, Some(shard))?)?;
        if !args.output.quiet {
            eprintln!(
                "{runs} in-sample runs over {} windows: part {}/{} in {}",
                walk.windows.len(),
                shard.index,
                shard.count,
                path.display()
            );
        }
        return Ok(());
    }
    let document = walk.document(&searched.windows, None)?;
    finish(&walk, searched.windows, &document, &out, &args.output)?;
    if !args.output.quiet {
        let sweeps = searched_at.duration_since(started).as_secs_f64();
        let rest = now().duration_since(searched_at).as_secs_f64();
        #[allow(clippy::cast_precision_loss, reason = "a rate for people")]
        let rate = runs as f64 / sweeps.max(1e-9);
        let memory =
            peak_memory_mb().map_or_else(String::new, |mb| format!(", peak memory {mb} MB"));
        eprintln!(
            "{runs} in-sample runs in {sweeps:.2} s ({rate:.1} runs/s), then {} out-of-sample runs, the stitched run and the outputs in {rest:.2} s, on {jobs} threads{memory}",
            walk.windows.len()
        );
    }
    Ok(())
}

/// Chooses in each window's rows, runs out of sample, stitches, writes
/// (with `document`, the same rows, as `walk_forward.json`) and reports.
fn finish(
    walk: &WalkForward,
    windows: Vec<Vec<RunRow>>,
    document: &SweepDocument<WindowRow>,
    out: &Path,
    output: &OutputArgs,
) -> Result<()> {
    let outcome = walk.out_of_sample(windows)?;
    let summary = WalkForwardSummary::new(&walk.sweep.spec, walk.spec.anchored, &outcome);
    let files = walk.outputs(&outcome, &summary)?;
    sweep_output::write_named_set(out, &SET_NAMES, &files, "walk_forward.json", document)?;
    if output.quiet {
        return Ok(());
    }
    match output.format {
        OutputFormat::Json => {
            let json = summary
                .json()
                .map_err(|e| Error::Io(format!("cannot encode the summary: {e}")))?;
            print_stdout(&String::from_utf8_lossy(&json))
        }
        OutputFormat::Table => {
            let (header, rows) = summary.table();
            let mut text = crate::report::render_rows(&header, &rows);
            text.push('\n');
            text.push_str(&summary.lines());
            text.push_str(&format!("results: {}\n", out.display()));
            print_stdout(&text)
        }
    }
}

fn merge(parts: &Path, output: &OutputArgs) -> Result<()> {
    // Nothing to keep before the merged set is in place.
    let _interrupt = Interrupt::install(OnSignal::Exit)?;
    let document: SweepDocument<WindowRow> =
        sweep_output::merge_as(parts, FORMAT, |r: &WindowRow| {
            (r.window as u64, r.row.trial.ordinal)
        })?;
    let overrides = document.overrides().map_err(Error::Usage)?;
    let walk = WalkForward::load(&document.config, &overrides)?;
    if walk.sweep.id != document.sweep {
        return Err(Error::Usage(format!(
            "the parts are of walk-forward {}, but {} with its data is now {}: the config or a data file changed since the shards ran",
            document.sweep,
            document.config.display(),
            walk.sweep.id
        )));
    }
    let out = output.out.clone().ok_or_else(|| {
        Error::Usage("bt walk-forward merge needs --out DIR for the merged output".into())
    })?;
    finish(&walk, walk.windows_of(&document), &document, &out, output)
}
