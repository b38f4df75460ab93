//! A fractional size becomes its quantity when the order fills: at the
//! fill price, with the fee the fill pays, from the balances the bar's
//! earlier fills left, and with a margin account's leverage. One test per
//! sentence of the README's "How a fractional size becomes a quantity";
//! figures computed by hand in comments.

use std::collections::HashMap;

use crate::util::{scratch, script_orders as orders};

/// The (event, fill quantity, reason) rows of order `n` (1-based).
fn events(rows: &[HashMap<String, String>], n: u32) -> Vec<(String, String, String)> {
    let id = format!("O-s-1-{n}");
    rows.iter()
        .filter(|r| r["client_order_id"] == id)
        .map(|r| {
            (
                r["event"].clone(),
                r["fill_qty"].clone(),
                r["reason"].clone(),
            )
        })
        .collect()
}

fn filled(rows: &[HashMap<String, String>], n: u32) -> String {
    events(rows, n)
        .into_iter()
        .find(|e| e.0 == "FILLED")
        .map(|e| e.1)
        .unwrap_or_default()
}

const CASH: &str = r#"account = "cash"
starting_balances = ["10000 USD"]
fee_model = { kind = "percentage", maker = 0.001, taker = 0.001 }"#;

const BUY_ALL_ON_BAR_0: &str = r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { ctx.buy(#{ size: 1.0 }); }
}
"#;

#[test]
fn a_fraction_is_sized_at_the_fill_price_and_the_change_is_an_updated_row() {
    let dir = scratch();
    // Submitted at the close 100: floor(10000 / (100 × 1.001)) = 99.
    // Filled at the open 125: floor(10000 / (125 × 1.001)) = 79
    // (79 × 125.125 = 9884.88; 80 × 125.125 = 10010 > 10000).
    let rows = orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,125,126,124,125,1000\n\
         2020-01-03T00:00:00Z,125,126,124,125,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    let got = events(&rows, 1);
    let names: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "UPDATED", "FILLED"]
    );
    assert_eq!(got[3].2, "sized at fill: 79 at 125.00, submitted as 99");
    assert_eq!(filled(&rows, 1), "79");
    // The commission is the fill's: 79 × 125 × 0.001.
    let fill = rows.iter().find(|r| r["event"] == "FILLED").unwrap();
    assert_eq!(fill["commission"], "9.875000000");

    // A gap down buys more: floor(10000 / (80 × 1.001)) = 124
    // (124 × 80.08 = 9929.92; 125 × 80.08 = 10010 > 10000).
    let dir = scratch();
    let rows = orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,80,81,79,80,1000\n\
         2020-01-03T00:00:00Z,80,81,79,80,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    assert_eq!(filled(&rows, 1), "124");
}

#[test]
fn an_unchanged_size_has_no_updated_row() {
    let dir = scratch();
    // The open equals the close before it: the same 99 units.
    let rows = orders(
        dir.path(),
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    let names: Vec<String> = events(&rows, 1).into_iter().map(|e| e.0).collect();
    assert!(!names.contains(&"UPDATED".to_string()), "{names:?}");
    assert_eq!(filled(&rows, 1), "99");
}

#[test]
fn a_limit_fill_is_sized_with_the_maker_fee_at_its_limit() {
    let dir = scratch();
    // Maker 0 and taker 1 %: a limit buy at 100 filled at 100 as a maker
    // buys floor(10000 / 100) = 100; at the taker fee it would be 99.
    let rows = orders(
        dir.path(),
        r#"account = "cash"
starting_balances = ["10000 USD"]
fee_model = { kind = "percentage", maker = 0.0, taker = 0.01 }"#,
        "2020-01-01T00:00:00Z,110,110,110,110,1000\n\
         2020-01-02T00:00:00Z,105,106,99,104,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { ctx.buy(#{ size: 1.0, limit: 100.0 }); }
}
"#,
    );
    assert_eq!(filled(&rows, 1), "100");
    let fill = rows.iter().find(|r| r["event"] == "FILLED").unwrap();
    assert_eq!(fill["liquidity"], "MAKER");
    assert_eq!(fill["fill_price"], "100.00");
}

#[test]
fn a_fill_after_a_close_on_the_same_bar_spends_what_the_close_freed() {
    let dir = scratch();
    // Margin, leverage 1, 0.1 % fee. Bar 0: buy 50; filled at 100 on bar 1
    // (fee 5). Bar 2 (close 110): close, then sell all. Provisional at
    // 110: equity 10000 − 5 + 50 × 10 = 10495, less the 5000 locked =
    // 5495 → floor(5495 / 110.11) = 49. Bar 3 opens at 120: the close
    // realizes 50 × 20 = 1000 and pays 6, so 10989 is free; the sale is
    // floor(10989 / (120 × 1.001)) = 91 (91 × 120.12 = 10930.92; 92 ×
    // 120.12 = 11051.04 > 10989).
    let rows = orders(
        dir.path(),
        r#"account = "margin"
leverage = 1
starting_balances = ["10000 USD"]
fee_model = { kind = "percentage", maker = 0.001, taker = 0.001 }"#,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,110,100,110,1000\n\
         2020-01-03T00:00:00Z,110,110,110,110,1000\n\
         2020-01-04T00:00:00Z,120,121,119,120,1000\n\
         2020-01-05T00:00:00Z,120,121,119,120,1000\n",
        r#"fn on_bar(ctx, bar) {
    let i = ctx.bar_index();
    if i == 0 { ctx.buy(#{ quantity: 50 }); }
    if i == 2 { ctx.close_position(); ctx.sell(#{ size: 1.0 }); }
}
"#,
    );
    // The sale took its id when the script asked (2), the close when the
    // engine made it (3); the close was asked first and fills first.
    assert_eq!(filled(&rows, 3), "50", "the close");
    let sale = events(&rows, 2);
    assert!(
        sale.iter()
            .any(|e| e.2 == "sized at fill: 91 at 120.00, submitted as 49"),
        "{sale:?}"
    );
    assert_eq!(filled(&rows, 2), "91");
}

#[test]
fn a_margin_account_sizes_with_its_leverage() {
    let dir = scratch();
    // Leverage 2, 0.1 % fee, half the margin: 5000 / (100 × (1/2 + 0.001))
    // = 5000 / 50.1 → 99 (99 × 50.1 = 4959.9; 100 × 50.1 = 5010). As
    // Backtesting.py: 10000 × 2 × 0.5 / 100.1 = 99.9 → 99.
    let rows = orders(
        dir.path(),
        r#"account = "margin"
leverage = 2
starting_balances = ["10000 USD"]
fee_model = { kind = "percentage", maker = 0.001, taker = 0.001 }"#,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { ctx.buy(#{ size: 0.5 }); }
}
"#,
    );
    assert_eq!(filled(&rows, 1), "99");
}

#[test]
fn a_flat_fee_comes_off_the_budget_first() {
    let dir = scratch();
    // 10 USD per order: floor((10000 − 10) / 100) = 99.
    let rows = orders(
        dir.path(),
        r#"account = "cash"
starting_balances = ["10000 USD"]
fee_model = { kind = "flat", amount = "10 USD" }"#,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    assert_eq!(filled(&rows, 1), "99");
}

#[test]
fn an_order_the_balance_no_longer_buys_a_lot_of_is_canceled() {
    let dir = scratch();
    // 150 USD buys one unit at 100, none at the 160 open.
    let rows = orders(
        dir.path(),
        r#"account = "cash"
starting_balances = ["150 USD"]"#,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,160,161,159,160,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    let got = events(&rows, 1);
    let last = got.last().unwrap();
    assert_eq!(last.0, "CANCELED");
    assert_eq!(
        last.2,
        "sized at fill: the balance buys no whole lot at the fill price"
    );
}

#[test]
fn a_fraction_the_budget_buys_nothing_of_yet_is_sized_after_the_close_before_it() {
    let dir = scratch();
    // Margin, leverage 1, no fee: all in at 100 (100 units) locks all of
    // the 10,000. On bar 2 the close and the reversal are asked together:
    // the reversal buys nothing at submission (provisional 0) yet is not
    // denied; at the open 100 of bar 3 the close frees 10,000 and the
    // sale is 100 units.
    let rows = orders(
        dir.path(),
        r#"account = "margin"
leverage = 1
starting_balances = ["10000 USD"]"#,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n\
         2020-01-03T00:00:00Z,100,101,99,100,1000\n\
         2020-01-04T00:00:00Z,100,101,99,100,1000\n",
        r#"fn on_bar(ctx, bar) {
    let i = ctx.bar_index();
    if i == 0 { ctx.buy(#{ size: 1.0 }); }
    if i == 2 { ctx.close_position(); ctx.sell(#{ size: 1.0 }); }
}
"#,
    );
    assert_eq!(filled(&rows, 1), "100");
    let sale = events(&rows, 2);
    let names: Vec<&str> = sale.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "UPDATED", "FILLED"]
    );
    assert_eq!(sale[3].2, "sized at fill: 100 at 100.00, submitted as 0");
    assert_eq!(filled(&rows, 2), "100");
}

#[test]
fn a_size_decided_at_the_fill_keeps_to_the_risk_limits() {
    // All in at 100 buys 99 (10000 / 100.1); [risk] max_order_quantity =
    // 50 cuts it to 50, and a venue cap of 3,000 USD to 30 (3000 / 100),
    // at submission and at the fill alike.
    let bars = "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
                2020-01-02T00:00:00Z,100,101,99,100,1000\n";
    for (limits, filled_qty) in [
        ("\n[risk]\nmax_order_quantity = \"50\"", "50"),
        ("\nmax_notional_per_order = \"3000 USD\"", "30"),
    ] {
        let dir = scratch();
        let rows = orders(
            dir.path(),
            &format!("{CASH}{limits}"),
            bars,
            BUY_ALL_ON_BAR_0,
        );
        assert_eq!(filled(&rows, 1), filled_qty, "{limits}");
    }
    // Submitted at the close 200 (49 lots), filled at the open 100, where
    // the balance buys 99: cut to 50 at the fill.
    let dir = scratch();
    let rows = orders(
        dir.path(),
        &format!("{CASH}\n[risk]\nmax_order_quantity = \"50\""),
        "2020-01-01T00:00:00Z,200,200,200,200,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n",
        BUY_ALL_ON_BAR_0,
    );
    assert_eq!(filled(&rows, 1), "50");
    let updated: Vec<String> = events(&rows, 1)
        .into_iter()
        .filter(|e| e.0 == "UPDATED")
        .map(|e| e.2)
        .collect();
    assert_eq!(
        updated,
        vec!["sized at fill: 50 at 100.00 (cut to the [risk] limits), submitted as 49"]
    );
    // A position already at max_position leaves no room: the fraction
    // goes to the venue as 0 (a close ahead of it might free room) and
    // is canceled at the fill.
    let dir = scratch();
    let rows = orders(
        dir.path(),
        &format!("{CASH}\n[risk]\nmax_position = \"10\""),
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,101,99,100,1000\n\
         2020-01-03T00:00:00Z,100,101,99,100,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { ctx.buy(#{ quantity: 10 }); }
    if ctx.bar_index() == 1 { ctx.buy(#{ size: 0.5 }); }
}
"#,
    );
    assert_eq!(filled(&rows, 1), "10");
    let last = events(&rows, 2).pop().unwrap();
    assert_eq!(
        (last.0.as_str(), last.2.as_str()),
        ("CANCELED", "sized at fill: the [risk] limits leave no room")
    );
}
