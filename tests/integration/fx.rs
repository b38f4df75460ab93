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

#[test]
fn an_fx_pair_with_data_values_it_at_the_market() {
    let dir = scratch();
    // EURUSD at 1.2500 on every demo timestamp.
    let mut fx = String::from("timestamp,open,high,low,close,volume\n");
    for (ts, _, _) in demo() {
        fx.push_str(&format!("{ts},1.2500,1.2500,1.2500,1.2500,0\n"));
    }
    let fx_path = write(dir.path(), "eurusd.csv", &fx);
    let extra = format!(
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
    );
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
