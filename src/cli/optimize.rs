//! `bt optimize CONFIG` and `bt optimize merge PARTS`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{Error, Result};

use super::interrupt::{Interrupt, OnSignal};
use crate::optimization::output;
use crate::optimization::rows::RunRow;
use crate::optimization::search::{self, Shard};
use crate::optimization::spec::{Direction, Method, Objective, Overrides};
use crate::optimization::summary::Summary;
use crate::optimization::{self, Checkpoint, OptimizeError, Progress, RunOptions, Sweep};

use super::{OutputFormat, print_stdout};

/// `bt optimize`'s arguments.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  bt optimize --grid configs/optimize_ema.toml\n  bt optimize --random 200 configs/optimize_ema.toml --maximize \"Sharpe Ratio\" --jobs 8\n  bt optimize --grid configs/optimize_ema.toml --shard 1/4 --out parts && bt optimize merge parts --out merged"
)]
pub struct OptimizeArgs {
    #[command(subcommand)]
    pub merge: Option<OptimizeCommand>,
    /// The TOML config, with an [optimize] table.
    #[arg(required = true)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Run slice I (0-based) of N and write it as a part into --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Skip the points already in --out's sweep.json (or part).
    #[arg(long)]
    pub resume: bool,
    /// Save the finished runs every SECONDS while the sweep runs (0:
    /// only at the end), so a sweep killed outright can --resume.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub checkpoint_every: u64,
}

/// How points are searched and ranked, over the `[optimize]` table
/// (shared with `bt walk-forward`).
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Search the whole grid (the default unless [optimize] says otherwise).
    #[arg(long, conflicts_with_all = ["random", "bayes"])]
    pub grid: bool,
    /// Draw N random points (seeded, no repeats).
    #[arg(long, value_name = "N", conflicts_with = "bayes")]
    pub random: Option<u64>,
    /// Run N trials of a Bayesian (TPE) search.
    #[arg(long, value_name = "N")]
    pub bayes: Option<u64>,
    /// The stats key to maximise (e.g. "Sharpe Ratio").
    #[arg(long, value_name = "KEY", conflicts_with = "minimize")]
    pub maximize: Option<String>,
    /// The stats key to minimise (e.g. "Max. Drawdown [%]").
    #[arg(long, value_name = "KEY")]
    pub minimize: Option<String>,
    /// Seed of the random and Bayesian searches (over [optimize] seed).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Where and how a sweep's or a walk-forward's results go (shared with
/// `merge`).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output directory (default: the config's out_dir followed by
    /// "-optimize" or "-walk-forward"; for --shard, where the parts go).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print nothing on stdout, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl OutputArgs {
    /// Worker threads: `--jobs`, or every core.
    pub(super) fn threads(&self) -> usize {
        self.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            usize::from,
        )
    }
}

/// `bt optimize`'s options shared with `merge`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Rows printed.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

#[derive(Debug, Subcommand)]
pub enum OptimizeCommand {
    /// Combine the parts of a sharded sweep into one output.
    Merge {
        /// The directory the shards wrote their parts into.
        parts: PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// Draws the sweep's progress on stderr (indicatif hides it when stderr
/// is not a terminal).
pub(super) struct Bar(pub(super) ProgressBar);

impl Progress for Bar {
    fn update(&self, done: u64, total: u64, best: Option<f64>) {
        self.0.set_length(total);
        self.0.set_position(done);
        if let Some(best) = best {
            self.0.set_message(format!("best {best:.4}"));
        }
    }
}

pub(super) fn progress_bar(quiet: bool) -> Bar {
    if quiet {
        return Bar(ProgressBar::hidden());
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} points  {per_sec}  ETA {eta}  {msg}")
    {
        bar.set_style(style);
    }
    Bar(bar)
}

pub(super) fn execute(args: OptimizeArgs) -> Result<()> {
    if let Some(OptimizeCommand::Merge { parts, common }) = args.merge {
        return merge(&parts, &common);
    }
    let Some(config) = &args.config else {
        return Err(Error::Usage("bt optimize needs a config".into()));
    };
    let overrides = overrides(&args.search)?;
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(Error::Usage)?;
    let sweep = Sweep::load(config, &overrides)?;
    if shard.is_some() && sweep.spec.method == Method::Bayesian {
        return Err(Error::Usage(
            "a Bayesian search is sequential (each batch learns from the last), so it cannot be sharded: use --grid or --random with --shard".into(),
        ));
    }
    let out = args.common.output.out.clone().unwrap_or_else(|| {
        let mut dir = sweep.base.out_dir.clone().into_os_string();
        dir.push("-optimize");
        PathBuf::from(dir)
    });
    let resume_path = match shard {
        Some(s) => out.join(output::part_name(s)),
        None => out.join("sweep.json"),
    };
    let done = if args.resume {
        resumed_rows(&sweep, &resume_path)?
    } else {
        Vec::new()
    };
    let mut source = search::source_for(&sweep.spec, shard.unwrap_or(Shard::ALL))?;
    // Ctrl-C and SIGTERM stop the sweep after the runs in flight; it keeps
    // what finished.
    let interrupt = Interrupt::install(OnSignal::Flag)?;
    let jobs = args.common.output.threads();
    let bar = progress_bar(args.common.output.quiet);
    let started = now();
    let mut checkpoint = SaveEvery {
        sweep: &sweep,
        interval: std::time::Duration::from_secs(args.checkpoint_every),
        last: started,
        path: &resume_path,
        out: &out,
        shard,
    };
    let result = optimization::run(
        &sweep,
        source.as_mut(),
        done,
        RunOptions {
            jobs,
            scope: &sweep.whole,
        },
        &bar,
        &mut checkpoint,
        interrupt.flag(),
    )?;
    bar.0.finish_and_clear();
    let elapsed = now().duration_since(started);
    let complete = !result.interrupted;
    let summary = Summary::new(
        &sweep.spec,
        &result.rows,
        args.common.top,
        result.interrupted,
    );
    let document = sweep.document(result.rows, shard, complete)?;
    let written = if shard.is_some() || !complete {
        // A part, or an interrupted sweep: the rows alone, to merge or
        // resume (an interrupted whole sweep replaces its output set, so
        // no earlier sweep's files stay beside its rows).
        if shard.is_some() {
            output::write_document(&resume_path, &document)?;
        } else {
            output::write_set(&out, &[], &document)?;
        }
        resume_path.clone()
    } else {
        output::write_set(&out, &sweep.outputs(&document, &summary)?, &document)?;
        out.clone()
    };
    if !args.common.output.quiet {
        report(&summary, &written, args.common.output.format)?;
        #[allow(clippy::cast_precision_loss, reason = "a rate for people")]
        let rate = summary.runs as f64 / elapsed.as_secs_f64().max(1e-9);
        let memory =
            peak_memory_mb().map_or_else(String::new, |mb| format!(", peak memory {mb} MB"));
        eprintln!(
            "{} runs in {:.2} s ({rate:.1} runs/s) on {jobs} threads{memory}",
            summary.runs,
            elapsed.as_secs_f64()
        );
    }
    finish(&summary, &written, &interrupt)
}

/// The wall clock, for the progress line and checkpoints only.
#[allow(
    clippy::disallowed_methods,
    reason = "the wall time is told to the user and decides when to save; it reaches no result"
)]
pub(super) fn now() -> std::time::Instant {
    std::time::Instant::now()
}

/// Saves the finished rows every `interval` (never when it is zero): a
/// shard's part, or a whole sweep's `sweep.json` as its output set.
struct SaveEvery<'a> {
    sweep: &'a Sweep,
    interval: std::time::Duration,
    last: std::time::Instant,
    path: &'a Path,
    out: &'a Path,
    shard: Option<Shard>,
}

impl Checkpoint for SaveEvery<'_> {
    fn due(&mut self) -> bool {
        !self.interval.is_zero() && now().duration_since(self.last) >= self.interval
    }

    fn save(&mut self, rows: &[&RunRow]) -> std::result::Result<(), OptimizeError> {
        let document = self.sweep.document(rows.to_vec(), self.shard, false)?;
        if self.shard.is_some() {
            output::write_document(self.path, &document)?;
        } else {
            output::write_set(self.out, &[], &document)?;
        }
        self.last = now();
        Ok(())
    }
}

/// The exit status: interrupted (130 or 143), no run succeeded (1), else 0.
fn finish(summary: &Summary, written: &Path, interrupt: &Interrupt) -> Result<()> {
    if summary.interrupted {
        return Err(interrupt.error(format!(
            "interrupted after {} runs; they are in {} (rerun with --resume to go on)",
            summary.runs,
            written.display()
        )));
    }
    if summary.runs > 0 && summary.failed == summary.runs {
        return Err(Error::Io(format!(
            "every one of the {} runs failed (the errors are in {})",
            summary.runs,
            written.display()
        )));
    }
    Ok(())
}

/// The command line's search settings over the `[optimize]` table.
pub(super) fn overrides(args: &SearchArgs) -> Result<Overrides> {
    let method = match (args.grid, args.random, args.bayes) {
        (true, _, _) => Some(Method::Grid),
        (_, Some(_), _) => Some(Method::Random),
        (_, _, Some(_)) => Some(Method::Bayesian),
        _ => None,
    };
    let objective = match (&args.maximize, &args.minimize) {
        (Some(key), _) => Some((key, Direction::Maximize, "--maximize")),
        (None, Some(key)) => Some((key, Direction::Minimize, "--minimize")),
        (None, None) => None,
    }
    .map(|(key, direction, flag)| {
        Objective::new(key, direction).map_err(|m| Error::Usage(format!("{flag}: {m}")))
    })
    .transpose()?;
    if args.random == Some(0) || args.bayes == Some(0) {
        return Err(Error::Usage(
            "the number of trials must be at least 1".into(),
        ));
    }
    Ok(Overrides {
        method,
        max_tries: args.random.or(args.bayes),
        objective,
        seed: args.seed,
    })
}

/// The rows of an earlier, interrupted run of the same sweep.
fn resumed_rows(sweep: &Sweep, path: &Path) -> Result<Vec<optimization::rows::RunRow>> {
    if !path.exists() {
        tracing::warn!("nothing to resume at {}: starting afresh", path.display());
        return Ok(Vec::new());
    }
    let document = output::read_document(path)?;
    let id = &sweep.id;
    if document.sweep != *id {
        return Err(OptimizeError::Merge(format!(
            "{} is from another sweep ({}, this one is {id}): the config, its data or bt changed; remove it or choose another --out",
            path.display(),
            document.sweep
        ))
        .into());
    }
    Ok(document.rows)
}

fn merge(parts: &Path, common: &CommonArgs) -> Result<()> {
    // Nothing to keep before the merged set is in place.
    let interrupt = Interrupt::install(OnSignal::Exit)?;
    let document = output::merge(parts)?;
    let overrides = document.overrides().map_err(Error::Usage)?;
    let sweep = Sweep::load(&document.config, &overrides)?;
    let id = &sweep.id;
    if *id != document.sweep {
        return Err(OptimizeError::Merge(format!(
            "the parts are of sweep {}, but {} with its data is now sweep {id}: the config or a data file changed since the shards ran",
            document.sweep,
            document.config.display()
        ))
        .into());
    }
    let out = common.output.out.clone().ok_or_else(|| {
        Error::Usage("bt optimize merge needs --out DIR for the merged output".into())
    })?;
    let summary = Summary::new(&sweep.spec, &document.rows, common.top, false);
    output::write_set(&out, &sweep.outputs(&document, &summary)?, &document)?;
    if !common.output.quiet {
        report(&summary, &out, common.output.format)?;
    }
    finish(&summary, &out, &interrupt)
}

fn report(summary: &Summary, written: &Path, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => {
            let json = summary
                .json()
                .map_err(|e| Error::Io(format!("cannot encode the summary: {e}")))?;
            print_stdout(&String::from_utf8_lossy(&json))
        }
        OutputFormat::Table => {
            let (header, rows) = summary.table();
            let mut text = if rows.is_empty() {
                String::new()
            } else {
                let mut table = crate::report::render_rows(&header, &rows);
                table.push('\n');
                table
            };
            text.push_str(&summary.guards.lines());
            text.push_str(&format!(
                "\n{} runs ({} failed, {} without a trade or {}){}; ranked by {} ({})\nresults: {}\n",
                summary.runs,
                summary.failed,
                summary.without_objective,
                summary.objective,
                if summary.interrupted { ", interrupted" } else { "" },
                summary.objective,
                if summary.maximize { "highest first" } else { "lowest first" },
                written.display()
            ));
            print_stdout(&text)
        }
    }
}

/// The process's peak resident memory (Linux's VmHWM), for the closing
/// line: a sweep's memory must not grow with its runs.
pub(super) fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
