use std::io::Write;

use super::*;
use crate::core::identifiers::InstrumentIndex;

fn csv_file(dir: &tempfile::TempDir, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(body.as_bytes()).unwrap();
    path
}

fn spec(path: &std::path::Path) -> BarFileSpec {
    BarFileSpec::new(path, InstrumentIndex(0), 2, 0)
}

const HEADER: &str = "timestamp,open,high,low,close,volume\n";

fn load_err(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(&dir, "bars.csv", &format!("{HEADER}{body}"));
    load_bars(&spec(&path))
        .unwrap_err()
        .to_string()
        .replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn loads_exact_prices() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(
        &dir,
        "bars.csv",
        &format!(
            "{HEADER}2020-01-01T00:00:00Z,100.00,100.11,99.87,100.03,3060\n2020-01-01T00:01:00Z,100.03,100.15,99.92,99.93,7292\n"
        ),
    );
    let loaded = load_bars(&spec(&path)).unwrap();
    assert_eq!(loaded.bars.len(), 2);
    assert_eq!(loaded.bars[0].close, 100_030_000_000);
    assert_eq!(loaded.bars[1].ts_init.to_string(), "2020-01-01T00:01:00Z");
    assert!(loaded.warnings.is_empty());
}

#[test]
fn rejects_bad_rows_with_file_row_and_column() {
    assert_eq!(
        load_err("2020-01-01T00:00:00Z,100.00,x,99.87,100.03,3060\n"),
        "DIR/bars.csv:2 column 'high': invalid decimal 'x': expected digits with an optional sign and one '.'"
    );
    assert_eq!(
        load_err("2020-01-01T00:00:00Z,100.00,99.00,98.00,100.03,1\n"),
        "DIR/bars.csv:2 column 'high': high 99.00 is below max(open, close) 100.03"
    );
    assert_eq!(
        load_err("2020-01-01T00:00:00Z,100.00,101.00,100.01,100.03,1\n"),
        "DIR/bars.csv:2 column 'low': low 100.01 is above min(open, close) 100.00"
    );
    assert_eq!(
        load_err("2020-01-01T00:00:00Z,100.00,101.00,99.00,100.03,-5\n"),
        "DIR/bars.csv:2 column 'volume': volume -5 is negative"
    );
    assert!(
        load_err("2020-01-01T00:01:00Z,1,1,1,1,1\n2020-01-01T00:00:00Z,1,1,1,1,1\n").starts_with(
            "DIR/bars.csv:3 column 'timestamp': timestamp 2020-01-01T00:00:00Z is before"
        )
    );
    assert_eq!(
        load_err("2020-01-01T00:00:00Z,1,1,1,1,1\n2020-01-01T00:00:00Z,1,1,1,1,1\n"),
        "DIR/bars.csv:3 column 'timestamp': duplicate timestamp 2020-01-01T00:00:00Z"
    );
    assert!(
        load_err("yesterday,1,1,1,1,1\n")
            .starts_with("DIR/bars.csv:2 column 'timestamp': invalid timestamp 'yesterday'")
    );
    assert_eq!(load_err(""), "DIR/bars.csv: no rows");
}

#[test]
fn missing_columns_list_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(&dir, "b.csv", "time,open,high,low,close,volume\n");
    let err = load_bars(&spec(&path)).unwrap_err();
    assert_eq!(err.column.as_deref(), Some("timestamp"));
    assert!(
        err.message
            .contains("found: time, open, high, low, close, volume"),
        "{err}"
    );
}

#[test]
fn sorts_with_a_warning_when_asked_and_rounds_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(
        &dir,
        "b.csv",
        &format!("{HEADER}2020-01-01T00:01:00Z,1.005,1.01,1,1,1\n2020-01-01T00:00:00Z,1,1,1,1,1\n"),
    );
    let mut s = spec(&path);
    s.sort = true;
    let loaded = load_bars(&s).unwrap();
    assert_eq!(loaded.bars[0].ts_init.to_string(), "2020-01-01T00:00:00Z");
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    assert_eq!(loaded.bars[1].open, 1_010_000_000);
}

#[test]
fn integer_timestamps_and_custom_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(&dir, "b.csv", "t,o,h,l,c,v\n1577836800000,1,2,1,2,1\n");
    let mut s = spec(&path);
    s.columns = BarColumns {
        timestamp: "t".into(),
        open: "o".into(),
        high: "h".into(),
        low: "l".into(),
        close: "c".into(),
        volume: "v".into(),
    };
    s.timestamp_format = TimestampFormat::UnixMillis;
    assert_eq!(
        load_bars(&s).unwrap().bars[0].ts_init.to_string(),
        "2020-01-01T00:00:00Z"
    );
}

#[test]
fn csv_to_parquet_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let bars = synthetic::generate_gbm(&synthetic::GbmSpec {
        bars: 500,
        ..synthetic::GbmSpec::default()
    });
    let csv_path = dir.path().join("bars.csv");
    write_bars_csv(&bars, &csv_path).unwrap();
    let parquet_path = dir.path().join("bars.parquet");
    assert_eq!(
        csv_to_parquet(&spec(&csv_path), &parquet_path).unwrap(),
        500
    );
    let from_csv = load_bars(&spec(&csv_path)).unwrap().bars;
    let from_parquet = load_bars(&spec(&parquet_path)).unwrap().bars;
    assert_eq!(from_csv, bars);
    assert_eq!(from_parquet, bars);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp"))
    );
}

#[test]
fn unknown_extension_and_bad_parquet_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let txt = csv_file(&dir, "bars.txt", "x");
    assert!(
        load_bars(&spec(&txt))
            .unwrap_err()
            .to_string()
            .contains("cannot tell the format")
    );
    let bad = csv_file(&dir, "bars.parquet", "not parquet");
    assert!(
        load_bars(&spec(&bad))
            .unwrap_err()
            .to_string()
            .contains("not a readable Parquet file")
    );
}

fn write_parquet(path: &std::path::Path, timestamps: polars::prelude::Column) {
    use polars::prelude::*;
    let mut df = DataFrame::new_infer_height(vec![
        timestamps,
        Column::new("open".into(), vec![1.0f64, 1.5]),
        Column::new("high".into(), vec![2.0f64, 2.0]),
        Column::new("low".into(), vec![0.5f64, 1.0]),
        Column::new("close".into(), vec![1.5f64, 1.25]),
        Column::new("volume".into(), vec![10i64, 20]),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[test]
fn parquet_integer_and_datetime_timestamps() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let ints = dir.path().join("ints.parquet");
    write_parquet(
        &ints,
        Column::new(
            "timestamp".into(),
            vec![1_577_836_800_000i64, 1_577_836_860_000],
        ),
    );
    let mut s = spec(&ints);
    assert!(
        load_bars(&s)
            .unwrap_err()
            .message
            .contains("integer timestamps need timestamp_format")
    );
    s.timestamp_format = TimestampFormat::UnixMillis;
    let bars = load_bars(&s).unwrap().bars;
    assert_eq!(bars[1].ts_init.to_string(), "2020-01-01T00:01:00Z");
    assert_eq!(bars[1].close().to_string(), "1.25");

    let datetimes = dir.path().join("dt.parquet");
    let column = Column::new(
        "timestamp".into(),
        vec![1_577_836_800_000i64, 1_577_836_860_000],
    )
    .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    .unwrap();
    write_parquet(&datetimes, column);
    let bars = load_bars(&spec(&datetimes)).unwrap().bars;
    assert_eq!(bars[0].ts_init.to_string(), "2020-01-01T00:00:00Z");
    assert_eq!(bars[0].volume().to_string(), "10");
}

/// A Parquet file with float prices `close` (open = high = low = close).
fn float_parquet(path: &std::path::Path, close: Vec<f64>, volume: Vec<f64>) {
    use polars::prelude::*;
    let n = i64::try_from(close.len()).unwrap();
    let ts: Vec<i64> = (0..n).map(|i| 1_577_836_800 + 60 * i).collect();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("timestamp".into(), ts),
        Column::new("open".into(), close.clone()),
        Column::new("high".into(), close.clone()),
        Column::new("low".into(), close.clone()),
        Column::new("close".into(), close),
        Column::new("volume".into(), volume),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[test]
fn float_columns_round_half_up_and_bad_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floats.parquet");
    let mut s = spec(&path);
    s.timestamp_format = TimestampFormat::UnixSeconds;
    // 2 decimals: 1.005 is 1.00499999… in binary and 2.675 is 2.67499…;
    // the conversion rounds the float's value, as raw_from_f64 does.
    let closes = vec![1.0, 1.005, 2.675, -0.0 + 3.125, 1e6 + 0.125];
    float_parquet(&path, closes.clone(), vec![1.0, 2.5, 0.0, 4.0, 5.0]);
    let loaded = load_bars(&s).unwrap();
    for (bar, close) in loaded.bars.iter().zip(&closes) {
        let expected = crate::core::fixed::raw_from_f64(*close, 2).unwrap();
        assert_eq!(i128::from(bar.close), expected, "{close}");
    }
    assert_eq!(
        loaded.bars[1].volume().to_string(),
        "3",
        "2.5 rounds half up"
    );
    // Float prices are decimals approximated in binary, so their rounding is
    // expected; a volume with more decimals than the lot is worth a warning.
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains("1 values"),
        "{:?}",
        loaded.warnings
    );

    float_parquet(&path, vec![1.0, f64::NAN, 2.0], vec![1.0, 1.0, 1.0]);
    let e = load_bars(&s).unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (Some(2), Some("open")), "{e}");
    float_parquet(&path, vec![1.0, 2.0], vec![1.0, -1.0]);
    let e = load_bars(&s).unwrap_err();
    assert!(e.message.contains("negative"), "{e}");
    assert_eq!(e.row, Some(2));
}
