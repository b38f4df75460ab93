//! Exporters (the only home of comfy-table and plotters): each output format behind one
//! trait, and the writer that puts files in place atomically.

mod csv_tables;
pub mod heatmap;
mod html;
mod json;
mod png;
mod table;
pub mod walk_forward;

use std::path::{Path, PathBuf};

use crate::backtest::results::BacktestResult;
use crate::core::atomic::{DirReplacement, ReplaceError};

pub use csv_tables::{
    EquityCsv, EquityParquet, FUNDING_CSV, ORDERS_CSV, ORDERS_PARQUET, ObserversCsv, TRADES_CSV,
    TRADES_PARQUET, TableExporter,
};
pub use html::HtmlReport;
pub use json::JsonResults;
pub use json::stats_json;
pub use png::heatmap::heatmap_png;
pub use png::walk_forward::walk_forward_png;
pub use png::{HEIGHT as PNG_HEIGHT, PngReport, WIDTH as PNG_WIDTH};
pub use table::{StatsTable, format_duration, render_rows};

/// One output format. Exporters are shared by the threads that write a
/// run's files at once (see [`write_all`]).
pub trait Exporter: Send + Sync {
    /// The file name it writes in the output directory.
    fn file_name(&self) -> &'static str;
    /// The bytes of the file.
    ///
    /// # Errors
    /// When serialization fails.
    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError>;
    /// Writes the file into `out`; tables with a row per order stream
    /// their rows instead of holding the file in memory.
    ///
    /// # Errors
    /// When serialization or the write fails.
    fn write_to(
        &self,
        result: &BacktestResult,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        let bytes = self.render(result)?;
        out.write_all(&bytes).map_err(|e| ReportError::Render {
            what: self.file_name(),
            message: e.to_string(),
        })
    }
}

/// An output could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("cannot render {what}: {message}")]
    Render { what: &'static str, message: String },
    #[error(transparent)]
    Replace(#[from] ReplaceError),
}

/// The exporters `bt run` writes; `parquet` adds the tables as Parquet,
/// `observers` the observers' curves, `funding` the funding payments.
#[must_use]
pub fn file_exporters(parquet: bool, observers: bool, funding: bool) -> Vec<Box<dyn Exporter>> {
    let mut exporters: Vec<Box<dyn Exporter>> = vec![
        Box::new(JsonResults),
        Box::new(TRADES_CSV),
        Box::new(ORDERS_CSV),
        Box::new(EquityCsv),
        Box::new(HtmlReport),
        Box::new(PngReport),
    ];
    if parquet {
        exporters.push(Box::new(TRADES_PARQUET));
        exporters.push(Box::new(ORDERS_PARQUET));
        exporters.push(Box::new(EquityParquet));
    }
    if observers {
        exporters.push(Box::new(ObserversCsv));
    }
    if funding {
        exporters.push(Box::new(FUNDING_CSV));
    }
    exporters
}

/// Starts replacing the output set in `dir`: takes its lock (a second
/// run into `dir` is refused until this one ends) and makes the fresh
/// sibling that [`write_all`] fills and swaps in whole (see
/// [`DirReplacement`]).
///
/// # Errors
/// When `dir` is in use by another process, holds files `bt run` does
/// not write, or cannot be created.
pub fn begin_output(dir: &Path) -> Result<DirReplacement, ReportError> {
    let every_name: Vec<&str> = file_exporters(true, true, true)
        .iter()
        .map(|e| e.file_name())
        .collect();
    Ok(DirReplacement::begin(dir, |name| {
        every_name.contains(&name)
    })?)
}

/// Renders each exporter into `set` and swaps it in whole: a failure, a
/// signal or a second run into the same directory never leaves a
/// half-written file, a set mixing two runs, a stale file of an earlier
/// run, or a temporary file.
///
/// The files are written by as many threads as the machine has cores
/// (each file by one thread, taken in turn), so the set is the same
/// whatever the count; the first failure in exporter order is reported.
///
/// # Errors
/// When a file cannot be rendered or written.
pub fn write_all(
    result: &BacktestResult,
    set: DirReplacement,
    exporters: &[Box<dyn Exporter>],
) -> Result<Vec<PathBuf>, ReportError> {
    let write_one = |exporter: &dyn Exporter| -> Result<(), ReportError> {
        let io = |e: std::io::Error| ReportError::Io {
            path: set.target().join(exporter.file_name()),
            message: e.to_string(),
        };
        let file = std::fs::File::create(set.path().join(exporter.file_name())).map_err(io)?;
        let mut out = std::io::BufWriter::new(file);
        exporter.write_to(result, &mut out)?;
        std::io::Write::flush(&mut out).map_err(io)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(exporters.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, Result<(), ReportError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(exporter) = exporters.get(k) else {
                            return done;
                        };
                        done.push((k, write_one(exporter.as_ref())));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    outcomes.sort_by_key(|(k, _)| *k);
    for (_, outcome) in outcomes {
        outcome?;
    }
    let written = exporters
        .iter()
        .map(|e| set.target().join(e.file_name()))
        .collect();
    set.commit()?;
    Ok(written)
}
