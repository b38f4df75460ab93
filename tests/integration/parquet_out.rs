//! `--parquet` (or `[backtest] parquet = true`): the result tables also as
//! typed Parquet, row for row the same as their CSV twins.

use polars::prelude::*;

use crate::util::run_config;

fn read(path: &std::path::Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn parquet_tables_match_their_csv_twins() {
    let dir = run_config("rsi_reversion", &["--parquet"]);
    let out = dir.path().join("out");
    for table in ["trades", "orders", "equity"] {
        let csv = std::fs::read_to_string(out.join(format!("{table}.csv"))).unwrap();
        let df = read(&out.join(format!("{table}.parquet")));
        assert_eq!(df.height(), csv.lines().count() - 1, "{table}");
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, header, "{table}");
    }
    let trades = read(&out.join("trades.parquet"));
    assert_eq!(
        trades.column("entry_time").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, None)
    );
    // Money: the float of the exact decimal text.
    let csv = std::fs::read_to_string(out.join("trades.csv")).unwrap();
    let first_pnl: f64 = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(9)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        trades.column("pnl").unwrap().f64().unwrap().get(0),
        Some(first_pnl)
    );
    assert_eq!(
        trades.column("tag").unwrap().str().unwrap().get(0),
        Some("entry")
    );
}

#[test]
fn without_the_flag_no_parquet_is_written() {
    let dir = run_config("rsi_reversion", &[]);
    assert!(!dir.path().join("out/trades.parquet").exists());
}
