//! `bt wrangle …`: data preparation.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::core::UnixNanos;
use crate::core::identifiers::InstrumentIndex;
use crate::data::synthetic::{GbmSpec, generate_gbm};
use crate::data::{self, BarFileSpec, TimestampFormat};
use crate::error::{Error, Result};

use super::print_stdout;

/// How timestamps are written in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimestampArg {
    Rfc3339,
    UnixS,
    UnixMs,
    UnixUs,
    UnixNs,
}

#[derive(Debug, Subcommand)]
pub enum WrangleCommand {
    /// Convert a bar CSV to Parquet with the same columns (checked as `bt run` checks data).
    CsvToParquet {
        input: PathBuf,
        output: PathBuf,
        /// Decimals of prices.
        #[arg(long, default_value_t = 2)]
        price_precision: u8,
        /// Decimals of volumes.
        #[arg(long, default_value_t = 0)]
        size_precision: u8,
        #[arg(long, value_enum, default_value_t = TimestampArg::Rfc3339)]
        timestamp_format: TimestampArg,
        /// Sort rows by time instead of failing on unsorted input.
        #[arg(long)]
        sort: bool,
    },
    /// Write synthetic 1-minute bars (seeded geometric Brownian motion) as CSV or Parquet.
    Synth {
        output: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        bars: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 100.0)]
        start_price: f64,
        /// Per-bar volatility of log returns.
        #[arg(long, default_value_t = 0.001)]
        sigma: f64,
        /// Seconds between bars.
        #[arg(long, default_value_t = 60)]
        interval_s: i64,
        #[arg(long, default_value = "2020-01-01T00:00:00Z")]
        start: String,
    },
}

pub(super) fn execute(command: WrangleCommand) -> Result<()> {
    match command {
        WrangleCommand::CsvToParquet {
            input,
            output,
            price_precision,
            size_precision,
            timestamp_format,
            sort,
        } => {
            let mut spec =
                BarFileSpec::new(input, InstrumentIndex(0), price_precision, size_precision);
            spec.timestamp_format = match timestamp_format {
                TimestampArg::Rfc3339 => TimestampFormat::Rfc3339,
                TimestampArg::UnixS => TimestampFormat::UnixSeconds,
                TimestampArg::UnixMs => TimestampFormat::UnixMillis,
                TimestampArg::UnixUs => TimestampFormat::UnixMicros,
                TimestampArg::UnixNs => TimestampFormat::UnixNanos,
            };
            spec.sort = sort;
            let rows = data::csv_to_parquet(&spec, &output)?;
            print_stdout(&format!("wrote {rows} bars to {}\n", output.display()))
        }
        WrangleCommand::Synth {
            output,
            bars,
            seed,
            start_price,
            sigma,
            interval_s,
            start,
        } => {
            let start =
                UnixNanos::parse_rfc3339(&start).map_err(|e| Error::Io(format!("--start: {e}")))?;
            if !(start_price > 0.0 && sigma >= 0.0 && interval_s > 0) {
                return Err(Error::Io(
                    "--start-price and --interval-s must be positive, --sigma non-negative".into(),
                ));
            }
            let spec = GbmSpec {
                bars,
                seed,
                start_price,
                sigma,
                start,
                interval_ns: interval_s * 1_000_000_000,
                ..GbmSpec::default()
            };
            let generated = generate_gbm(&spec);
            match data::DataFormat::from_path(&output)? {
                data::DataFormat::Csv => data::write_bars_csv(&generated, &output)?,
                data::DataFormat::Parquet => data::write_bars_parquet(&generated, &output)?,
            }
            print_stdout(&format!("wrote {bars} bars to {}\n", output.display()))
        }
    }
}
