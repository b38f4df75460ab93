//! Runs one validated config end to end: build strategies, load data, replay.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tracing::{info, warn};

use crate::analysis::downsample::{candle_chunks, candles};
use crate::core::UnixNanos;
use crate::data::{LoadedBars, load_bars};
use crate::engine::replay::BarStream;
use crate::indicators::{BarIndicator, BarInput};
use crate::model::data::{Bar, bars_within};
use crate::trading::builtin;
use crate::trading::script::ScriptStrategy;
use crate::trading::strategy::Strategy;

use super::BacktestError;
use super::config::{BacktestConfig, StrategyLogic, Warmup};
use super::engine::BacktestEngine;
use super::results::{BacktestResult, Benchmark, ChartData, Detail, ResultInputs};

/// Builds the configured strategies.
///
/// # Errors
/// For an unknown built-in or bad parameters (already checked by `config`).
pub fn build_strategies(config: &BacktestConfig) -> Result<Vec<Box<dyn Strategy>>, BacktestError> {
    config
        .strategies
        .iter()
        .map(|s| match &s.logic {
            StrategyLogic::Builtin(name) => {
                builtin::build(name, s.instrument, &s.params).map_err(|e| BacktestError::Build {
                    strategy: s.id.to_string(),
                    source: Box::new(e),
                })
            }
            StrategyLogic::Script(program) => {
                let instrument = config.instruments[s.instrument.get()].clone();
                ScriptStrategy::new(
                    Arc::clone(program),
                    &s.id,
                    s.instrument,
                    instrument,
                    &s.params,
                )
                .map(|strategy| Box::new(strategy) as Box<dyn Strategy>)
                .map_err(|e| BacktestError::Config(e.into()))
            }
        })
        .collect()
}

/// Loads every data file of the config.
///
/// # Errors
/// The first file that fails; two feeds of one bar type that share a
/// timestamp (their bars would replay twice); a `[start, end]` window
/// that holds no bar.
pub fn load_data(config: &BacktestConfig) -> Result<Vec<LoadedBars>, BacktestError> {
    let data = config
        .data
        .iter()
        .map(|d| load_bars(&d.file).map_err(BacktestError::from))
        .collect::<Result<Vec<_>, _>>()?;
    check_no_overlap(config, &data)?;
    check_window(config, &data)?;
    Ok(data)
}

/// Feeds of the same bar type must not share a timestamp: their bars
/// would be replayed twice (within one file a repeated timestamp is
/// already an error). Feeds of different bar types (say minutes and
/// hours of one instrument) may overlap.
fn check_no_overlap(config: &BacktestConfig, data: &[LoadedBars]) -> Result<(), BacktestError> {
    for (i, (a, a_bars)) in config.data.iter().zip(data).enumerate() {
        for (b, b_bars) in config.data.iter().zip(data).skip(i + 1) {
            if a.bar_type != b.bar_type {
                continue;
            }
            // Both are sorted: walk them together.
            let (mut x, mut y) = (0, 0);
            while let (Some(p), Some(q)) = (a_bars.bars.get(x), b_bars.bars.get(y)) {
                match p.ts_init.cmp(&q.ts_init) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        return Err(crate::data::DataError::file(
                            &b.file.path,
                            format!(
                                "its bar of {} at {} is also in {}: two [[data]] files of one bar type must not overlap (each bar would replay twice)",
                                b.bar_type,
                                q.ts_init,
                                a.file.path.display()
                            ),
                        )
                        .into());
                    }
                }
            }
        }
    }
    Ok(())
}

/// A window (`start`, `end`) that holds no bar of any feed is a mistake,
/// not an empty run.
fn check_window(config: &BacktestConfig, data: &[LoadedBars]) -> Result<(), BacktestError> {
    let inside: usize = data
        .iter()
        .map(|d| bars_within(&d.bars, config.start, config.end).len())
        .sum();
    if inside > 0 {
        return Ok(());
    }
    let first = data
        .iter()
        .filter_map(|d| d.bars.first())
        .map(|b| b.ts_init)
        .min();
    let last = data
        .iter()
        .filter_map(|d| d.bars.last())
        .map(|b| b.ts_init)
        .max();
    let bound = |t: Option<crate::core::UnixNanos>, open: &str| {
        t.map_or_else(|| open.to_string(), |t| t.to_string())
    };
    let message = match (first, last) {
        (Some(first), Some(last)) => format!(
            "the window from {} to {} holds no bar: the data run from {first} to {last}",
            bound(config.start, "the first bar"),
            bound(config.end, "the last bar"),
        ),
        _ => "the data files hold no bar".to_string(),
    };
    // The bound past the data is the one at fault.
    let field = match (config.start, last) {
        (Some(start), Some(last)) if start > last => "backtest.start",
        _ if config.end.is_some() => "backtest.end",
        _ => "backtest.start",
    };
    Err(BacktestError::Config(super::ConfigError::in_field(
        &config.source,
        field,
        message,
    )))
}

/// `config` with its warm-up resolved on `data`: `start` is where trading
/// starts and `replay_from` where the replay does (before it by the
/// warm-up). Without a warm-up, or resolved already, `config` as it is.
///
/// # Errors
/// A warm-up of more bars than the data hold before `start`, or one that
/// leaves no bar to trade.
pub fn with_warmup<'a>(
    config: &'a BacktestConfig,
    data: &[LoadedBars],
) -> Result<Cow<'a, BacktestConfig>, BacktestError> {
    let Some(warmup) = config.warmup.filter(|_| config.replay_from.is_none()) else {
        return Ok(Cow::Borrowed(config));
    };
    let primary = config.strategies.first().map(|s| s.instrument);
    let bars: &[Bar] = primary
        .and_then(|i| first_feed(config, data, i.get()))
        .unwrap_or_default();
    let fail = |message: String| {
        BacktestError::Config(super::ConfigError::in_field(
            &config.source,
            "backtest.warmup",
            message,
        ))
    };
    let first = bars.first().map(|b| b.ts_init).unwrap_or_default();
    // Where trading starts: `start`, or the warm-up's length from the
    // first bar.
    let trade_from = match (config.start, warmup) {
        (Some(start), _) => start,
        (None, Warmup::Bars(n)) => bars.get(n).map(|b| b.ts_init).ok_or_else(|| {
            fail(format!(
                "a warm-up of {n} bars leaves none of the {} bars to trade",
                bars.len()
            ))
        })?,
        (None, Warmup::Span(ns)) => UnixNanos(first.0.saturating_add(ns)),
    };
    let replay_from = match warmup {
        Warmup::Bars(n) => {
            let at = bars.partition_point(|b| b.ts_init < trade_from);
            let from = at.checked_sub(n).ok_or_else(|| {
                fail(format!(
                    "a warm-up of {n} bars needs {n} bars before {trade_from}; the data hold {at}"
                ))
            })?;
            bars.get(from).map_or(trade_from, |b| b.ts_init)
        }
        Warmup::Span(ns) => UnixNanos(trade_from.0.saturating_sub(ns)),
    };
    let mut resolved = config.clone();
    resolved.start = Some(trade_from);
    resolved.replay_from = Some(replay_from);
    Ok(Cow::Owned(resolved))
}

/// Runs `config` on already loaded data: the results with their report's
/// chart data and the config's analyzers.
///
/// # Errors
/// When a strategy fails or the engine breaks an invariant.
pub fn run_loaded(
    config: &BacktestConfig,
    data: &[LoadedBars],
) -> Result<BacktestResult, BacktestError> {
    run_loaded_counting(config, data, None)
}

/// [`run_loaded`], adding the bars replayed to `progress` as it goes (a
/// progress bar reads it from another thread).
///
/// # Errors
/// When a strategy fails or the engine breaks an invariant.
pub fn run_loaded_counting(
    config: &BacktestConfig,
    data: &[LoadedBars],
    progress: Option<&Arc<AtomicUsize>>,
) -> Result<BacktestResult, BacktestError> {
    let config = &*with_warmup(config, data)?;
    let mut result = run_with(
        config,
        data,
        &benchmark(config, data),
        Detail::Full,
        progress,
    )?;
    result.chart = chart_data(config, data, &result.overlay_specs);
    result.analyses = result.analyze(&config.analyzers);
    Ok(result)
}

/// What a report draws besides the results: the primary instrument's
/// candles inside the config's window, `overlays` over them, and the
/// config's text.
#[must_use]
pub fn chart_data(
    config: &BacktestConfig,
    data: &[LoadedBars],
    overlays: &[(String, BarIndicator)],
) -> ChartData {
    let primary_bars = primary_bars(config, data);
    ChartData {
        candles: candles(primary_bars, MAX_CANDLES),
        overlays: overlay_lines(overlays, primary_bars),
        // The config was read moments ago; if it is gone now, the echo is empty.
        config_text: std::fs::read_to_string(&config.source).unwrap_or_default(),
    }
}

/// The bars of the first strategy's instrument (its first feed) inside
/// the config's `[start, end]`.
#[must_use]
pub fn primary_bars<'a>(config: &BacktestConfig, data: &'a [LoadedBars]) -> &'a [Bar] {
    config
        .strategies
        .first()
        .and_then(|s| first_feed(config, data, s.instrument.get()))
        .map_or(&[], |bars| bars_within(bars, config.start, config.end))
}

/// The bars of instrument `index`'s first feed.
fn first_feed<'a>(
    config: &BacktestConfig,
    data: &'a [LoadedBars],
    index: usize,
) -> Option<&'a [Bar]> {
    config
        .data
        .iter()
        .zip(data)
        .find(|(spec, _)| spec.file.instrument.get() == index)
        .map(|(_, loaded)| loaded.bars.as_slice())
}

/// Runs `config` on already loaded data: stats, trades, orders and the
/// equity curve, without what only a report draws.
///
/// # Errors
/// When a strategy fails or the engine breaks an invariant.
pub fn run_results(
    config: &BacktestConfig,
    data: &[LoadedBars],
) -> Result<BacktestResult, BacktestError> {
    run_against(config, data, &benchmark(config, data), Detail::Full)
}

/// The closes of the first strategy's instrument inside the config's
/// window (bars are sorted, so the window is a slice of its feed).
#[must_use]
pub fn benchmark(config: &BacktestConfig, data: &[LoadedBars]) -> Benchmark {
    // A warm-up that does not fit fails the run itself, with its reason.
    let Ok(resolved) = with_warmup(config, data) else {
        return Benchmark::new(Vec::new());
    };
    let config = &*resolved;
    let closes = config
        .strategies
        .first()
        .and_then(|s| first_feed(config, data, s.instrument.get()))
        .map(|bars| {
            bars_within(bars, config.start, config.end)
                .iter()
                .map(|b| b.close().as_f64())
                .collect()
        })
        .unwrap_or_default();
    Benchmark::new(closes)
}

/// [`run_results`] against a `benchmark` made once for many runs on the
/// same data, keeping `detail` (a parameter sweep keeps the stats).
///
/// # Errors
/// When a strategy fails or the engine breaks an invariant.
pub fn run_against(
    config: &BacktestConfig,
    data: &[LoadedBars],
    benchmark: &Benchmark,
    detail: Detail,
) -> Result<BacktestResult, BacktestError> {
    run_with(config, data, benchmark, detail, None)
}

fn run_with(
    config: &BacktestConfig,
    data: &[LoadedBars],
    benchmark: &Benchmark,
    detail: Detail,
    progress: Option<&Arc<AtomicUsize>>,
) -> Result<BacktestResult, BacktestError> {
    let config = &*with_warmup(config, data)?;
    let strategies = build_strategies(config)?;
    let mut engine = BacktestEngine::new(config, strategies)?;
    if let Some(progress) = progress {
        engine.count_bars_into(Arc::clone(progress));
    }
    let streams = config
        .data
        .iter()
        .zip(data)
        .map(|(spec, loaded)| {
            (
                spec.bar_type.to_string(),
                BarStream {
                    bars: &loaded.bars,
                    priority: spec.priority,
                },
            )
        })
        .collect();
    let mut output = engine.run(streams)?;
    // The strategy warmed up on the bars replayed before trading began:
    // the statistics' own warm-up (where Buy & Hold starts) is what is
    // left of it.
    if let (Some(from), Some(start)) = (config.replay_from, config.start) {
        let replayed = config
            .strategies
            .first()
            .and_then(|s| first_feed(config, data, s.instrument.get()))
            .map_or(0, |bars| {
                bars_within(bars, Some(from), Some(start))
                    .len()
                    .saturating_sub(1)
            });
        output.warmup = output.warmup.saturating_sub(replayed);
    }
    let bars = data
        .iter()
        .map(|d| bars_within(&d.bars, config.start, config.end).len())
        .sum();
    let warnings = data
        .iter()
        .flat_map(|d| d.warnings.iter().cloned())
        .collect();
    // Each instrument's first feed, for trade excursions.
    let prices: Vec<&[Bar]> = (0..config.instruments.len())
        .map(|i| first_feed(config, data, i).unwrap_or_default())
        .collect();
    BacktestResult::build(
        output,
        ResultInputs {
            name: &config.name,
            config: &config.source.display().to_string(),
            benchmark,
            prices: &prices,
            bars,
            warnings,
            detail,
        },
    )
}

/// Replays each price-scale overlay over `bars` and thins every line of it
/// to the candles (`name`, `name.upper`, … for multi-line indicators).
fn overlay_lines(
    specs: &[(String, BarIndicator)],
    bars: &[Bar],
) -> Vec<(String, Vec<Option<f64>>)> {
    let mut lines = Vec::new();
    for (name, spec) in specs.iter().filter(|(_, s)| s.is_price_scale()) {
        let mut indicator = spec.clone();
        let names: Vec<String> = std::iter::once(name.clone())
            .chain(spec.extra_lines().iter().map(|l| format!("{name}.{l}")))
            .collect();
        // Each line's value at the last bar of each candle, so it lines
        // up with them: only those are kept.
        let mut values: Vec<Vec<Option<f64>>> = vec![Vec::with_capacity(MAX_CANDLES); names.len()];
        for chunk in candle_chunks(bars, MAX_CANDLES) {
            for bar in chunk {
                indicator.update(&BarInput {
                    open: bar.open().as_f64(),
                    high: bar.high().as_f64(),
                    low: bar.low().as_f64(),
                    close: bar.close().as_f64(),
                    volume: bar.volume().as_f64(),
                });
            }
            for (k, line) in values.iter_mut().enumerate() {
                line.push(indicator.get(k, 0));
            }
        }
        lines.extend(names.into_iter().zip(values));
    }
    lines
}

/// Candles in a report: enough to read, few enough to stay small.
const MAX_CANDLES: usize = 3_000;

/// Loads the data of a validated config and runs it.
///
/// # Errors
/// Data, strategy or runtime failures.
pub fn run_config(config: &BacktestConfig) -> Result<BacktestResult, BacktestError> {
    run_loaded(config, &load_data_logged(config)?)
}

/// [`load_data`], with the data's warnings and size in the log.
///
/// # Errors
/// As [`load_data`].
pub fn load_data_logged(config: &BacktestConfig) -> Result<Vec<LoadedBars>, BacktestError> {
    let data = load_data(config)?;
    for loaded in &data {
        for warning in &loaded.warnings {
            warn!("{warning}");
        }
    }
    info!(
        bars = data.iter().map(|d| d.bars.len()).sum::<usize>(),
        "data loaded"
    );
    Ok(data)
}
