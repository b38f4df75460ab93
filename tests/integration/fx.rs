//! Accounts holding other currencies than the report's: valued at an FX
//! pair's last close or at a fixed `[fx_rates]` rate, and a run that lacks
//! a rate is refused before it starts.

use crate::util::{bt, results, root, scratch, write};

/// (timestamp, open, close) of every demo bar.
fn demo() -> Vec<(String, f64, f64)> {
    std::fs::read_to_string(root().join("data/demo_bars.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0].to_string(),
                c[1].parse().unwrap(),
                c[4].parse().unwrap(),
            )
        })
        .collect()
}

fn config(extra: &str) -> String {
    format!(
        r#"[backtest]
name = "fx"

[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["100000 USD", "10000 EUR"]
fee_model = {{ kind = "percentage", maker = 0, taker = 0 }}

[[instruments]]
id = "SAP.SIM"
kind = "equity"
currency = "EUR"
price_precision = 2
size_precision = 0

[[data]]
instrument = "SAP.SIM"
path = "{}"

[[strategies]]
builtin = "buy_and_hold"
instrument = "SAP.SIM"
{extra}"#,
        root().join("data/demo_bars.csv").display()
    )
}

/// W1 on the EUR stock: all 10,000 EUR in, held; the USD value at `rate`.
fn expected_equity(rate: f64) -> f64 {
    let bars = demo();
    let qty = (10_000.0 / bars[0].2).floor();
    let eur = 10_000.0 - qty * bars[1].1 + qty * bars.last().unwrap().2;
    100_000.0 + rate * eur
}

fn final_equity(dir: &std::path::Path, text: &str) -> f64 {
    let config = write(dir, "fx.toml", text);
    bt(dir, &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    results(&dir.join("out"))["stats"]["Equity Final [$]"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_fixed_rate_values_the_euro_side() {
    let dir = scratch();
    let got = final_equity(dir.path(), &config("\n[fx_rates]\n\"EUR/USD\" = 1.1\n"));
    assert!(
        (got - expected_equity(1.1)).abs() < 1e-6,
        "{got} vs {}",
        expected_equity(1.1)
    );
}

/// The first point of equity.csv, as a number.
fn first_equity(dir: &std::path::Path) -> f64 {
    let curve = std::fs::read_to_string(dir.join("out/equity.csv")).unwrap();
    let first = curve.lines().nth(1).unwrap();
    first.split(',').nth(1).unwrap().parse().unwrap()
}

/// The `[[instruments]]`/`[[data]]` of EURUSD at 1.2500 on the demo
/// timestamps from the `skip`th on.
fn eurusd_feed(dir: &std::path::Path, skip: usize) -> String {
    let mut fx = String::from("timestamp,open,high,low,close,volume\n");
    for (ts, _, _) in demo().into_iter().skip(skip) {
        fx.push_str(&format!("{ts},1.2500,1.2500,1.2500,1.2500,0\n"));
    }
    let fx_path = write(dir, "eurusd.csv", &fx);
    format!(
        r#"
[[instruments]]
id = "EURUSD.SIM"
kind = "fx_pair"
base_currency = "EUR"
currency = "USD"
price_precision = 4
size_precision = 0

[[data]]
instrument = "EURUSD.SIM"
path = "{fx_path}"
"#
    )
}

#[test]
fn an_fx_pair_with_data_values_it_at_the_market() {
    let dir = scratch();
    let extra = eurusd_feed(dir.path(), 0);
    let got = final_equity(dir.path(), &config(&extra));
    assert!(
        (got - expected_equity(1.25)).abs() < 1e-6,
        "{got} vs {}",
        expected_equity(1.25)
    );
}

#[test]
fn a_missing_rate_is_refused_before_the_run() {
    let dir = scratch();
    let config = write(dir.path(), "fx.toml", &config(""));
    let stderr = bt(dir.path(), &["run", &config, "--out", "out"])
        .expect_code(3)
        .stderr();
    assert!(stderr.contains("needs EUR in USD"), "{stderr}");
    assert!(stderr.contains("[fx_rates] \"EUR/USD\""), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn the_first_point_already_counts_the_other_currency() {
    // Before any fill the account holds 100,000 USD and 10,000 EUR.
    let dir = scratch();
    final_equity(dir.path(), &config("\n[fx_rates]\n\"EUR/USD\" = 1.1\n"));
    assert!((first_equity(dir.path()) - 111_000.0).abs() < 1e-9);
    // The pair's first bar comes after the stock's at the same timestamp:
    // the valuation waits for it.
    let dir = scratch();
    final_equity(dir.path(), &config(&eurusd_feed(dir.path(), 0)));
    assert!((first_equity(dir.path()) - 112_500.0).abs() < 1e-9);
}

#[test]
fn a_pair_that_starts_late_stops_the_run_at_the_first_point() {
    let dir = scratch();
    let config = write(dir.path(), "fx.toml", &config(&eurusd_feed(dir.path(), 5)));
    let run = bt(dir.path(), &["run", &config, "--out", "out"]);
    let stderr = run.stderr();
    assert_eq!(run.code(), 1, "{stderr}");
    // What failed, then why, as a chain of causes.
    assert!(
        stderr.starts_with(
            "error: cannot value an account SIM-001 at 2020-01-01T00:00:00Z\n  caused by: "
        ) && stderr.contains("no EUR/USD rate yet"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}
