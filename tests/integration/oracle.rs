//! bt against Backtesting.py 0.6.6: the cases of
//! scripts/backtesting_py_oracle.py (close-and-reverse all in, long only
//! all in, a bracket with a stop and a target, leverage 2) on gapping
//! daily bars, compared trade by trade (size, entry and exit bar, prices,
//! PnL) and statistic by statistic, to 1e-9 relative. The expected
//! results are committed fixtures; `cargo test` never runs Python.

use std::path::Path;

use serde_json::Value;

use crate::util::{bt, csv_records, results, root, scratch, write};

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/oracle").join(name)
}

/// Runs the script in `mode` with bt on a margin venue (`leverage`,
/// `commission` as maker and taker fee, Backtesting.py's pessimistic bar
/// path).
fn run_case(dir: &Path, mode: &str, leverage: u32, commission: f64) {
    let config = write(
        dir,
        "oracle.toml",
        &format!(
            r#"[backtest]
name = "{mode}"

[[venues]]
name = "SIM"
account = "margin"
leverage = {leverage}
base_currency = "USD"
starting_balances = ["100000 USD"]
fee_model = {{ kind = "percentage", maker = {commission}, taker = {commission} }}
intrabar = "pessimistic"

[[instruments]]
id = "X.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0

[[data]]
instrument = "X.SIM"
path = "{}"

[[strategies]]
script = "{}"
instrument = "X.SIM"
params = {{ case = "{mode}" }}
"#,
            fixture("bars.csv").display(),
            fixture("crossing.rhai").display(),
        ),
    );
    bt(dir, &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
}

fn close(what: &str, got: f64, want: f64) {
    let scale = want.abs().max(1e-6);
    assert!(
        (got - want).abs() / scale < 1e-9,
        "{what}: bt {got}, Backtesting.py {want}"
    );
}

/// Compares bt's run of `mode` with the fixture `case`.
fn compare(case: &str, mode: &str, leverage: u32, commission: f64) {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{case}.json"))).unwrap())
            .unwrap();
    let dir = scratch();
    run_case(dir.path(), mode, leverage, commission);
    let out = dir.path().join("out");
    // Bar numbers from the bars' times.
    let times: Vec<String> = csv_records(&fixture("bars.csv"))
        .into_iter()
        .map(|r| r["timestamp"].clone())
        .collect();
    let bar_of = |ts: &str| times.iter().position(|t| t == ts).unwrap();
    let trades: Vec<_> = csv_records(&out.join("trades.csv"))
        .into_iter()
        .filter(|t| t["status"] == "CLOSED")
        .collect();
    let want = expected["trades"].as_array().unwrap();
    assert_eq!(trades.len(), want.len(), "{case}: closed trades");
    for (k, (got, want)) in trades.iter().zip(want).enumerate() {
        let size: i64 = got["size"].parse().unwrap();
        let signed = if got["side"] == "SHORT" { -size } else { size };
        let what = |field: &str| format!("{case} trade {k} {field}");
        assert_eq!(signed, want["size"].as_i64().unwrap(), "{}", what("size"));
        assert_eq!(
            bar_of(&got["entry_time"]) as u64,
            want["entry_bar"].as_u64().unwrap(),
            "{}",
            what("entry bar")
        );
        assert_eq!(
            bar_of(&got["exit_time"]) as u64,
            want["exit_bar"].as_u64().unwrap(),
            "{}",
            what("exit bar")
        );
        for (field, key) in [
            ("entry_price", "entry_price"),
            ("exit_price", "exit_price"),
            ("pnl", "pnl"),
        ] {
            close(
                &what(field),
                got[field].parse().unwrap(),
                want[key].as_f64().unwrap(),
            );
        }
    }
    let stats = &results(&out)["stats"];
    for (key, want) in expected["stats"].as_object().unwrap() {
        let got = match &stats[key] {
            Value::String(text) => text.parse().unwrap(),
            Value::Number(n) => n.as_f64().unwrap(),
            other => panic!("{case} {key}: {other}"),
        };
        close(&format!("{case} {key}"), got, want.as_f64().unwrap());
    }
}

#[test]
fn close_and_reverse_all_in_matches_backtesting_py() {
    compare("reverse", "reverse", 1, 0.002);
}

#[test]
fn long_only_all_in_on_gapping_opens_matches_backtesting_py() {
    compare("long_only", "long_only", 1, 0.002);
}

#[test]
fn a_bracket_with_exits_on_its_entry_bar_matches_backtesting_py() {
    compare("bracket", "bracket", 1, 0.001);
}

#[test]
fn leverage_two_matches_backtesting_py() {
    compare("leverage", "reverse", 2, 0.0);
}
