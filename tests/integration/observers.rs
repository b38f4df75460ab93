//! `[observers]`: equity, cash, drawdown and positions in observers.csv, at
//! every bar or at the last bar of each interval.

use crate::util::{bt, root, scratch, single_config, write};

fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn observers_sample_every_bar_or_every_interval() {
    let dir = scratch();
    let base = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0.001");
    for (every, expected_rows) in [("bar", 20_000), ("1h", 334), ("1d", 14)] {
        let config = write(
            dir.path(),
            "c.toml",
            &format!("{base}\n[observers]\nevery = \"{every}\"\n"),
        );
        bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
        let observed = rows(&dir.path().join("out/observers.csv"));
        let equity = rows(&dir.path().join("out/equity.csv"));
        assert_eq!(
            observed[0],
            [
                "timestamp",
                "equity",
                "cash",
                "drawdown_pct",
                "position:SYNTH.SIM"
            ]
        );
        assert_eq!(observed.len() - 1, expected_rows, "{every}");
        // The last point is the run's final state.
        assert_eq!(
            observed.last().unwrap()[..2],
            equity.last().unwrap()[..2],
            "{every}"
        );
    }
}

#[test]
fn no_observers_no_file_and_a_bad_interval_is_located() {
    let dir = scratch();
    let base = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0");
    let config = write(dir.path(), "c.toml", &base);
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    assert!(!dir.path().join("out/observers.csv").exists());
    let config = write(
        dir.path(),
        "c.toml",
        &format!("{base}\n[observers]\nevery = \"hourly\"\n"),
    );
    let stderr = bt(dir.path(), &["validate", &config])
        .expect_code(3)
        .stderr();
    assert!(stderr.contains("field 'observers.every'"), "{stderr}");
    assert!(
        stderr.contains("must be a positive whole number with a unit"),
        "{stderr}"
    );
}
