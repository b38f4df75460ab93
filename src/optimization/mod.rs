//! Parameter sweeps (the only home of rayon): data loaded once and shared
//! read-only, one engine per point built from the config with the point's
//! values written in, runs spread over a thread pool, and only each run's
//! stats and daily returns kept.
//!
//! Nothing a run leaves behind grows with the number of runs: each run's
//! config, engine and results are dropped when its row is made; the
//! per-thread buffer pools (`core::pool`) are bounded; the id interner
//! keeps one copy per distinct text, and a sweep's runs share theirs.

pub mod bayes;
pub mod chart;
pub mod guards;
pub mod output;
pub mod rows;
pub mod search;
pub mod space;
pub mod spec;
pub mod summary;
pub mod walk_forward;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::backtest::config::{self, BacktestConfig, Warmup};
use crate::backtest::results::{Benchmark, Detail};
use crate::backtest::runner;
use crate::backtest::{BacktestError, ConfigError};
use crate::core::UnixNanos;
use crate::data::LoadedBars;

use rows::{RunRow, Trial};
use search::TrialSource;
use spec::OptimizeSpec;

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Backtest(#[from] BacktestError),
    /// A command-line value that cannot work (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Part files that do not make one sweep.
    #[error("{0}")]
    Merge(String),
    #[error("{message}")]
    Io {
        message: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("cannot start {jobs} worker threads")]
    Threads {
        jobs: usize,
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// Told after every batch: runs done of a total, and the best objective.
pub trait Progress: Sync {
    fn update(&self, done: u64, total: u64, best: Option<f64>);
}

/// Saves the rows finished so far while a sweep runs, so that one killed
/// outright (SIGKILL, a lost node) can still `--resume`.
pub trait Checkpoint {
    /// Whether a save is due now (asked after every batch).
    fn due(&mut self) -> bool;
    /// Saves `rows` (every row finished so far, in trial order).
    ///
    /// # Errors
    /// When the rows cannot be written.
    fn save(&mut self, rows: &[&RunRow]) -> Result<(), OptimizeError>;
}

/// A config, its `[optimize]` table and its data, loaded once.
#[derive(Debug)]
pub struct Sweep {
    pub spec: OptimizeSpec,
    pub base: BacktestConfig,
    pub data: Vec<LoadedBars>,
    /// Where `bt optimize`'s runs trade: the config's own window.
    pub whole: Scope,
    /// The sweep's identity, recorded in its parts and `sweep.json`.
    pub id: String,
}

impl Sweep {
    /// Reads the config at `path`, checks `[optimize]` with `overrides`,
    /// and loads every data file.
    ///
    /// # Errors
    /// Config, optimize-table and data errors, located.
    pub fn load(path: &Path, overrides: &spec::Overrides) -> Result<Self, OptimizeError> {
        let source = std::fs::read_to_string(path).map_err(|e| {
            OptimizeError::Config(ConfigError::file(path, format!("cannot read: {e}")))
        })?;
        let base = config::parse(path, &source)?;
        let spec = OptimizeSpec::parse(path, &source, overrides)?;
        let data = runner::load_data(&base)?;
        let whole = Scope {
            bounds: None,
            benchmark: runner::benchmark(&base, &data),
        };
        let mut sweep = Self {
            spec,
            base,
            data,
            whole,
            id: String::new(),
        };
        sweep.check_params_name_fields()?;
        sweep.id = sweep.compute_id()?;
        Ok(sweep)
    }

    /// A parameter the config did not hold yet is added by the sweep: the
    /// config must accept it, or its path names nothing the config knows.
    fn check_params_name_fields(&self) -> Result<(), OptimizeError> {
        for param in &self.spec.params {
            let Some(first) = param.domain.value(0).or_else(|| param.domain.draw(0.0)) else {
                continue;
            };
            let mut document = self.spec.document.clone();
            space::write(&mut document, &param.target, first).map_err(OptimizeError::Usage)?;
            if let Err(error) = config::parse(&self.spec.path, &document.to_string()) {
                // Values the config already holds are checked per run.
                if param.target.added {
                    return Err(OptimizeError::Config(ConfigError {
                        message: format!(
                            "optimize.params \"{}\" names nothing the config accepts: {}",
                            param.path, error.message
                        ),
                        ..error
                    }));
                }
            }
        }
        Ok(())
    }

    /// Runs one point in `scope`: its config, then the engine on the
    /// shared data.
    #[must_use]
    pub fn evaluate(&self, trial: Trial, scope: &Scope) -> RunRow {
        match self.run_point(&trial, scope) {
            Ok((stats, trades, returns)) => {
                RunRow::finished(trial, &stats, &self.spec.objective.key, trades, returns)
            }
            Err(message) => RunRow::failed(trial, message),
        }
    }

    fn run_point(
        &self,
        trial: &Trial,
        scope: &Scope,
    ) -> Result<(crate::analysis::stats::Stats, usize, Vec<f64>), String> {
        let mut config = self.point_config(&trial.point)?;
        scope.apply(&mut config);
        let result = runner::run_against(&config, &self.data, &scope.benchmark, Detail::Stats)
            .map_err(|e| crate::core::text::chain(&e))?;
        let trades = result.trades.len() + result.open_trades.len();
        Ok((result.stats, trades, result.day_returns))
    }

    /// The checked config of `point`.
    ///
    /// # Errors
    /// The point makes the config invalid, or changes how a data file is
    /// read (the data are loaded once for every point).
    pub fn point_config(&self, point: &[space::ParamNumber]) -> Result<BacktestConfig, String> {
        let text = self.spec.config_text(point)?;
        let config = config::parse(&self.spec.path, &text).map_err(|e| e.to_string())?;
        let same_data = config.data.len() == self.base.data.len()
            && config
                .data
                .iter()
                .zip(&self.base.data)
                .all(|(a, b)| a.file == b.file);
        if !same_data {
            return Err(
                "this point changes how a data file is read (e.g. an instrument's precision), which a sweep cannot vary"
                    .into(),
            );
        }
        Ok(config)
    }
}

/// Where a sweep's runs trade, and what they are measured against.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `None`: as the config says; else the bounds that replace its own.
    pub bounds: Option<Bounds>,
    /// The primary instrument's closes where the runs trade.
    pub benchmark: Benchmark,
}

/// A window's bounds, replacing the config's `start`, `end`,
/// `close_at_end` and `warmup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub start: UnixNanos,
    pub end: UnixNanos,
    pub close_at_end: bool,
    pub warmup: Option<Warmup>,
}

impl Scope {
    /// The scope of `bounds` on `data`, measured against the base
    /// config's primary instrument there.
    #[must_use]
    pub fn window(base: &BacktestConfig, data: &[LoadedBars], bounds: Bounds) -> Self {
        let mut config = base.clone();
        bounds.apply(&mut config);
        Self {
            bounds: Some(bounds),
            benchmark: runner::benchmark(&config, data),
        }
    }

    /// Writes the bounds, if any, into `config`.
    pub fn apply(&self, config: &mut BacktestConfig) {
        if let Some(bounds) = self.bounds {
            bounds.apply(config);
        }
    }
}

impl Bounds {
    /// Writes the bounds into `config`.
    pub fn apply(self, config: &mut BacktestConfig) {
        config.start = Some(self.start);
        config.end = Some(self.end);
        config.close_at_end = self.close_at_end;
        config.warmup = self.warmup;
        config.replay_from = None;
    }
}

/// A sweep that keeps no checkpoint (benches, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCheckpoint;

impl Checkpoint for NoCheckpoint {
    fn due(&mut self) -> bool {
        false
    }

    fn save(&mut self, _rows: &[&RunRow]) -> Result<(), OptimizeError> {
        Ok(())
    }
}

/// How a sweep runs.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions<'a> {
    pub jobs: usize,
    /// Where the runs trade.
    pub scope: &'a Scope,
}

/// The rows a sweep produced, and whether it was stopped early.
#[derive(Debug, Default)]
pub struct SweepRows {
    pub rows: Vec<RunRow>,
    pub interrupted: bool,
}

/// Runs every trial `source` gives that `done` does not already hold, in
/// `options.scope`, on `options.jobs` threads, until the source is exhausted or `stop` is set;
/// rows come back in the order their trials were given. After each batch
/// `progress` is told, and `checkpoint` saves the rows when it is due.
///
/// # Errors
/// The constraint failing, or the thread pool not starting.
pub fn run(
    sweep: &Sweep,
    source: &mut dyn TrialSource,
    done: Vec<RunRow>,
    options: RunOptions<'_>,
    progress: &dyn Progress,
    checkpoint: &mut dyn Checkpoint,
    stop: &AtomicBool,
) -> Result<SweepRows, OptimizeError> {
    let jobs = options.jobs.max(1);
    let scope = options.scope;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|source| OptimizeError::Threads { jobs, source })?;
    let mut resumed: std::collections::BTreeMap<u64, RunRow> =
        done.into_iter().map(|r| (r.trial.ordinal, r)).collect();
    let direction = sweep.spec.objective.direction;
    let mut rows: Vec<RunRow> = Vec::new();
    let mut best: Option<f64> = None;
    // Batches a few times the pool's width keep every thread busy while
    // runs of different lengths finish.
    let batch_size = jobs * 4;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(interrupted_with(rows, resumed));
        }
        let batch = source.next_batch(batch_size)?;
        if batch.is_empty() {
            break;
        }
        let (again, todo): (Vec<Trial>, Vec<Trial>) = batch
            .into_iter()
            .partition(|t| resumed.get(&t.ordinal).is_some_and(|r| r.trial == *t));
        // A resumed row whose point differs from its trial's is run again,
        // and must not stay beside the new one.
        for trial in &todo {
            resumed.remove(&trial.ordinal);
        }
        let fresh: Vec<Option<RunRow>> = pool.install(|| {
            todo.into_par_iter()
                .map(|trial| (!stop.load(Ordering::Relaxed)).then(|| sweep.evaluate(trial, scope)))
                .collect()
        });
        let interrupted = fresh.iter().any(Option::is_none);
        let mut finished: Vec<RunRow> = again
            .iter()
            .filter_map(|t| resumed.remove(&t.ordinal))
            .chain(fresh.into_iter().flatten())
            .collect();
        finished.sort_by_key(|r| r.trial.ordinal);
        for row in &finished {
            best = better(best, row.objective, direction);
        }
        source.tell(&finished);
        rows.extend(finished);
        let (total, visited) = source.progress();
        progress.update(visited, total, best);
        if checkpoint.due() {
            let mut so_far: Vec<&RunRow> = rows.iter().chain(resumed.values()).collect();
            so_far.sort_by_key(|r| r.trial.ordinal);
            checkpoint.save(&so_far)?;
        }
        if interrupted {
            return Ok(interrupted_with(rows, resumed));
        }
    }
    Ok(SweepRows {
        rows,
        interrupted: false,
    })
}

/// An interrupted sweep keeps every row finished so far, this session's
/// and those it resumed from, in trial order.
fn interrupted_with(
    mut rows: Vec<RunRow>,
    resumed: std::collections::BTreeMap<u64, RunRow>,
) -> SweepRows {
    rows.extend(resumed.into_values());
    rows.sort_by_key(|r| r.trial.ordinal);
    SweepRows {
        rows,
        interrupted: true,
    }
}

fn better(best: Option<f64>, candidate: Option<f64>, direction: spec::Direction) -> Option<f64> {
    match (best, candidate) {
        (None, c) => c,
        (b, None) => b,
        (Some(b), Some(c)) => Some(match direction {
            spec::Direction::Maximize => b.max(c),
            spec::Direction::Minimize => b.min(c),
        }),
    }
}
