//! `bt wrangle …`: data preparation.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::core::UnixNanos;
use crate::core::identifiers::InstrumentIndex;
use crate::data::synthetic::{GbmSpec, generate_gbm};
use crate::data::{self, BarFileSpec, PriceDomain, TimestampFormat};
use crate::error::{Error, Result};

use super::interrupt::{Interrupt, OnSignal};
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

/// The most bars `synth` writes (6.4 GB of bars in memory).
const MAX_SYNTH_BARS: usize = 100_000_000;

/// Whether `a` and `b` name one file (`b` need not exist yet).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let resolve = |p: &std::path::Path| -> Option<PathBuf> {
        std::fs::canonicalize(p).ok().or_else(|| {
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
        })
    };
    matches!((resolve(a), resolve(b)), (Some(x), Some(y)) if x == y)
}

pub(super) fn execute(command: WrangleCommand) -> Result<()> {
    // A signal ends the command at once; the output file is written under
    // a temporary name, which the exit removes.
    let _interrupt = Interrupt::install(OnSignal::Exit)?;
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
            // The file names no instrument: which prices it may hold (a
            // future's may be negative) is checked when a config loads it.
            spec.prices = PriceDomain::Any;
            spec.timestamp_format = match timestamp_format {
                TimestampArg::Rfc3339 => TimestampFormat::Rfc3339,
                TimestampArg::UnixS => TimestampFormat::UnixSeconds,
                TimestampArg::UnixMs => TimestampFormat::UnixMillis,
                TimestampArg::UnixUs => TimestampFormat::UnixMicros,
                TimestampArg::UnixNs => TimestampFormat::UnixNanos,
            };
            spec.sort = sort;
            if same_file(&spec.path, &output) {
                return Err(Error::Usage(format!(
                    "{} is the input file: writing it would overwrite the CSV with Parquet bytes",
                    output.display()
                )));
            }
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
            let start = UnixNanos::parse_rfc3339(&start)
                .map_err(|e| Error::Usage(format!("--start: {e}")))?;
            if !(start_price > 0.0
                && start_price.is_finite()
                && sigma >= 0.0
                && sigma.is_finite()
                && interval_s > 0)
            {
                return Err(Error::Usage(
                    "--start-price and --interval-s must be positive, --sigma non-negative (and finite)"
                        .into(),
                ));
            }
            if bars == 0 || bars > MAX_SYNTH_BARS {
                return Err(Error::Usage(format!(
                    "--bars must be from 1 to {MAX_SYNTH_BARS} (64 bytes a bar in memory), not {bars}"
                )));
            }
            // The last bar's time must be a nanosecond timestamp bt reads
            // (before 2262-04-11): never wrap around.
            let interval_ns = interval_s.checked_mul(1_000_000_000);
            let last = interval_ns
                .and_then(|i| i.checked_mul(i64::try_from(bars - 1).ok()?))
                .and_then(|span| start.0.checked_add(span));
            let (Some(interval_ns), Some(_)) = (interval_ns, last) else {
                return Err(Error::Usage(format!(
                    "{bars} bars {interval_s} s apart from {start} end after 2262-04-11, the last time bt can store: use fewer bars, a shorter --interval-s or an earlier --start"
                )));
            };
            let spec = GbmSpec {
                bars,
                seed,
                start_price,
                sigma,
                start,
                interval_ns,
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
