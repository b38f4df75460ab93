//! `bt run CONFIG`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use crate::backtest::results::BacktestResult;
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
    let bar = (!quiet).then(RunBar::start);
    let outcome = run_and_write(config_path, out, parquet, bar.as_ref());
    if let Some(bar) = bar {
        bar.finish();
    }
    let (result, dir, files) = outcome?;
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
    tracing::info!(files, "results written");
    Ok(())
}

/// Loads, runs and writes: the result, its directory and how many files
/// it wrote. `bar` follows the phases.
fn run_and_write(
    config_path: &Path,
    out: Option<PathBuf>,
    parquet: bool,
    bar: Option<&RunBar>,
) -> Result<(BacktestResult, PathBuf, usize)> {
    let config = config::load(config_path)?;
    let dir = out.unwrap_or_else(|| config.out_dir.clone());
    // Locked from the start: a second run into `dir` is refused at once,
    // not after it has run.
    let set = report::begin_output(&dir)?;
    let data = runner::load_data_logged(&config)?;
    if let Some(bar) = bar {
        let total = data.iter().map(|d| d.bars.len()).sum();
        bar.total.store(total, Ordering::Relaxed);
        bar.enter(Phase::Replaying);
    }
    let result = runner::run_loaded_counting(&config, &data, bar.map(|b| &b.replayed))?;
    if let Some(bar) = bar {
        bar.enter(Phase::Writing);
    }
    let exporters = report::file_exporters(
        parquet || config.parquet,
        config.observe_every.is_some(),
        config.has_funding(),
    );
    let written = report::write_all(&result, set, &exporters)?;
    Ok((result, dir, written.len()))
}

/// The wall clock, for the timing line only.
#[allow(
    clippy::disallowed_methods,
    reason = "the wall time is told to the user; it reaches no result"
)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

/// What a run is doing, for its progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Phase {
    Loading = 0,
    Replaying = 1,
    Writing = 2,
    Done = 3,
}

impl Phase {
    const fn name(code: u8) -> &'static str {
        match code {
            0 => "loading data",
            1 => "replaying",
            _ => "writing results",
        }
    }
}

/// A run's progress bar on stderr, drawn by a thread of its own: the
/// phase, and during the replay the engine's count of bars. It appears
/// only for a run still going after a second, and only on a terminal
/// (indicatif hides it elsewhere).
struct RunBar {
    phase: Arc<AtomicU8>,
    total: Arc<AtomicUsize>,
    replayed: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<()>,
}

impl RunBar {
    fn start() -> Self {
        let phase = Arc::new(AtomicU8::new(Phase::Loading as u8));
        let total = Arc::new(AtomicUsize::new(0));
        let replayed = Arc::new(AtomicUsize::new(0));
        let (p, t, r) = (
            Arc::clone(&phase),
            Arc::clone(&total),
            Arc::clone(&replayed),
        );
        let thread = std::thread::spawn(move || {
            let tick = std::time::Duration::from_millis(100);
            let began = now();
            while now().duration_since(began) < std::time::Duration::from_secs(1) {
                if p.load(Ordering::Relaxed) == Phase::Done as u8 {
                    return;
                }
                std::thread::sleep(tick);
            }
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} bars  {msg}  {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar.set_message(Phase::name(p.load(Ordering::Relaxed)));
            loop {
                let code = p.load(Ordering::Relaxed);
                if code == Phase::Done as u8 {
                    break;
                }
                let widen = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
                bar.set_length(widen(t.load(Ordering::Relaxed)));
                bar.set_position(widen(r.load(Ordering::Relaxed)));
                bar.set_message(Phase::name(code));
                std::thread::sleep(tick);
            }
            bar.finish_and_clear();
        });
        Self {
            phase,
            total,
            replayed,
            thread,
        }
    }

    fn enter(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    fn finish(self) {
        self.enter(Phase::Done);
        let _ = self.thread.join();
    }
}
