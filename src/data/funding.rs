//! Funding-rate files for perpetuals: one row per funding time and
//! instrument (`timestamp`, `instrument`, `rate`), CSV or Parquet. A rate
//! is the share of a position's notional that longs pay shorts at that
//! time (negative: shorts pay longs).

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::DataType;

use crate::core::fixed::{self, FIXED_PRECISION, FIXED_SCALAR};
use crate::core::time::UnixNanos;

use super::{DataError, DataFormat, TimestampFormat, cells, parquet_bars};

/// The columns a funding-rate file must have.
pub const FUNDING_COLUMNS: [&str; 3] = ["timestamp", "instrument", "rate"];

/// One funding time of one instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingRateRow {
    pub ts: UnixNanos,
    pub instrument: String,
    /// The rate at the global fixed-point scale.
    pub rate_raw: i128,
    /// Where the row is (CSV line, header = 1; or 1-based Parquet row),
    /// for errors found later (an instrument the run does not trade).
    pub row: usize,
}

/// Reads and checks a funding-rate file: every rate within [−1, 1], and
/// each instrument's timestamps strictly increasing.
///
/// # Errors
/// A [`DataError`] naming the file, row and column.
pub fn load_funding_rates(
    path: &Path,
    format: TimestampFormat,
) -> Result<Vec<FundingRateRow>, DataError> {
    let rows = match DataFormat::from_path(path)? {
        DataFormat::Csv => read_csv(path, format)?,
        DataFormat::Parquet => read_parquet(path, format)?,
    };
    if rows.is_empty() {
        return Err(DataError::file(path, "no rows"));
    }
    let mut last: HashMap<&str, UnixNanos> = HashMap::new();
    for row in &rows {
        if !(-FIXED_SCALAR..=FIXED_SCALAR).contains(&row.rate_raw) {
            return Err(DataError::at(
                path,
                row.row,
                "rate",
                format!(
                    "rate {} is outside [-1, 1] (0.0001 = 0.01 % of the notional)",
                    fixed::format_raw(row.rate_raw, FIXED_PRECISION)
                ),
            ));
        }
        if let Some(before) = last.insert(&row.instrument, row.ts)
            && before >= row.ts
        {
            return Err(DataError::at(
                path,
                row.row,
                "timestamp",
                format!(
                    "{} is not after the previous funding time of {} ({before})",
                    row.ts, row.instrument
                ),
            ));
        }
    }
    Ok(rows)
}

fn read_csv(path: &Path, format: TimestampFormat) -> Result<Vec<FundingRateRow>, DataError> {
    let (mut reader, headers) = super::csv_bars::open(path)?;
    let mut index = [0usize; 3];
    for (slot, name) in index.iter_mut().zip(FUNDING_COLUMNS) {
        *slot = super::csv_bars::column_index(&headers, name, path)?;
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while super::csv_bars::next_record(&mut reader, &mut record, path)? {
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let cell = |k: usize| {
            let bytes = record
                .get(index[k])
                .filter(|bytes| !bytes.is_empty())
                .ok_or_else(|| DataError::at(path, line, FUNDING_COLUMNS[k], "missing value"))?;
            std::str::from_utf8(bytes)
                .map_err(|_| DataError::at(path, line, FUNDING_COLUMNS[k], "not UTF-8 text"))
        };
        let at = |k: usize| {
            move |message: String| DataError::at(path, line, FUNDING_COLUMNS[k], message)
        };
        rows.push(FundingRateRow {
            ts: cells::timestamp_text(cell(0)?, format).map_err(at(0))?,
            instrument: cell(1)?.trim().to_string(),
            rate_raw: fixed::parse_raw(cell(2)?)
                .map(|(raw, _)| raw)
                .map_err(|e| at(2)(e.to_string()))?,
            row: line,
        });
    }
    Ok(rows)
}

fn read_parquet(path: &Path, format: TimestampFormat) -> Result<Vec<FundingRateRow>, DataError> {
    let df = parquet_bars::read_frame(path)?;
    let [ts_name, instrument_name, rate_name] = FUNDING_COLUMNS;
    let ts = parquet_bars::timestamps(
        parquet_bars::column(&df, ts_name, path)?,
        format,
        path,
        ts_name,
    )?;
    let fail = |e: polars::prelude::PolarsError| DataError::file(path, e.to_string());
    let instruments = parquet_bars::column(&df, instrument_name, path)?;
    let instruments = instruments
        .str()
        .map_err(|_| DataError::column(path, instrument_name, "instrument ids must be text"))?;
    let rates = parquet_bars::column(&df, rate_name, path)?;
    let at =
        |row: usize, column: &str, message: String| DataError::at(path, row + 1, column, message);
    let rate_raws: Vec<i128> = match rates.dtype() {
        DataType::String => rates
            .str()
            .map_err(fail)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                let text = v.ok_or_else(|| at(row, rate_name, "missing value".into()))?;
                fixed::parse_raw(text)
                    .map(|(raw, _)| raw)
                    .map_err(|e| at(row, rate_name, e.to_string()))
            })
            .collect::<Result<_, _>>()?,
        dtype if dtype.is_float() => rates
            .cast(&DataType::Float64)
            .map_err(fail)?
            .f64()
            .map_err(fail)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                let value = v.ok_or_else(|| at(row, rate_name, "missing value".into()))?;
                fixed::raw_from_f64(value, FIXED_PRECISION)
                    .map_err(|e| at(row, rate_name, e.to_string()))
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(DataError::column(
                path,
                rate_name,
                format!("unsupported rate type {other} (expected a float or decimal text)"),
            ));
        }
    };
    ts.into_iter()
        .zip(instruments.iter())
        .zip(rate_raws)
        .enumerate()
        .map(|(row, ((ts, instrument), rate_raw))| {
            let instrument =
                instrument.ok_or_else(|| at(row, instrument_name, "missing value".into()))?;
            Ok(FundingRateRow {
                ts,
                instrument: instrument.trim().to_string(),
                rate_raw,
                row: row + 1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("bt-funding-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_rates_exactly_and_names_bad_rows() {
        let path = write(
            "ok.csv",
            "timestamp,instrument,rate\n2024-01-01T08:00:00Z,BTC.X,0.0001\n2024-01-01T08:00:00Z,ETH.X,-0.00025\n",
        );
        let rows = load_funding_rates(&path, TimestampFormat::Rfc3339).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].rate_raw, 100_000);
        assert_eq!(rows[1].rate_raw, -250_000);
        assert_eq!(rows[1].row, 3);

        let path = write(
            "back.csv",
            "timestamp,instrument,rate\n2024-01-01T08:00:00Z,BTC.X,0.0001\n2024-01-01T00:00:00Z,BTC.X,0.0001\n",
        );
        let error = load_funding_rates(&path, TimestampFormat::Rfc3339).unwrap_err();
        assert_eq!(error.row, Some(3));
        assert_eq!(error.column.as_deref(), Some("timestamp"));

        let path = write("big.csv", "timestamp,instrument,rate\n0,BTC.X,1.5\n");
        let error = load_funding_rates(&path, TimestampFormat::UnixSeconds).unwrap_err();
        assert_eq!(
            (error.row, error.column.as_deref()),
            (Some(2), Some("rate"))
        );

        let path = write("gap.csv", "timestamp,instrument,rate\n0,BTC.X,\n");
        let error = load_funding_rates(&path, TimestampFormat::UnixSeconds).unwrap_err();
        assert!(error.to_string().contains("missing value"), "{error}");
    }
}
