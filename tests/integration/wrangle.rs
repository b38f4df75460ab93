//! `bt wrangle`: CSV to Parquet keeps every bar, and synthetic data is seeded.

use crate::util::{bt, results, root, scratch, single_config, write};

#[test]
fn csv_to_parquet_gives_the_same_backtest() {
    let dir = scratch();
    let csv = root().join("data/demo_bars.csv");
    let parquet = dir.path().join("bars.parquet");
    let run = bt(
        dir.path(),
        &[
            "wrangle",
            "csv-to-parquet",
            csv.to_str().unwrap(),
            parquet.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    assert_eq!(
        run.stdout().trim(),
        format!("wrote 20000 bars to {}", parquet.display())
    );
    let from_csv = write(
        dir.path(),
        "a.toml",
        &single_config(&csv, "ema_cross", "", "0.001"),
    );
    let from_parquet = write(
        dir.path(),
        "b.toml",
        &single_config(&parquet, "ema_cross", "", "0.001"),
    );
    bt(dir.path(), &["run", &from_csv, "--out", "a", "--quiet"]).expect_code(0);
    bt(dir.path(), &["run", &from_parquet, "--out", "b", "--quiet"]).expect_code(0);
    assert_eq!(
        results(&dir.path().join("a"))["stats"],
        results(&dir.path().join("b"))["stats"]
    );
}

#[test]
fn csv_to_parquet_rejects_bad_input_without_writing() {
    let dir = scratch();
    let bad = write(
        dir.path(),
        "bad.csv",
        "timestamp,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,0.5,1,1,1\n",
    );
    let out = dir.path().join("out.parquet");
    let run = bt(
        dir.path(),
        &["wrangle", "csv-to-parquet", &bad, out.to_str().unwrap()],
    )
    .expect_code(3);
    assert!(
        run.stderr().contains("bad.csv:2 column 'high'"),
        "{}",
        run.stderr()
    );
    assert!(!out.exists());
}

#[test]
fn synth_is_seeded() {
    let dir = scratch();
    bt(
        dir.path(),
        &["wrangle", "synth", "a.csv", "--bars", "100", "--seed", "5"],
    )
    .expect_code(0);
    bt(
        dir.path(),
        &["wrangle", "synth", "b.csv", "--bars", "100", "--seed", "5"],
    )
    .expect_code(0);
    let a = std::fs::read(dir.path().join("a.csv")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.csv")).unwrap());
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 101);
}

#[test]
fn wrangle_refuses_to_overwrite_its_input_and_to_wrap_time() {
    let dir = scratch();
    bt(dir.path(), &["wrangle", "synth", "x.csv", "--bars", "10"]).expect_code(0);
    let before = std::fs::read(dir.path().join("x.csv")).unwrap();
    let run = bt(
        dir.path(),
        &["wrangle", "csv-to-parquet", "x.csv", "./x.csv"],
    )
    .expect_code(2);
    assert!(
        run.stderr().contains("is the input file"),
        "{}",
        run.stderr()
    );
    assert_eq!(std::fs::read(dir.path().join("x.csv")).unwrap(), before);
    for (args, expected) in [
        (
            vec!["--bars", "18446744073709551615"],
            "--bars must be from 1 to",
        ),
        (vec!["--bars", "0"], "--bars must be from 1 to"),
        (
            vec!["--bars", "1000", "--interval-s", "100000000000"],
            "end after 2262-04-11",
        ),
        (
            vec!["--bars", "10", "--start", "2262-04-11T23:47:00Z"],
            "end after 2262-04-11",
        ),
        (vec!["--start-price", "NaN"], "must be positive"),
    ] {
        let mut all = vec!["wrangle", "synth", "y.csv"];
        all.extend(args.iter().copied());
        let run = bt(dir.path(), &all).expect_code(2);
        assert!(
            run.stderr().contains(expected),
            "{args:?}: {}",
            run.stderr()
        );
        assert!(!dir.path().join("y.csv").exists(), "{args:?}");
    }
}
