//! What to load and how.

use std::path::{Path, PathBuf};

use crate::core::identifiers::InstrumentIndex;
use crate::model::data::Bar;

use super::DataError;

/// Column names of a bar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarColumns {
    pub timestamp: String,
    pub open: String,
    pub high: String,
    pub low: String,
    pub close: String,
    pub volume: String,
}

impl Default for BarColumns {
    fn default() -> Self {
        Self {
            timestamp: "timestamp".into(),
            open: "open".into(),
            high: "high".into(),
            low: "low".into(),
            close: "close".into(),
            volume: "volume".into(),
        }
    }
}

/// How timestamps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampFormat {
    /// RFC 3339 text, or a native Parquet datetime.
    #[default]
    Rfc3339,
    UnixSeconds,
    UnixMillis,
    UnixMicros,
    UnixNanos,
}

impl TimestampFormat {
    /// Nanoseconds per unit of an integer timestamp.
    #[must_use]
    pub const fn nanos_per_unit(self) -> Option<i64> {
        match self {
            Self::Rfc3339 => None,
            Self::UnixSeconds => Some(1_000_000_000),
            Self::UnixMillis => Some(1_000_000),
            Self::UnixMicros => Some(1_000),
            Self::UnixNanos => Some(1),
        }
    }
}

/// File formats, inferred from the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Csv,
    Parquet,
}

impl DataFormat {
    /// # Errors
    /// For an extension other than `.csv` or `.parquet`.
    pub fn from_path(path: &Path) -> Result<Self, DataError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(Self::Csv),
            Some("parquet" | "pq") => Ok(Self::Parquet),
            _ => Err(DataError::file(
                path,
                "cannot tell the format from the extension (expected .csv or .parquet)",
            )),
        }
    }
}

/// One bar file to load for one instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarFileSpec {
    pub path: PathBuf,
    pub format: Option<DataFormat>,
    pub columns: BarColumns,
    pub timestamp_format: TimestampFormat,
    pub instrument: InstrumentIndex,
    pub price_precision: u8,
    pub size_precision: u8,
    /// Sort unsorted rows (with a warning) instead of failing.
    pub sort: bool,
    /// The prices the instrument can trade at.
    pub prices: PriceDomain,
}

/// The prices an instrument can trade at: a bar outside is bad data (a
/// file of zeros, a sign lost), not a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceDomain {
    /// Above zero: shares, currencies, coins, odds.
    Positive,
    /// Zero or above: an option can be worthless.
    NonNegative,
    /// Any sign: a future's price can fall below zero (WTI, April 2020).
    Any,
}

impl BarFileSpec {
    /// A spec with default columns and RFC 3339 timestamps.
    #[must_use]
    pub fn new(
        path: impl Into<PathBuf>,
        instrument: InstrumentIndex,
        price_precision: u8,
        size_precision: u8,
    ) -> Self {
        Self {
            path: path.into(),
            format: None,
            columns: BarColumns::default(),
            timestamp_format: TimestampFormat::Rfc3339,
            instrument,
            price_precision,
            size_precision,
            sort: false,
            prices: PriceDomain::Positive,
        }
    }
}

/// Bars loaded from a file, with what was noticed on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedBars {
    pub bars: Vec<Bar>,
    pub warnings: Vec<String>,
}
