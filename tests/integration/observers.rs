//! `[observers]`: equity, cash, drawdown and positions in observers.csv, at
//! every bar or at the last bar of each interval.

use crate::util::{bt, results, root, run_config, scratch, single_config, write};

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

#[test]
fn observed_cash_counts_every_account_in_the_report_currency() {
    // multi_venue: a USDT margin account and a USD cash account, USD/USDT
    // fixed at 1.0; the last point's cash is both accounts' free balances.
    let dir = run_config("multi_venue", &[]);
    let out = dir.path().join("out");
    let balances: Vec<f64> = results(&out)["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["balances"].as_array().unwrap().clone())
        .map(|b| {
            let text = b["free"].as_str().unwrap();
            text.split(' ').next().unwrap().parse::<f64>().unwrap()
        })
        .collect();
    assert_eq!(balances.len(), 2, "{balances:?}");
    assert!(
        balances.iter().all(|b| *b > 1_000.0),
        "both accounts hold cash: {balances:?}"
    );
    let free: f64 = balances.iter().sum();
    let observed = rows(&out.join("observers.csv"));
    let cash: f64 = observed.last().unwrap()[2].parse().unwrap();
    assert!((cash - free).abs() < 1e-6, "{cash} vs {free}");
}
