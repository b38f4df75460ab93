//! Loading market data from files (the only home of polars and csv): bar
//! wranglers for CSV and Parquet with row/column errors, the Parquet writer
//! behind `bt wrangle`, funding-rate files, and synthetic data.

mod cells;
mod csv_bars;
mod error;
mod funding;
mod parquet_bars;
mod spec;
pub mod synthetic;
pub mod table;
mod validate;

pub use error::{DataError, DataErrorKind};
pub use funding::{FUNDING_COLUMNS, FundingRateRow, load_funding_rates};
pub use spec::{BarColumns, BarFileSpec, DataFormat, LoadedBars, PriceDomain, TimestampFormat};

use std::path::Path;

/// Loads, checks and (when asked) sorts the bars of one file.
///
/// # Errors
/// A [`DataError`] naming the file, and the row and column where there is one.
pub fn load_bars(spec: &BarFileSpec) -> Result<LoadedBars, DataError> {
    let format = spec
        .format
        .map_or_else(|| DataFormat::from_path(&spec.path), Ok)?;
    let bars = match format {
        DataFormat::Csv => csv_bars::read(spec)?,
        DataFormat::Parquet => parquet_bars::read(spec)?,
    };
    validate::check_and_order(spec, bars)
}

/// Converts a bar CSV into Parquet with the same columns, written atomically.
///
/// # Errors
/// When the CSV is invalid or the output cannot be written.
pub fn csv_to_parquet(spec: &BarFileSpec, output: &Path) -> Result<usize, DataError> {
    let loaded = load_bars(spec)?;
    parquet_bars::write(&loaded.bars, &spec.columns, output)?;
    Ok(loaded.bars.len())
}

/// Writes bars as CSV (RFC 3339 timestamps, prices at their precision).
///
/// # Errors
/// When the file cannot be written.
pub fn write_bars_csv(bars: &[crate::model::data::Bar], output: &Path) -> Result<(), DataError> {
    csv_bars::write(bars, output)
}

#[cfg(test)]
mod tests;

/// Writes bars as Parquet with the default column names.
///
/// # Errors
/// When the file cannot be written.
pub fn write_bars_parquet(
    bars: &[crate::model::data::Bar],
    output: &Path,
) -> Result<(), DataError> {
    parquet_bars::write(bars, &BarColumns::default(), output)
}
