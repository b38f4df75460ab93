//! Bars from and to Parquet with polars (eager API only). Float price
//! columns are rounded half up to the instrument's precision, never
//! truncated; text columns are parsed exactly like CSV cells.

use std::path::Path;

use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read;

use crate::core::fixed;
use crate::core::time::UnixNanos;
use crate::model::data::Bar;

use super::cells;
use super::validate::ParsedBars;
use super::{BarColumns, BarFileSpec, DataError, TimestampFormat};
use crate::core::atomic::TempFile;

pub(super) fn column<'a>(
    df: &'a DataFrame,
    name: &str,
    path: &Path,
) -> Result<&'a Series, DataError> {
    df.column(name)
        .map(Column::as_materialized_series)
        .map_err(|_| {
            let found: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            DataError::missing_column(path, None, name, &found)
        })
}

pub(super) fn timestamps(
    series: &Series,
    format: TimestampFormat,
    path: &Path,
    name: &str,
) -> Result<Vec<UnixNanos>, DataError> {
    let at = |row: usize, message: String| DataError::at(path, row + 1, name, message);
    let null = |row: usize| at(row, "missing value".to_string());
    match series.dtype() {
        DataType::String => {
            let values = series
                .str()
                .map_err(|e| DataError::file(path, e.to_string()))?;
            values
                .iter()
                .enumerate()
                .map(|(row, v)| {
                    v.ok_or_else(|| null(row))
                        .and_then(|t| cells::timestamp_text(t, format).map_err(|m| at(row, m)))
                })
                .collect()
        }
        DataType::Datetime(unit, _) => {
            let per_unit: i64 = match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1_000_000,
            };
            integer_timestamps(series, path, name, |v| {
                v.checked_mul(per_unit).map(UnixNanos)
            })
        }
        dtype if dtype.is_integer() => {
            if format == TimestampFormat::Rfc3339 {
                return Err(DataError::column(
                    path,
                    name,
                    "integer timestamps need timestamp_format = \"unix_s\", \"unix_ms\", \"unix_us\" or \"unix_ns\"",
                ));
            }
            integer_timestamps(series, path, name, |v| cells::timestamp_int(v, format))
        }
        other => Err(DataError::column(
            path,
            name,
            format!("unsupported timestamp type {other}"),
        )),
    }
}

/// An integer or datetime column through `to_nanos`, with row errors.
fn integer_timestamps(
    series: &Series,
    path: &Path,
    name: &str,
    to_nanos: impl Fn(i64) -> Option<UnixNanos>,
) -> Result<Vec<UnixNanos>, DataError> {
    let physical = series
        .cast(&DataType::Int64)
        .map_err(|e| DataError::file(path, e.to_string()))?;
    let values = physical
        .i64()
        .map_err(|e| DataError::file(path, e.to_string()))?;
    if values.null_count() == 0 {
        // One pass over the raw slices; any failure is found again below.
        let fast: Option<Vec<UnixNanos>> = values
            .downcast_iter()
            .flat_map(|array| array.values().iter())
            .map(|&v| to_nanos(v))
            .collect();
        if let Some(fast) = fast {
            return Ok(fast);
        }
    }
    values
        .iter()
        .enumerate()
        .map(|(row, v)| {
            let v = v.ok_or_else(|| DataError::at(path, row + 1, name, "missing value"))?;
            to_nanos(v).ok_or_else(|| {
                DataError::at(
                    path,
                    row + 1,
                    name,
                    format!("timestamp {v} is out of range"),
                )
            })
        })
        .collect()
}

/// The raws of a float column at `precision`, `None` for a value that is
/// NaN or out of range. Rounds exactly as [`fixed::raw_from_f64`], in one
/// tight pass (the per-cell path with its error handling is several times
/// slower); the caller must have checked there are no nulls.
fn float_raws(floats: &Float64Chunked, precision: u8) -> impl Iterator<Item = Option<i64>> + '_ {
    floats
        .downcast_iter()
        .flat_map(|array| array.values().iter())
        .map(move |&value| fixed::raw64_from_f64(value, precision))
}

/// Writes a float price column straight into the bars when every value
/// converts; `false` sends the caller to the per-cell path, which finds and
/// names the bad row (and overwrites what was written here).
fn fill_prices_fast(
    floats: &Float64Chunked,
    precision: u8,
    bars: &mut [Bar],
    set: fn(&mut Bar, i64),
) -> bool {
    if floats.null_count() > 0 || floats.len() != bars.len() {
        return false;
    }
    for (bar, raw) in bars.iter_mut().zip(float_raws(floats, precision)) {
        let Some(raw) = raw else {
            return false;
        };
        set(bar, raw);
    }
    true
}

/// [`fill_prices_fast`] for volumes: also refuses negatives, and returns how
/// many values had more decimals than `precision` (as `cells::volume_float`
/// counts them).
fn fill_volumes_fast(floats: &Float64Chunked, precision: u8, bars: &mut [Bar]) -> Option<usize> {
    if floats.null_count() > 0 || floats.len() != bars.len() {
        return None;
    }
    let mut rounded = 0;
    let exact = float_raws(floats, fixed::FIXED_PRECISION);
    for ((bar, raw), full) in bars
        .iter_mut()
        .zip(float_raws(floats, precision))
        .zip(exact)
    {
        let (raw, full) = (raw?, full?);
        rounded += usize::from(raw != full);
        bar.volume = u64::try_from(raw).ok()?;
    }
    Some(rounded)
}

/// Puts one price column into the bars, counting the values rounded.
fn fill_prices(
    series: &Series,
    precision: u8,
    (path, name): (&Path, &str),
    rounded: &mut usize,
    bars: &mut [Bar],
    set: fn(&mut Bar, i64),
) -> Result<(), DataError> {
    let at = |row: usize, message: String| DataError::at(path, row + 1, name, message);
    let fail = |e: PolarsError| DataError::file(path, e.to_string());
    let raws: Vec<i64> = match series.dtype() {
        DataType::String => series
            .str()
            .map_err(fail)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                let text = v.ok_or_else(|| at(row, "missing value".into()))?;
                let (value, was_rounded) =
                    cells::price_text(text, precision).map_err(|m| at(row, m))?;
                *rounded += usize::from(was_rounded);
                Ok(value)
            })
            .collect::<Result<_, _>>()?,
        dtype if dtype.is_float() || dtype.is_integer() => {
            let floats = series.cast(&DataType::Float64).map_err(fail)?;
            let floats = floats.f64().map_err(fail)?;
            if fill_prices_fast(floats, precision, bars, set) {
                return Ok(());
            }
            // Something is wrong in the column: find the row and say what.
            floats
                .iter()
                .enumerate()
                .map(|(row, v)| {
                    cells::price_float(v.ok_or_else(|| at(row, "missing value".into()))?, precision)
                        .map_err(|m| at(row, m))
                })
                .collect::<Result<_, _>>()?
        }
        other => {
            return Err(DataError::column(
                path,
                name,
                format!("unsupported price type {other}"),
            ));
        }
    };
    fill_column(bars, raws, set);
    Ok(())
}

/// Puts the volume column into the bars, counting the values rounded.
fn fill_volumes(
    series: &Series,
    precision: u8,
    (path, name): (&Path, &str),
    rounded: &mut usize,
    bars: &mut [Bar],
) -> Result<(), DataError> {
    let at = |row: usize, message: String| DataError::at(path, row + 1, name, message);
    let fail = |e: PolarsError| DataError::file(path, e.to_string());
    let floats = series.cast(&DataType::Float64).map_err(fail)?;
    let floats = floats.f64().map_err(fail)?;
    if let Some(count) = fill_volumes_fast(floats, precision, bars) {
        *rounded += count;
        return Ok(());
    }
    for (row, (bar, v)) in bars.iter_mut().zip(floats.iter()).enumerate() {
        let (value, was_rounded) =
            cells::volume_float(v.ok_or_else(|| at(row, "missing value".into()))?, precision)
                .map_err(|m| at(row, m))?;
        *rounded += usize::from(was_rounded);
        bar.volume = value;
    }
    Ok(())
}

/// Writes one column into the bars; inlined per field, so no call per row.
#[inline(always)]
fn fill_column(bars: &mut [Bar], raws: Vec<i64>, set: fn(&mut Bar, i64)) {
    for (bar, raw) in bars.iter_mut().zip(raws) {
        set(bar, raw);
    }
}

/// Rows a byte of a bar file can hold at most. A row is a distinct
/// timestamp and five numbers; real files take several bytes a row even
/// compressed, so four rows a byte is a claim no real file makes.
const MAX_ROWS_PER_BYTE: u64 = 4;

/// A corrupt footer or page header can claim more values than the file
/// could hold, and polars reserves memory for the claim before it reads
/// the values: an allocation of exabytes aborts the process, which no
/// error handling can catch. Every claim is checked first: the file's
/// rows, each row group's, each column chunk's values, and each data page's.
fn check_claims(metadata: &FileMetadataRef, contents: &Buffer<u8>) -> PolarsResult<()> {
    let bytes = u64::try_from(contents.len()).unwrap_or(u64::MAX);
    let most = bytes.saturating_mul(MAX_ROWS_PER_BYTE);
    let check = |what: &str, claim: u64| {
        if claim > most {
            return Err(PolarsError::ComputeError(
                format!(
                    "{what} claims {claim} values in a file of {bytes} bytes (corrupt metadata)"
                )
                .into(),
            ));
        }
        Ok(())
    };
    let widen = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    check("its footer", widen(metadata.num_rows))?;
    for group in &metadata.row_groups {
        check("a row group", widen(group.num_rows()))?;
        for column in group.parquet_columns() {
            let values = u64::try_from(column.num_values()).unwrap_or(u64::MAX);
            check("a column chunk", values)?;
            let pages = read::get_page_iterator(
                column,
                std::io::Cursor::new(contents.clone()),
                Vec::new(),
                contents.len(),
            )
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
            for page in pages {
                let page = page.map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
                // A dictionary page keeps its count to itself.
                let CompressedPage::Data(data) = &page else {
                    continue;
                };
                let claim = widen(data.num_values());
                check("a page", claim)?;
                if claim > values {
                    return Err(PolarsError::ComputeError(
                        format!("a page claims {claim} values in a column chunk of {values} (corrupt metadata)").into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Reads a whole Parquet file into a frame, any corruption an error.
pub(super) fn read_frame(path: &Path) -> Result<DataFrame, DataError> {
    // Read once: the claims are checked on the bytes polars then reads.
    let contents: Buffer<u8> = std::fs::read(path)
        .map_err(|e| DataError::file(path, format!("cannot open: {e}")))?
        .into();
    // polars panics on some corrupt files (broken metadata): contained,
    // that is an unreadable file like any other.
    crate::core::contain::contain(|| {
        let mut reader = ParquetReader::new(std::io::Cursor::new(contents.clone()));
        check_claims(reader.get_metadata()?, &contents)?;
        reader.finish()
    })
    .map_err(|panic| DataError::file(path, format!("not a readable Parquet file: {panic}")))?
    .map_err(|e| DataError::file(path, format!("not a readable Parquet file: {e}")))
}

pub(super) fn read(spec: &BarFileSpec) -> Result<ParsedBars, DataError> {
    let path = spec.path.as_path();
    let df = read_frame(path)?;
    let c = &spec.columns;
    let mut rounded = 0;
    let ts = timestamps(
        column(&df, &c.timestamp, path)?,
        spec.timestamp_format,
        path,
        &c.timestamp,
    )?;
    if ts.is_empty() {
        return Err(DataError::file(path, "no rows"));
    }
    // Columns go straight into the bars, one at a time, so at most one
    // column's buffer is alive beside them.
    let mut bars: Vec<Bar> = ts
        .iter()
        .map(|&t| Bar {
            ts_event: t,
            ts_init: t,
            open: 0,
            high: 0,
            low: 0,
            close: 0,
            volume: 0,
            instrument: spec.instrument,
            price_precision: spec.price_precision,
            size_precision: spec.size_precision,
        })
        .collect();
    drop(ts);
    let mut fill = |name: &String, set: fn(&mut Bar, i64)| -> Result<(), DataError> {
        fill_prices(
            column(&df, name, path)?,
            spec.price_precision,
            (path, name),
            &mut rounded,
            &mut bars,
            set,
        )
    };
    fill(&c.open, |b, v| b.open = v)?;
    fill(&c.high, |b, v| b.high = v)?;
    fill(&c.low, |b, v| b.low = v)?;
    fill(&c.close, |b, v| b.close = v)?;
    fill_volumes(
        column(&df, &c.volume, path)?,
        spec.size_precision,
        (path, &c.volume),
        &mut rounded,
        &mut bars,
    )?;
    Ok(ParsedBars {
        bars,
        first_row: 1,
        rounded,
    })
}

pub(super) fn write(bars: &[Bar], columns: &BarColumns, output: &Path) -> Result<(), DataError> {
    let fail = |e: PolarsError| DataError::unwritable(output, e);
    // A native UTC-less nanosecond datetime: read back without parsing text.
    let timestamps: Vec<i64> = bars.iter().map(|b| b.ts_init.0).collect();
    let as_f64 = |raw: fn(&Bar) -> i64| -> Result<Vec<f64>, DataError> {
        bars.iter()
            .map(|b| {
                let price = crate::core::Price {
                    raw: raw(b),
                    precision: b.price_precision,
                };
                let value = price.as_f64();
                // Floats must read back to the same fixed-point price.
                match crate::core::Price::from_f64(value, b.price_precision) {
                    Ok(back) if back == price => Ok(value),
                    _ => Err(DataError::file(
                        output,
                        format!("price {price} does not survive a float column"),
                    )),
                }
            })
            .collect()
    };
    let volumes: Vec<f64> = bars.iter().map(|b| b.volume().as_f64()).collect();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new(columns.timestamp.as_str().into(), timestamps)
            .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
            .map_err(fail)?,
        Column::new(columns.open.as_str().into(), as_f64(|b| b.open)?),
        Column::new(columns.high.as_str().into(), as_f64(|b| b.high)?),
        Column::new(columns.low.as_str().into(), as_f64(|b| b.low)?),
        Column::new(columns.close.as_str().into(), as_f64(|b| b.close)?),
        Column::new(columns.volume.as_str().into(), volumes),
    ])
    .map_err(fail)?;
    let err = |e: std::io::Error| DataError::unwritable(output, e);
    let (temp, file) = TempFile::create(output).map_err(err)?;
    // Snappy decodes several times faster than the zstd default.
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(fail)?;
    temp.persist().map_err(err)
}
