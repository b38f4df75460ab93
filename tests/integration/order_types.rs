//! Touched orders from scripts: `touch` alone is a market-if-touched
//! order (triggers as a limit would, fills at market), `touch` with
//! `limit` a limit-if-touched order (triggers the same way, then works as
//! a limit at `limit`, on the same bar too).

use std::collections::HashMap;

use crate::util::{bt, scratch, script_orders, write};

const CASH: &str = r#"account = "cash"
starting_balances = ["10000 USD"]"#;

/// (event, fill price, liquidity) of order 1.
fn events(rows: &[HashMap<String, String>]) -> Vec<(String, String, String)> {
    rows.iter()
        .filter(|r| r["client_order_id"] == "O-s-1-1")
        .map(|r| {
            (
                r["event"].clone(),
                r["fill_price"].clone(),
                r["liquidity"].clone(),
            )
        })
        .skip(3)
        .collect()
}

fn on_bar_0(options: &str) -> String {
    format!(
        "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{ ctx.buy(#{{ quantity: 10, {options} }}); }}\n}}\n"
    )
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| ((*a).to_string(), (*b).to_string(), (*c).to_string()))
        .collect()
}

#[test]
fn a_limit_if_touched_buy_triggers_on_the_touch_and_fills_at_its_limit() {
    // Bar 1 opens at 100, visits 100.5 (nearer), falls to 98: the touch at
    // 99 triggers, and the limit at 98.5 fills later on the same bar.
    let dir = scratch();
    let rows = script_orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,100.5,98,99,1000\n",
        &on_bar_0("touch: 99.0, limit: 98.5"),
    );
    assert_eq!(
        events(&rows),
        owned(&[("TRIGGERED", "", ""), ("FILLED", "98.50", "MAKER")])
    );
    assert!(rows.iter().all(|r| r["type"] == "LIMIT_IF_TOUCHED"));
}

#[test]
fn a_triggered_limit_if_touched_rests_as_a_limit() {
    // Bar 1 touches 99 but stays above the limit 98; bar 2 opens below it
    // (97.5): the limit fills at that better open.
    let dir = scratch();
    let rows = script_orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,100.2,98.5,99,1000\n\
         2020-01-03T00:00:00Z,97.5,98,97,97.8,1000\n",
        &on_bar_0("touch: 99.0, limit: 98.0"),
    );
    let got = events(&rows);
    assert_eq!(
        got,
        owned(&[("TRIGGERED", "", ""), ("FILLED", "97.50", "MAKER")])
    );
    let triggered = rows.iter().find(|r| r["event"] == "TRIGGERED").unwrap();
    assert_eq!(triggered["ts_event"], "2020-01-02T00:00:00Z");
}

#[test]
fn touch_alone_is_a_market_if_touched_order() {
    // A buy touched at 99 fills there at market (taker), like a stop.
    let dir = scratch();
    let rows = script_orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,100.5,98,99,1000\n",
        &on_bar_0("touch: 99.0"),
    );
    assert_eq!(events(&rows), owned(&[("FILLED", "99.00", "TAKER")]));
    assert!(rows.iter().all(|r| r["type"] == "MARKET_IF_TOUCHED"));
}

#[test]
fn stop_and_touch_together_are_an_error_at_the_call() {
    let dir = scratch();
    let script = write(dir.path(), "s.rhai", &on_bar_0("touch: 99.0, stop: 101.0"));
    let data = write(
        dir.path(),
        "bars.csv",
        "timestamp,open,high,low,close,volume\n2020-01-01T00:00:00Z,100,100,100,100,1000\n",
    );
    let config = write(
        dir.path(),
        "s.toml",
        &format!(
            "[backtest]\nname = \"s\"\n\n[[venues]]\nname = \"SIM\"\nbase_currency = \"USD\"\n{CASH}\n\n[[instruments]]\nid = \"DEMO.SIM\"\nkind = \"equity\"\ncurrency = \"USD\"\nprice_precision = 2\nsize_precision = 0\n\n[[data]]\ninstrument = \"DEMO.SIM\"\npath = \"{data}\"\n\n[[strategies]]\nscript = \"{script}\"\ninstrument = \"DEMO.SIM\"\n"
        ),
    );
    let stderr = bt(dir.path(), &["run", &config, "--out", "out", "--quiet"])
        .expect_code(3)
        .stderr();
    assert!(
        stderr.contains("give either stop or touch, not both"),
        "{stderr}"
    );
    assert!(stderr.contains("s.rhai:2:"), "{stderr}");
}
