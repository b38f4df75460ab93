//! `warmup`: bars before `start` are replayed to strategies and their
//! indicators, but no order is accepted and no equity recorded before
//! `start`; the statistics start there.

use std::path::Path;

use crate::util::{bt, results, root, scratch, single_config, write};

/// Runs sma_cross on the demo bars with `lines` under `[backtest]`; the
/// output directory, or the stderr of a failure when `code` is not 0.
fn run(dir: &Path, name: &str, lines: &str, code: i32) -> (std::path::PathBuf, String) {
    let config = single_config(&root().join("data/demo_bars.csv"), "sma_cross", "", "0")
        .replace("name = \"test\"", &format!("name = \"test\"\n{lines}"));
    let path = write(dir, &format!("{name}.toml"), &config);
    let run = bt(dir, &["run", &path, "--out", name, "--quiet"]).expect_code(code);
    (dir.join(name), run.stderr())
}

fn stat(out: &Path, key: &str) -> serde_json::Value {
    results(out)["stats"][key].clone()
}

#[test]
fn warm_up_bars_feed_the_strategy_but_trade_nothing_and_count_nothing() {
    let dir = scratch();
    let start = "start = \"2020-01-03T00:00:00Z\"";
    let (cold, _) = run(dir.path(), "cold", start, 0);
    let (warm, _) = run(dir.path(), "warm", &format!("{start}\nwarmup = 200"), 0);
    // Both runs start at `start`: the equity, and the statistics.
    for out in [&cold, &warm] {
        let equity = std::fs::read_to_string(out.join("equity.csv")).unwrap();
        assert!(
            equity
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("2020-01-03T00:00:00Z,100000.")
        );
        assert_eq!(stat(out, "Start"), "2020-01-03T00:00:00Z");
    }
    // Crosses during the warm-up were refused, and said so; nothing
    // filled before `start`.
    let orders = std::fs::read_to_string(warm.join("orders.csv")).unwrap();
    let refused = orders
        .lines()
        .filter(|l| l.contains("warm-up: no order is accepted before 2020-01-03T00:00:00Z"))
        .count();
    assert!(refused > 0, "{orders}");
    assert!(
        orders
            .lines()
            .filter(|l| l.contains(",FILLED,"))
            .all(|l| l.split(',').nth(7).unwrap() >= "2020-01-03T00:00:00Z")
    );
    // The SMAs are warm at `start`: Buy & Hold is measured from `start`,
    // where the cold run measures it from the 30th bar after.
    assert_ne!(
        stat(&cold, "Buy & Hold Return [%]"),
        stat(&warm, "Buy & Hold Return [%]")
    );
    let (ema, _) = run(
        dir.path(),
        "durations",
        &format!("{start}\nwarmup = \"1d\""),
        0,
    );
    assert_eq!(stat(&ema, "Start"), "2020-01-03T00:00:00Z");
}

#[test]
fn without_a_start_the_warm_up_is_the_first_bars() {
    let dir = scratch();
    let (out, _) = run(dir.path(), "first", "warmup = 60", 0);
    // The demo's bars are a minute apart: trading starts at the 61st.
    assert_eq!(stat(&out, "Start"), "2020-01-01T01:00:00Z");
}

#[test]
fn a_warm_up_that_does_not_fit_is_a_located_error() {
    let dir = scratch();
    let (_, stderr) = run(
        dir.path(),
        "long",
        "start = \"2020-01-01T00:10:00Z\"\nwarmup = 100",
        3,
    );
    assert!(stderr.contains("field 'backtest.warmup'"), "{stderr}");
    assert!(
        stderr.contains(
            "a warm-up of 100 bars needs 100 bars before 2020-01-01T00:10:00Z; the data hold 10"
        ),
        "{stderr}"
    );
    for bad in ["warmup = 0", "warmup = \"soon\"", "warmup = 1.5"] {
        let (_, stderr) = run(dir.path(), "bad", bad, 3);
        assert!(
            stderr.contains("field 'backtest.warmup'"),
            "{bad}: {stderr}"
        );
    }
}
