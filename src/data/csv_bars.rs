//! Bars from CSV, parsed from the text (never through f64).

use std::path::Path;

use crate::core::time::UnixNanos;
use crate::model::data::Bar;

use super::cells;
use super::validate::ParsedBars;
use super::{BarFileSpec, DataError};

/// Where column `name` is; a header that names it twice is ambiguous.
pub(super) fn column_index(
    headers: &csv::ByteRecord,
    name: &str,
    path: &Path,
) -> Result<usize, DataError> {
    let mut named = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| *h == name.as_bytes())
        .map(|(k, _)| k);
    let first = named.next();
    if let (Some(a), Some(b)) = (first, named.next()) {
        return Err(DataError {
            row: Some(1),
            ..DataError::column(
                path,
                name,
                format!(
                    "the header names this column twice (columns {} and {}): which one is meant?",
                    a + 1,
                    b + 1
                ),
            )
        });
    }
    first.ok_or_else(|| {
        let found: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        DataError::missing_column(path, Some(1), name, &found)
    })
}

/// Opens a CSV file with a header row; the reader and the header.
pub(super) fn open(
    path: &Path,
) -> Result<(csv::Reader<std::fs::File>, csv::ByteRecord), DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| DataError::file(path, format!("cannot open: {e}")))?;
    let headers = reader
        .byte_headers()
        .map_err(|e| DataError::file(path, e.to_string()))?
        .clone();
    Ok((reader, headers))
}

/// Reads the next record into `record`: `false` at the end, an error
/// naming the line where the CSV breaks.
pub(super) fn next_record(
    reader: &mut csv::Reader<std::fs::File>,
    record: &mut csv::ByteRecord,
    path: &Path,
) -> Result<bool, DataError> {
    reader.read_byte_record(record).map_err(|e| DataError {
        row: e.position().map(|p| usize::try_from(p.line()).unwrap_or(0)),
        ..DataError::file(path, e.to_string())
    })
}

pub(super) fn read(spec: &BarFileSpec) -> Result<ParsedBars, DataError> {
    let path = spec.path.as_path();
    let (mut reader, headers) = open(path)?;
    let c = &spec.columns;
    let idx = [
        column_index(&headers, &c.timestamp, path)?,
        column_index(&headers, &c.open, path)?,
        column_index(&headers, &c.high, path)?,
        column_index(&headers, &c.low, path)?,
        column_index(&headers, &c.close, path)?,
        column_index(&headers, &c.volume, path)?,
    ];
    let names = [&c.timestamp, &c.open, &c.high, &c.low, &c.close, &c.volume];
    let mut bars = Vec::new();
    let mut rounded = 0usize;
    let mut record = csv::ByteRecord::new();
    let mut line = 1usize;
    while next_record(&mut reader, &mut record, path)? {
        line = record
            .position()
            .map_or(line + 1, |p| usize::try_from(p.line()).unwrap_or(line + 1));
        let cell = |k: usize| -> Result<&str, DataError> {
            let bytes = record
                .get(idx[k])
                .ok_or_else(|| DataError::at(path, line, names[k], "missing value"))?;
            std::str::from_utf8(bytes)
                .map_err(|_| DataError::at(path, line, names[k], "not UTF-8 text"))
        };
        let at = |k: usize| move |message: String| DataError::at(path, line, names[k], message);
        let ts: UnixNanos =
            cells::timestamp_text(cell(0)?, spec.timestamp_format).map_err(at(0))?;
        let mut prices = [0i64; 4];
        for (k, slot) in prices.iter_mut().enumerate() {
            let (value, was_rounded) =
                cells::price_text(cell(k + 1)?, spec.price_precision).map_err(at(k + 1))?;
            *slot = value;
            rounded += usize::from(was_rounded);
        }
        let (volume, vol_rounded) =
            cells::volume_text(cell(5)?, spec.size_precision).map_err(at(5))?;
        rounded += usize::from(vol_rounded);
        bars.push(Bar {
            ts_event: ts,
            ts_init: ts,
            open: prices[0],
            high: prices[1],
            low: prices[2],
            close: prices[3],
            volume,
            instrument: spec.instrument,
            price_precision: spec.price_precision,
            size_precision: spec.size_precision,
        });
    }
    if bars.is_empty() {
        return Err(DataError::file(path, "no rows"));
    }
    Ok(ParsedBars {
        bars,
        first_row: 2,
        rounded,
    })
}

pub(super) fn write(bars: &[Bar], output: &Path) -> Result<(), DataError> {
    let err = |e: std::io::Error| DataError::unwritable(output, e);
    let (temp, file) = crate::core::atomic::TempFile::create(output).map_err(err)?;
    {
        let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let werr = |e: csv::Error| DataError::unwritable(output, e);
        out.write_record(["timestamp", "open", "high", "low", "close", "volume"])
            .map_err(werr)?;
        for b in bars {
            out.write_record([
                b.ts_init.to_string(),
                b.open().to_string(),
                b.high().to_string(),
                b.low().to_string(),
                b.close().to_string(),
                b.volume().to_string(),
            ])
            .map_err(werr)?;
        }
        out.flush().map_err(err)?;
    }
    temp.persist().map_err(err)
}
