//! Walk-forward analysis: the data cut into windows, each window's
//! parameters chosen by a sweep over its in-sample bars only, then run on
//! the out-of-sample bars that follow, the out-of-sample runs chained
//! into one (each starts with the cash the one before ended with).
//!
//! What a window may see is exact: an in-sample run is bounded by its
//! window (`start`, `end`); an out-of-sample run replays its warm-up bars
//! before the window opens, refuses orders until it does, and is closed
//! flat at its last bar. Nothing after a window's end reaches it.

pub mod output;
pub mod spec;
pub mod summary;
pub mod windows;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::backtest::config::{BacktestConfig, StrategyLogic, Warmup};
use crate::backtest::results::{BacktestResult, Detail};
use crate::backtest::runner;
use crate::backtest::stitch::{self, Piece};
use crate::backtest::{BacktestError, ConfigError};
use crate::core::UnixNanos;

use super::rows::{self, RunRow};
use super::search::{Shard, source_for};
use super::spec::Overrides;
use super::{Bounds, NoCheckpoint, OptimizeError, Progress, RunOptions, Scope, Sweep};

use spec::{Length, WalkForwardSpec, WarmupSetting};

/// A window's first and last bar times, in and out of sample, and its
/// bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WindowTimes {
    pub in_sample_start: UnixNanos,
    pub in_sample_end: UnixNanos,
    pub out_of_sample_start: UnixNanos,
    pub out_of_sample_end: UnixNanos,
    pub in_sample_bars: usize,
    pub out_of_sample_bars: usize,
}

/// A config with its `[optimize]` and `[walk_forward]` tables, its data
/// loaded, and its windows cut.
#[derive(Debug)]
pub struct WalkForward {
    pub sweep: Sweep,
    pub spec: WalkForwardSpec,
    pub windows: Vec<WindowTimes>,
}

/// One in-sample run of a window (a part file's row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowRow {
    /// The window's number, from 0.
    pub window: usize,
    pub row: RunRow,
}

/// What the in-sample sweeps produced: each window's rows in trial order.
#[derive(Debug, Default)]
pub struct Searched {
    pub windows: Vec<Vec<RunRow>>,
    pub interrupted: bool,
}

/// One window's outcome.
#[derive(Debug)]
pub struct WindowOutcome {
    pub times: WindowTimes,
    /// The in-sample run chosen (the best by the objective); `None` when
    /// no in-sample run made a trade, and the window stays out of the
    /// market.
    pub chosen: Option<RunRow>,
    /// Bars replayed before the out-of-sample window.
    pub warmup_bars: usize,
    /// The out-of-sample run's stats.
    pub out_of_sample: Option<crate::analysis::stats::Stats>,
    /// The objective out of sample (`None` when undefined or no trade).
    pub objective: Option<f64>,
}

/// A finished walk-forward: each window, the stitched out-of-sample run,
/// and every in-sample row (for the trial count and the parts).
#[derive(Debug)]
pub struct Outcome {
    pub windows: Vec<WindowOutcome>,
    pub stitched: Option<BacktestResult>,
    pub searched: Vec<Vec<RunRow>>,
}

impl WalkForward {
    /// Reads the config at `path` with its `[optimize]` (under
    /// `overrides`) and `[walk_forward]` tables, loads its data and cuts
    /// the windows.
    ///
    /// # Errors
    /// Config, table and data errors, located; windows that do not fit
    /// the data; a warm-up longer than the first in-sample window.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Self, OptimizeError> {
        let sweep = Sweep::load(path, overrides)?;
        let source = sweep.spec.source.clone();
        let spec = WalkForwardSpec::parse(path, &source)?;
        let bars = runner::primary_bars(&sweep.base, &sweep.data);
        let times: Vec<UnixNanos> = bars.iter().map(|b| b.ts_init).collect();
        let cut = windows::windows(&spec, &times)
            .map_err(|e| ConfigError::at(path, &source, e.span, e.field, e.message))?;
        let windows: Vec<WindowTimes> = cut
            .iter()
            .map(|w| WindowTimes {
                in_sample_start: times[w.in_sample.start],
                in_sample_end: times[w.in_sample.end - 1],
                out_of_sample_start: times[w.out_of_sample.start],
                out_of_sample_end: times[w.out_of_sample.end - 1],
                in_sample_bars: w.in_sample.len(),
                out_of_sample_bars: w.out_of_sample.len(),
            })
            .collect();
        // The warm-up of the first out-of-sample window comes from the
        // bars before it.
        let before = cut[0].out_of_sample.start;
        let fits = match spec.warmup.value {
            WarmupSetting::Auto | WarmupSetting::Fixed(Length::Bars(0)) => true,
            WarmupSetting::Fixed(Length::Bars(n)) => n <= before,
            WarmupSetting::Fixed(Length::Span(ns)) => {
                i128::from(ns) <= i128::from(times[before].0) - i128::from(times[0].0)
            }
        };
        if !fits {
            return Err(ConfigError::at(
                path,
                &source,
                spec.warmup.span.clone(),
                spec.warmup.field,
                format!(
                    "is longer than the first in-sample window ({before} bars): the warm-up is replayed from the bars before each out-of-sample window"
                ),
            )
            .into());
        }
        Ok(Self {
            sweep,
            spec,
            windows,
        })
    }

    /// The scope of window `k`'s in-sample runs: its bars only, flat at
    /// its end, no warm-up (indicators warm up inside the window, as in
    /// a run of those bars alone).
    #[must_use]
    pub fn in_sample_scope(&self, k: usize) -> Scope {
        let w = &self.windows[k];
        Scope::window(
            &self.sweep.base,
            &self.sweep.data,
            Bounds {
                start: w.in_sample_start,
                end: w.in_sample_end,
                close_at_end: true,
                warmup: None,
            },
        )
    }

    /// Runs every window's in-sample sweep (slice `shard` of each) on
    /// `jobs` threads, one window after another; `progress` counts the
    /// runs of all windows.
    ///
    /// # Errors
    /// The constraint failing, or the thread pool not starting.
    pub fn search(
        &self,
        shard: Shard,
        jobs: usize,
        progress: &dyn Progress,
        stop: &AtomicBool,
    ) -> Result<Searched, OptimizeError> {
        let count = self.windows.len();
        let mut searched = Searched::default();
        for k in 0..count {
            let scope = self.in_sample_scope(k);
            let mut source = source_for(&self.sweep.spec, shard)?;
            let across = Across {
                inner: progress,
                window: k as u64,
                windows: count as u64,
            };
            let rows = super::run(
                &self.sweep,
                source.as_mut(),
                Vec::new(),
                RunOptions {
                    jobs,
                    scope: &scope,
                },
                &across,
                &mut NoCheckpoint,
                stop,
            )?;
            searched.windows.push(rows.rows);
            if rows.interrupted {
                searched.interrupted = true;
                break;
            }
        }
        Ok(searched)
    }

    /// Chooses each window's best in-sample point, runs it out of sample
    /// (each window starting with the cash the one before ended with),
    /// and stitches the out-of-sample runs.
    ///
    /// # Errors
    /// An out-of-sample run that fails (its window named).
    pub fn out_of_sample(&self, searched: Vec<Vec<RunRow>>) -> Result<Outcome, OptimizeError> {
        let direction = self.sweep.spec.objective.direction;
        let key = self.sweep.spec.objective.key.clone();
        let mut balances: Option<Vec<Vec<crate::core::Money>>> = None;
        let mut windows = Vec::with_capacity(self.windows.len());
        let mut pieces = Vec::new();
        let mut warned_no_warmup = false;
        for (k, rows) in searched.iter().enumerate() {
            let times = self.windows[k];
            let mut sorted: Vec<&RunRow> = rows.iter().collect();
            sorted.sort_by(|a, b| rows::compare(a, b, direction));
            let chosen = sorted.first().filter(|r| r.objective.is_some()).copied();
            let Some(chosen) = chosen else {
                windows.push(WindowOutcome {
                    times,
                    chosen: None,
                    warmup_bars: 0,
                    out_of_sample: None,
                    objective: None,
                });
                continue;
            };
            let fail = |message: String| {
                OptimizeError::Usage(format!(
                    "window {} (out of sample from {}): {message}",
                    k + 1,
                    times.out_of_sample_start
                ))
            };
            let mut config = self.sweep.point_config(&chosen.trial.point).map_err(fail)?;
            // Named absolutely, so a merge elsewhere writes the same
            // results.json.
            config.source = std::path::absolute(&config.source).unwrap_or(config.source);
            let (warmup, warmup_bars) = self
                .warmup(&config, times.out_of_sample_start)
                .map_err(|e| fail(e.to_string()))?;
            let scripted = config
                .strategies
                .iter()
                .any(|s| matches!(s.logic, StrategyLogic::Script(_)));
            if scripted
                && warmup.is_none()
                && self.spec.warmup.value == WarmupSetting::Auto
                && !warned_no_warmup
            {
                warned_no_warmup = true;
                tracing::warn!(
                    "walk_forward.warmup = \"auto\": a script strategy knows its warm-up only once it has run, so no bar is replayed before the out-of-sample windows; give the strategy a warmup param, or walk_forward.warmup a bar count or a duration"
                );
            }
            let scope = Scope::window(
                &config,
                &self.sweep.data,
                Bounds {
                    start: times.out_of_sample_start,
                    end: times.out_of_sample_end,
                    close_at_end: true,
                    warmup,
                },
            );
            scope.apply(&mut config);
            if let Some(balances) = &balances {
                for (venue, cash) in config.venues.iter_mut().zip(balances) {
                    venue.starting_balances.clone_from(cash);
                }
            }
            let result =
                runner::run_against(&config, &self.sweep.data, &scope.benchmark, Detail::Full)
                    .map_err(|e| fail(crate::core::text::chain(&e)))?;
            balances = Some(ending_balances(&result));
            let trades = result.trades.len() + result.open_trades.len();
            let objective = if trades == 0 {
                None
            } else {
                result.stats.get(&key).and_then(rows::number)
            };
            windows.push(WindowOutcome {
                times,
                chosen: Some(chosen.clone()),
                warmup_bars,
                out_of_sample: Some(result.stats.clone()),
                objective,
            });
            pieces.push(Piece {
                prefix: format!("W{}-", k + 1),
                result,
            });
        }
        let stitched = self.stitch(pieces)?;
        Ok(Outcome {
            windows,
            stitched,
            searched,
        })
    }

    /// The warm-up of an out-of-sample run of `config` opening at
    /// `start`, and the bars it replays: as set, or (`auto`) the longest
    /// its strategies report.
    fn warmup(
        &self,
        config: &BacktestConfig,
        start: UnixNanos,
    ) -> Result<(Option<Warmup>, usize), BacktestError> {
        let bars = match self.spec.warmup.value {
            WarmupSetting::Fixed(Length::Span(ns)) => {
                let mut before = config.clone();
                before.start = Some(UnixNanos(start.0.saturating_sub(ns)));
                before.end = Some(UnixNanos(start.0 - 1));
                let replayed = runner::primary_bars(&before, &self.sweep.data).len();
                return Ok((Some(Warmup::Span(ns)), replayed));
            }
            WarmupSetting::Fixed(Length::Bars(n)) => n,
            WarmupSetting::Auto => runner::build_strategies(config)?
                .iter()
                .map(|s| s.warmup_bars())
                .max()
                .unwrap_or(0),
        };
        Ok(((bars > 0).then_some(Warmup::Bars(bars)), bars))
    }

    /// The out-of-sample runs as one, measured against Buy & Hold over
    /// the whole out-of-sample span, with its report's chart data.
    fn stitch(&self, pieces: Vec<Piece>) -> Result<Option<BacktestResult>, OptimizeError> {
        let (Some(first), Some(last)) = (self.windows.first(), self.windows.last()) else {
            return Ok(None);
        };
        let mut span = self.sweep.base.clone();
        let scope = Scope::window(
            &span,
            &self.sweep.data,
            Bounds {
                start: first.out_of_sample_start,
                end: last.out_of_sample_end,
                close_at_end: true,
                warmup: None,
            },
        );
        scope.apply(&mut span);
        let name = format!("{} (walk-forward, out of sample)", self.sweep.base.name);
        let Some(mut result) = stitch::stitch(pieces, &scope.benchmark, &name)? else {
            return Ok(None);
        };
        result.chart = runner::chart_data(&span, &self.sweep.data, &[]);
        result.analyses = result.analyze(&span.analyzers);
        Ok(Some(result))
    }
}

/// Each venue's cash at the end of `result` (its accounts are flat), to
/// start the next window with.
fn ending_balances(result: &BacktestResult) -> Vec<Vec<crate::core::Money>> {
    result
        .accounts
        .iter()
        .map(|account| {
            let cash: Vec<crate::core::Money> = account.balances.iter().map(|b| b.total).collect();
            // A currency held at zero stays only when it is the only one.
            let held: Vec<crate::core::Money> =
                cash.iter().copied().filter(|m| m.raw != 0).collect();
            if held.is_empty() { cash } else { held }
        })
        .collect()
}

/// One window's sweep progress as part of all windows'.
struct Across<'a> {
    inner: &'a dyn Progress,
    window: u64,
    windows: u64,
}

impl Progress for Across<'_> {
    fn update(&self, done: u64, total: u64, best: Option<f64>) {
        self.inner
            .update(self.window * total + done, self.windows * total, best);
    }
}
