//! Exporters (the only home of comfy-table and plotters): each output format behind one
//! trait, and the writer that puts files in place atomically.

mod csv_tables;
pub mod heatmap;
mod html;
mod json;
mod png;
mod table;

use std::path::{Path, PathBuf};

use crate::backtest::results::BacktestResult;

pub use csv_tables::{
    EquityCsv, EquityParquet, ORDERS_CSV, ORDERS_PARQUET, ObserversCsv, TRADES_CSV, TRADES_PARQUET,
    TableExporter,
};
pub use html::HtmlReport;
pub use json::JsonResults;
pub use json::stats_json;
pub use png::heatmap::heatmap_png;
pub use png::{HEIGHT as PNG_HEIGHT, PngReport, WIDTH as PNG_WIDTH};
pub use table::{StatsTable, format_duration, render_rows};

/// One output format.
pub trait Exporter {
    /// The file name it writes in the output directory.
    fn file_name(&self) -> &'static str;
    /// The bytes of the file.
    ///
    /// # Errors
    /// When serialization fails.
    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError>;
}

/// An output could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("cannot render {what}: {message}")]
    Render { what: &'static str, message: String },
}

/// The exporters `bt run` writes; `parquet` adds the tables as Parquet,
/// `observers` the observers' curves.
#[must_use]
pub fn file_exporters(parquet: bool, observers: bool) -> Vec<Box<dyn Exporter>> {
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
    exporters
}

/// Renders every exporter first, then writes each to a temporary name and
/// renames it into `dir`, so a failure never leaves a half-written file or
/// clobbers a good one.
///
/// # Errors
/// When a file cannot be rendered or written.
pub fn write_all(
    result: &BacktestResult,
    dir: &Path,
    exporters: &[Box<dyn Exporter>],
) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path, e: std::io::Error| ReportError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let rendered = exporters
        .iter()
        .map(|e| Ok((e.file_name(), e.render(result)?)))
        .collect::<Result<Vec<_>, ReportError>>()?;
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    for (name, bytes) in rendered {
        let path = dir.join(name);
        crate::core::atomic::write(&path, &bytes).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}
