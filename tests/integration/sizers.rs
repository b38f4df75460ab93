//! Every sizer kind through the real binary on the demo data: the sizes it
//! sends follow its rule, and a bad sizer is a located config error.

use crate::util::{bt, results, root, scratch, single_config, write};

/// Runs the EMA cross on the demo data with `sizer`; the closed trades.
fn run_with(sizer: &str) -> Vec<serde_json::Value> {
    let dir = scratch();
    let base = single_config(
        &root().join("data/demo_bars.csv"),
        "ema_cross",
        "fast = 10, slow = 30",
        "0.001",
    );
    let config = write(dir.path(), "c.toml", &format!("{base}sizer = {sizer}\n"));
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    results(&dir.path().join("out"))["trades"]
        .as_array()
        .unwrap()
        .clone()
}

fn sizes(trades: &[serde_json::Value]) -> Vec<f64> {
    trades
        .iter()
        .map(|t| t["size"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn each_sizer_sizes_by_its_rule() {
    let fixed = sizes(&run_with(r#"{ kind = "fixed_quantity", quantity = "7" }"#));
    assert!(!fixed.is_empty() && fixed.iter().all(|s| *s == 7.0));

    let all_in = sizes(&run_with(r#"{ kind = "all_in" }"#));
    let half = sizes(&run_with(
        r#"{ kind = "fraction_of_equity", fraction = 0.5 }"#,
    ));
    assert!(
        (all_in[0] / half[0] - 2.0).abs() < 0.01,
        "{} vs {}",
        all_in[0],
        half[0]
    );

    // 1 % of ~100,000 over 2 ATRs of one-minute bars: far fewer units than all-in.
    let risk = sizes(&run_with(
        r#"{ kind = "fixed_risk", risk = 0.001, atr_period = 14, atr_multiple = 2.0 }"#,
    ));
    assert!(!risk.is_empty());
    assert!(risk.iter().all(|s| *s >= 1.0 && s.fract() == 0.0));
    assert!(risk.iter().zip(&all_in).any(|(r, a)| (r - a).abs() > 1.0));

    // Before 5 closed trades Kelly uses the cap; the demo's record is losing,
    // so afterwards it sizes nothing and the strategy stops trading.
    let kelly = sizes(&run_with(
        r#"{ kind = "kelly", cap = 0.3, min_trades = 5 }"#,
    ));
    assert_eq!(kelly.len(), 5);
    assert!((kelly[0] / all_in[0] - 0.3).abs() < 0.01);

    let target = sizes(&run_with(
        r#"{ kind = "volatility_target", target = 0.05, lookback = 20 }"#,
    ));
    assert!(!target.is_empty());
    assert!(target.iter().zip(&all_in).all(|(t, a)| t <= a));
}

#[test]
fn a_bad_sizer_names_its_field() {
    let dir = scratch();
    let base = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0");
    for (sizer, expected) in [
        (
            r#"{ kind = "fixed_risk", risk = 0.01, atr_period = 14 }"#,
            "strategies.sizer.atr_multiple",
        ),
        (
            r#"{ kind = "kelly", cap = 1.5 }"#,
            "must be in (0, 1], got 1.5",
        ),
        (
            r#"{ kind = "all_in", fraction = 0.5 }"#,
            "'fraction' does not apply to the all_in sizer",
        ),
        (r#"{ kind = "martingale" }"#, "unknown sizer 'martingale'"),
    ] {
        let config = write(dir.path(), "c.toml", &format!("{base}sizer = {sizer}\n"));
        let stderr = bt(dir.path(), &["validate", &config])
            .expect_code(3)
            .stderr();
        assert!(stderr.contains(expected), "{sizer}: {stderr}");
        assert!(stderr.contains("c.toml:"), "{stderr}");
    }
}
