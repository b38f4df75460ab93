//! Margin accounts: an order that adds exposure needs its initial margin
//! (notional / leverage) and fee free, before submission and again at
//! fill; reducing always passes. Figures computed by hand in comments.

use std::path::Path;

use crate::util::{bt, scratch, write};

/// A margin venue at `leverage` with 10,000 USD and a 0.1 % fee, trading
/// `data` with a script that sells `first` units on bar 0, then places
/// `second` (a signed quantity: + buys, − sells) on bar 2. The orders.csv
/// rows as (client id, event, reason).
fn orders(
    dir: &Path,
    data: &Path,
    leverage: u32,
    first: i64,
    second: i64,
) -> Vec<(String, String, String)> {
    orders_with(dir, data, leverage, "", first, second)
}

/// [`orders`] with `instrument` added to the instrument's table.
fn orders_with(
    dir: &Path,
    data: &Path,
    leverage: u32,
    instrument: &str,
    first: i64,
    second: i64,
) -> Vec<(String, String, String)> {
    let script = write(
        dir,
        "m.rhai",
        r#"fn on_bar(ctx, bar) {
    let i = ctx.bar_index();
    if i == 0 && ctx.param("first", 0) > 0 {
        ctx.sell(#{ quantity: ctx.param("first", 0) });
    }
    let second = ctx.param("second", 0);
    if i == 2 && second > 0 {
        ctx.buy(#{ quantity: second });
    }
    if i == 2 && second < 0 {
        ctx.sell(#{ quantity: -second });
    }
}
"#,
    );
    let config = write(
        dir,
        "m.toml",
        &format!(
            r#"[backtest]
name = "margin"

[[venues]]
name = "SIM"
account = "margin"
leverage = {leverage}
base_currency = "USD"
starting_balances = ["10000 USD"]
fee_model = {{ kind = "percentage", maker = 0.001, taker = 0.001 }}

[[instruments]]
id = "DEMO.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0
{instrument}

[[data]]
instrument = "DEMO.SIM"
path = "{}"

[[strategies]]
script = "{script}"
instrument = "DEMO.SIM"
params = {{ first = {first}, second = {second} }}
"#,
            data.display()
        ),
    );
    bt(dir, &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    crate::util::csv_records(&dir.join("out/orders.csv"))
        .into_iter()
        .map(|r| {
            (
                r["client_order_id"].clone(),
                r["event"].clone(),
                r["reason"].clone(),
            )
        })
        .collect()
}

fn daily() -> std::path::PathBuf {
    crate::util::root().join("data/daily_5y.csv")
}

fn events_of<'a>(rows: &'a [(String, String, String)], id: &str) -> Vec<&'a str> {
    rows.iter()
        .filter(|r| r.0 == id)
        .map(|r| r.1.as_str())
        .collect()
}

#[test]
fn an_order_is_denied_unless_the_margin_covers_it() {
    let dir = scratch();
    // Bar 0 closes at 101.17. At leverage 5, 500 short need
    // 500 × 101.17 / 5 = 10,117 plus the fee 50.585: over 10,000.
    let rows = orders(dir.path(), &daily(), 5, 500, 0);
    assert_eq!(events_of(&rows, "O-m-1-1"), ["INITIALIZED", "DENIED"]);
    assert_eq!(
        rows[1].2,
        "insufficient margin: the order needs 10167.59 USD (initial margin at leverage 5.00 and fee), available 10000.00 USD"
    );
    // 480 need 9,712.32 + 48.56: accepted and filled. With 480 short
    // filled at 101.17 (fee 48.5616) the account holds 9,951.4384 and
    // locks 9,712.32; at bar 2's close (101.28) the short has lost 52.80,
    // so 186.3184 is available, and 20 more short need
    // 20 × 101.28 / 5 + 2.0256 = 407.1456.
    let rows = orders(dir.path(), &daily(), 5, 480, -20);
    assert_eq!(
        events_of(&rows, "O-m-1-1"),
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "FILLED"]
    );
    let denied = rows.iter().find(|r| r.1 == "DENIED").unwrap();
    assert_eq!(
        denied.2,
        "insufficient margin: the order needs 407.15 USD (initial margin at leverage 5.00 and fee), available 186.32 USD"
    );
    // Buying back reduces the exposure: it needs no margin.
    let rows = orders(dir.path(), &daily(), 5, 480, 480);
    assert_eq!(
        events_of(&rows, "O-m-1-2"),
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "FILLED"]
    );
}

#[test]
fn a_fill_the_margin_no_longer_covers_is_canceled() {
    let dir = scratch();
    // Bar 0 closes at 100; bar 1 opens at 110. Fully funded (leverage 1),
    // 99 short need 99 × 100 + 9.90 = 9,909.90 when checked, but
    // 99 × 110 + 10.89 = 10,900.89 at the fill: the venue cancels it.
    let data = write(
        dir.path(),
        "gap.csv",
        "timestamp,open,high,low,close,volume\n\
         2020-01-01T00:00:00Z,100.00,100.00,100.00,100.00,1000\n\
         2020-01-02T00:00:00Z,110.00,111.00,109.00,110.00,1000\n\
         2020-01-03T00:00:00Z,110.00,111.00,109.00,110.00,1000\n",
    );
    let rows = orders(dir.path(), Path::new(&data), 1, 99, 0);
    assert_eq!(
        events_of(&rows, "O-m-1-1"),
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "CANCELED"]
    );
    assert!(
        rows.iter().any(|r| r.2 == "insufficient margin at fill"),
        "{rows:?}"
    );
    // 90 need 9,900 + 9.90 at the fill: filled.
    let rows = orders(dir.path(), Path::new(&data), 1, 90, 0);
    assert_eq!(
        events_of(&rows, "O-m-1-1"),
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "FILLED"]
    );
}

#[test]
fn a_margin_call_liquidates_at_the_close_or_is_only_recorded() {
    let dir = scratch();
    // 480 short filled at 101.17 lock 9,712.32, so the maintenance margin
    // (half of it) is 4,856.16; the account holds 9,951.4384 after the
    // fee. On 2020-12-14 the close is 113.05: the short has lost
    // 11.88 × 480 = 5,702.40, the equity is 4,249.04, and the positions
    // are closed at that close.
    let rows = orders(dir.path(), &daily(), 5, 480, 0);
    let liquidation: Vec<&(String, String, String)> =
        rows.iter().filter(|r| r.0 == "O-m-1-2").collect();
    assert_eq!(liquidation[1].1, "SUBMITTED");
    assert_eq!(liquidation[1].2, "liquidation after a margin call");
    assert_eq!(liquidation.last().unwrap().1, "FILLED");
    let json = crate::util::results(&dir.path().join("out"));
    assert_eq!(json["margin_calls"], 1);
    assert_eq!(
        json["warnings"][0],
        "margin call at 2020-12-14T00:00:00Z on SIM-001: equity 4249.04 USD below the maintenance margin 4856.16 USD; positions liquidated at the close"
    );
    let trade = &json["trades"][0];
    assert_eq!(
        (trade["exit_time"].as_str(), trade["exit_price"].as_str()),
        (Some("2020-12-14T00:00:00Z"), Some("113.05"))
    );
    // With liquidation off the call is recorded and the short stays open.
    let config = std::fs::read_to_string(dir.path().join("m.toml"))
        .unwrap()
        .replace("leverage = 5\n", "leverage = 5\nliquidation = false\n");
    let config = write(dir.path(), "kept.toml", &config);
    bt(dir.path(), &["run", &config, "--out", "kept", "--quiet"]).expect_code(0);
    let json = crate::util::results(&dir.path().join("kept"));
    assert_eq!(json["open_trades"].as_array().unwrap().len(), 1);
    // Called once each time the equity falls below (not every bar it
    // stays there): a warning per call.
    let calls = json["margin_calls"].as_u64().unwrap();
    let warnings = json["warnings"].as_array().unwrap();
    assert!(calls >= 1);
    assert_eq!(warnings.len() as u64, calls);
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .ends_with("(liquidation = false: positions kept)")
    );
}

#[test]
fn an_instruments_own_margin_rates_replace_the_leverage() {
    let dir = scratch();
    let half = "margin_init = 0.5\nmargin_maint = 0.25";
    // At 50 %, 480 short at 101.17 need 24,280.80 + 48.56: denied,
    // though leverage 5 alone would take 9,712.32.
    let rows = orders_with(dir.path(), &daily(), 5, half, 480, 0);
    assert_eq!(
        rows[1].2,
        "insufficient margin: the order needs 24329.36 USD (initial margin of 50.00 % and fee), available 10000.00 USD"
    );
    // 190 need 9,611.15 + 19.22: filled.
    let rows = orders_with(dir.path(), &daily(), 5, half, 190, 0);
    assert_eq!(
        events_of(&rows, "O-m-1-1"),
        ["INITIALIZED", "SUBMITTED", "ACCEPTED", "FILLED"]
    );
    // A maintenance above the initial is a located error.
    let config = std::fs::read_to_string(dir.path().join("m.toml"))
        .unwrap()
        .replace("margin_maint = 0.25", "margin_maint = 0.6");
    let config = write(dir.path(), "bad.toml", &config);
    let run = bt(dir.path(), &["run", &config, "--out", "bad"]).expect_code(3);
    assert!(
        run.stderr()
            .contains("field 'instruments.margin_maint': must not be above margin_init"),
        "{}",
        run.stderr()
    );
}
