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

/// Buys 10 on bar 0 with `options` on a cash venue, on a flat bar at 100
/// followed by `bars`; orders.csv's rows.
fn buy_on_bar_0(bars: &str, options: &str) -> Vec<HashMap<String, String>> {
    let dir = scratch();
    script_orders(
        dir.path(),
        CASH,
        &format!("2020-01-01T00:00:00Z,100,100,100,100,1000\n{bars}"),
        &on_bar_0(options),
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
    let rows = buy_on_bar_0(
        "2020-01-02T00:00:00Z,100,100.5,98,99,1000\n",
        "touch: 99.0, limit: 98.5",
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
    let rows = buy_on_bar_0(
        "2020-01-02T00:00:00Z,100,100.2,98.5,99,1000\n\
         2020-01-03T00:00:00Z,97.5,98,97,97.8,1000\n",
        "touch: 99.0, limit: 98.0",
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
    let rows = buy_on_bar_0("2020-01-02T00:00:00Z,100,100.5,98,99,1000\n", "touch: 99.0");
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

const MARGIN: &str = r#"account = "margin"
leverage = 1
starting_balances = ["10000 USD"]"#;

/// Buys 10 on bar 0 and protects them with a sell trailing stop made of
/// `options`; the stop's rows (event, trigger, fill price, reason).
fn trailing_rows(bars: &str, options: &str) -> Vec<(String, String, String, String)> {
    let dir = scratch();
    let rows = script_orders(
        dir.path(),
        MARGIN,
        &format!("2020-01-01T00:00:00Z,100,100,100,100,1000\n{bars}"),
        &format!(
            "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{ ctx.buy(#{{ quantity: 10 }}); ctx.sell(#{{ quantity: 10, {options} }}); }}\n}}\n"
        ),
    );
    rows.iter()
        .filter(|r| r["client_order_id"] == "O-s-1-2")
        .skip(3)
        .map(|r| {
            (
                r["event"].clone(),
                r["type"].clone(),
                r["fill_price"].clone(),
                r["reason"].clone(),
            )
        })
        .collect()
}

fn row(event: &str, kind: &str, fill: &str, reason: &str) -> (String, String, String, String) {
    (event.into(), kind.into(), fill.into(), reason.into())
}

#[test]
fn a_trailing_stop_follows_the_rise_and_fires_on_the_fall() {
    // First trigger 98 (the close 100 − 2). Bar 1 dips to 99.5 (above
    // 98), rises to 104 (trigger 102), closes 103: it moved, not fired.
    // Bar 2 opens 103, tops 103.5 (below the best 104: no move), falls to
    // 101 through 102: filled at 102.
    let got = trailing_rows(
        "2020-01-02T00:00:00Z,100,104,99.5,103,1000\n\
         2020-01-03T00:00:00Z,103,103.5,101,101.5,1000\n",
        "trail: 2.0",
    );
    let kind = "TRAILING_STOP_MARKET";
    assert_eq!(
        got,
        [
            row("UPDATED", kind, "", "trailing: the trigger moved to 102.00"),
            row("FILLED", kind, "102.00", ""),
        ]
    );
}

#[test]
fn a_trailing_stop_fires_on_the_bar_that_raised_it() {
    // Bar 1: 100 → 99 (nearer) → 105 (trigger 103) → 102: fired at 103
    // on the same bar, along the path.
    let got = trailing_rows("2020-01-02T00:00:00Z,100,105,99,102,1000\n", "trail: 2.0");
    assert_eq!(got.last().unwrap().0, "FILLED");
    assert_eq!(got.last().unwrap().2, "103.00");
}

#[test]
fn a_trailing_stop_waits_for_its_activation_price() {
    // Active from 104 on: bar 1 falls to 95 first, which fires nothing;
    // bar 2 reaches 106 (trigger 105 at 1 tick = 0.01 × 100 ticks) and
    // falls to 104.
    let got = trailing_rows(
        "2020-01-02T00:00:00Z,100,101,95,100,1000\n\
         2020-01-03T00:00:00Z,100,106,100,104,1000\n",
        "trail_ticks: 100, activation: 104.0",
    );
    assert_eq!(got.last().unwrap().0, "FILLED");
    assert_eq!(got.last().unwrap().2, "105.00");
    assert!(got.iter().all(|r| !r.3.contains("95")));
}

#[test]
fn basis_points_trail_the_best_price() {
    // 100 bp of the best 104 is 1.04: trigger 102.96, hit on bar 2.
    let got = trailing_rows(
        "2020-01-02T00:00:00Z,100,104,99.5,103,1000\n\
         2020-01-03T00:00:00Z,103,103.5,101,101.5,1000\n",
        "trail_bp: 100",
    );
    assert_eq!(got[0].3, "trailing: the trigger moved to 102.96");
    assert_eq!(got.last().unwrap().2, "102.96");
}

#[test]
fn a_trailing_stop_limit_works_as_a_limit_past_its_trigger() {
    // As the first case, with the limit 0.5 below the trigger: fired at
    // 102 on bar 2, where its limit 101.5 is already marketable.
    let bar_1 = "2020-01-02T00:00:00Z,100,104,99.5,103,1000\n";
    let got = trailing_rows(
        &format!("{bar_1}2020-01-03T00:00:00Z,103,103.5,101,101.5,1000\n"),
        "trail: 2.0, limit_offset: 0.5",
    );
    let last = got.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str(), last.2.as_str()),
        ("FILLED", "TRAILING_STOP_LIMIT", "102.00")
    );
    // A gap to 101 fires it at the open, below the limit: it rests as a
    // limit at 101.5 that this bar (up to 101.4) never reaches.
    let got = trailing_rows(
        &format!("{bar_1}2020-01-03T00:00:00Z,101,101.4,100,101,1000\n"),
        "trail: 2.0, limit_offset: 0.5",
    );
    let events: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(events, ["UPDATED", "TRIGGERED"]);
}
