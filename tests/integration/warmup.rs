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

/// Buy & Hold Return and Alpha of `strategy` (a built-in name or a script
/// path) with `params` on the demo's daily bars.
fn benchmark_stats(dir: &Path, name: &str, strategy: &str, params: &str) -> (f64, f64) {
    let config = single_config(&root().join("data/daily_5y.csv"), strategy, params, "0.001");
    let path = write(dir, &format!("{name}.toml"), &config);
    bt(dir, &["run", &path, "--out", name, "--quiet"]).expect_code(0);
    let out = dir.join(name);
    let number = |key: &str| stat(&out, key).as_f64().unwrap();
    (number("Buy & Hold Return [%]"), number("Alpha [%]"))
}

#[test]
fn a_script_reports_its_warm_up_as_the_built_ins_do() {
    let dir = scratch();
    let script = root().join("templates/init/sma_cross.rhai");
    let script = script.to_str().unwrap();
    let params = "fast = 20, slow = 50";
    // The SMA(50) is undefined on the first 49 bars, for the script as for
    // the built-in: Buy & Hold and Alpha start at the same bar.
    let builtin = benchmark_stats(dir.path(), "builtin", "sma_cross", params);
    let scripted = benchmark_stats(dir.path(), "script", script, params);
    assert_eq!(scripted, builtin);
    // From bar 0 (as before scripts reported a warm-up) they differ.
    let from_start = benchmark_stats(dir.path(), "zero", script, &format!("{params}, warmup = 0"));
    assert_ne!(from_start.0, builtin.0);
    // An explicit `warmup` param is the warm-up.
    let built_ten = benchmark_stats(
        dir.path(),
        "ten_builtin",
        "sma_cross",
        "fast = 5, slow = 11",
    );
    let script_ten = benchmark_stats(dir.path(), "ten", script, &format!("{params}, warmup = 10"));
    assert_eq!(script_ten.0, built_ten.0);
}
